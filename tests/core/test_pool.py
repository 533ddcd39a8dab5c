"""The async publisher's connection pools: shared fairly, never over their share, connections kept alive."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import AsyncPublisher, Post, Secret, Target
from postmux.pool import ShardedAsyncTransport

from .fakes import KEY, FakeAdapter


class HeldPool(httpx.AsyncBaseTransport):
    """A pool stand-in that holds every request until released, counting what it holds."""

    def __init__(self, size: int, gate: asyncio.Event) -> None:
        self.size = size
        self.gate = gate
        self.holding = 0
        self.most = 0
        self.served = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.holding += 1
        self.most = max(self.most, self.holding)
        await self.gate.wait()
        self.served += 1
        pool = self

        class Body(httpx.AsyncByteStream):
            async def __aiter__(self) -> Any:
                yield b"{}"

            async def aclose(self) -> None:
                pool.holding -= 1

        return httpx.Response(200, stream=Body())


async def test_requests_go_to_the_least_busy_pool_and_none_holds_more_than_its_share() -> None:
    gate = asyncio.Event()
    pools: list[HeldPool] = []

    def make(size: int) -> HeldPool:
        pools.append(HeldPool(size, gate))
        return pools[-1]

    transport = ShardedAsyncTransport(40, shard_size=10, factory=make)
    assert [p.size for p in pools] == [10, 10, 10, 10]
    async with httpx.AsyncClient(transport=transport) as client:
        sending = [asyncio.ensure_future(client.get("http://127.0.0.1:1/x")) for _ in range(40)]
        while sum(p.holding for p in pools) < 40:
            await asyncio.sleep(0)
        assert [p.most for p in pools] == [10, 10, 10, 10]
        gate.set()
        responses = await asyncio.gather(*sending)
    assert all(r.status_code == 200 for r in responses)
    assert transport.in_flight == [0, 0, 0, 0]  # every closed response gave its place back
    assert [p.served for p in pools] == [10, 10, 10, 10]


async def test_a_failed_request_gives_its_place_back() -> None:
    def make(size: int) -> httpx.AsyncBaseTransport:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        return httpx.MockTransport(refuse)

    transport = ShardedAsyncTransport(20, shard_size=10, factory=make)
    async with httpx.AsyncClient(transport=transport) as client:
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                await client.get("http://127.0.0.1:1/x")
    assert transport.in_flight == [0, 0]


def test_limits_are_checked_and_split_evenly() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ShardedAsyncTransport(0)
    transport = ShardedAsyncTransport(25, shard_size=10)
    assert (len(transport.shards), transport.shard_size) == (3, 9)


class CountingServer:
    """A loopback HTTP/1.1 server answering the fake vendor's publish after a pause; counts connections."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.connections = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.answered = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> CountingServer:
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                await reader.readexactly(length)
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                self.answered += 1
                await asyncio.sleep(self.delay + (self.answered % 40) * 0.002)  # answers one by one
                self.in_flight -= 1
                body = json.dumps({"id": "p1", "status": "published"}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
                writer.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def test_the_async_publisher_keeps_its_connections_alive_and_within_max_concurrency() -> None:
    """A fan-out wider than httpx's 20 kept-alive connections reuses every one the second time.

    With one default httpx pool, 40 concurrent requests leave only 20
    connections alive, so a second fan-out opens 20 more (60 in all).
    """
    post = Post(
        text="hi",
        media=["https://cdn.example.com/v.mp4"],
        targets=[Target("tiktok", f"acc-{i}") for i in range(40)],
    )
    async with CountingServer(delay=0.05) as server:
        pub = AsyncPublisher(FakeAdapter(server.url), Secret(KEY), max_concurrency=40)
        async with pub:
            for _ in range(2):
                report = await pub.publish(post)
                assert report.ok
        assert server.most_in_flight == 40  # all at once: the limit, not the pool, bounds them
        assert server.connections == 40


async def test_every_async_publisher_shares_one_ssl_context_until_the_certificate_settings_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import ssl

    from postmux.pool import default_ssl_context

    def context_of(pub: AsyncPublisher) -> ssl.SSLContext:
        transport = pub.client._transport
        assert isinstance(transport, ShardedAsyncTransport)
        contexts = {id(shard._pool._ssl_context) for shard in transport.shards}  # type: ignore[attr-defined]
        assert len(contexts) == 1  # one for all its pools
        found: ssl.SSLContext = transport.shards[0]._pool._ssl_context  # type: ignore[attr-defined]
        return found

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first, second = (AsyncPublisher(FakeAdapter(), Secret(KEY)) for _ in range(2))
    async with first, second:
        assert context_of(first) is context_of(second) is default_ssl_context()
        assert context_of(first).verify_mode is ssl.CERT_REQUIRED
        assert context_of(first).check_hostname

    import certifi

    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(Path(certifi.where()).read_bytes())
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # another trust store: another context
    async with AsyncPublisher(FakeAdapter(), Secret(KEY)) as third:
        assert context_of(third) is not context_of(first)
        assert context_of(third) is default_ssl_context()
