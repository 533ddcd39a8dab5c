"""The publishers' own connection pools: shared fairly, never over their share, connections kept alive,
and a proxy the environment names used, as httpx itself would."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import AsyncPublisher, ConfigurationError, Post, Publisher, Secret, Target
from postmux.pool import ShardedAsyncTransport, ShardedTransport

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


def test_the_sync_transport_sends_each_request_to_the_least_busy_pool_from_many_threads() -> None:
    """Forty threads at once, in pools of ten: each pool holds ten, and every place comes back."""
    gate = threading.Event()
    arrived = threading.Semaphore(0)
    lock = threading.Lock()
    pools: list[dict[str, int]] = []

    def make(size: int) -> httpx.BaseTransport:
        counts = {"size": size, "holding": 0, "most": 0, "served": 0}
        pools.append(counts)

        def hold(request: httpx.Request) -> httpx.Response:
            with lock:
                counts["holding"] += 1
                counts["most"] = max(counts["most"], counts["holding"])
            arrived.release()
            gate.wait(5)
            with lock:
                counts["holding"] -= 1
                counts["served"] += 1
            return httpx.Response(200, content=b"{}")

        return httpx.MockTransport(hold)

    transport = ShardedTransport(40, shard_size=10, factory=make)
    assert [p["size"] for p in pools] == [10, 10, 10, 10]
    with httpx.Client(transport=transport) as client:
        threads = [threading.Thread(target=client.get, args=("http://127.0.0.1:1/x",)) for _ in range(40)]
        for thread in threads:
            thread.start()
        for _ in range(40):
            assert arrived.acquire(timeout=5)
        assert [p["most"] for p in pools] == [10, 10, 10, 10]
        gate.set()
        for thread in threads:
            thread.join(5)
    assert transport.in_flight == [0, 0, 0, 0]
    assert [p["served"] for p in pools] == [10, 10, 10, 10]


def test_a_failed_sync_request_gives_its_place_back() -> None:
    def make(size: int) -> httpx.BaseTransport:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        return httpx.MockTransport(refuse)

    transport = ShardedTransport(20, shard_size=10, factory=make)
    with httpx.Client(transport=transport) as client:
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                client.get("http://127.0.0.1:1/x")
    assert transport.in_flight == [0, 0]


def test_limits_are_checked_and_split_evenly() -> None:
    for kind in (ShardedAsyncTransport, ShardedTransport):
        with pytest.raises(ValueError, match="at least 1"):
            kind(0)
        transport = kind(25, shard_size=10)
        assert (len(transport.shards), transport.shard_size) == (3, 9)


class CountingServer:
    """A loopback HTTP/1.1 server answering the fake vendor's publish after a pause; counts connections."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.connections = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.answered = 0
        self.request_lines: list[bytes] = []
        self.closed_by_client = 0
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
                self.request_lines.append(head.split(b"\r\n", 1)[0])
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                self.answered += 1
                await asyncio.sleep(self.delay + (self.answered % 40) * 0.002)  # answers one by one
                self.in_flight -= 1
                body = json.dumps({"id": "p1", "status": "published"}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
                writer.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                await writer.drain()
        except asyncio.IncompleteReadError as exc:
            self.closed_by_client += not exc.partial  # between requests: the client let it go
        except ConnectionError:
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


@pytest.fixture
def threaded_server() -> Iterator[CountingServer]:
    """A :class:`CountingServer` on its own event loop thread, for the sync publisher."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = CountingServer(delay=0.05)
    asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(5)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.__aexit__(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_the_sync_publisher_keeps_its_connections_alive(threaded_server: CountingServer) -> None:
    """The sync publisher's threads reuse every connection too (``postmux.connections`` says why).

    httpx's default pool keeps 20 idle connections: of 40 it closes about 20
    as the responses end, and httpcore's sync pool may close, doing so, one
    it has just handed to a waiting thread. No connection is let go here
    before the publisher is closed.
    """
    post = Post(
        text="hi",
        media=["https://cdn.example.com/v.mp4"],
        targets=[Target("tiktok", f"acc-{i}") for i in range(40)],
    )
    with Publisher(FakeAdapter(threaded_server.url), Secret(KEY), max_concurrency=40) as pub:
        for _ in range(2):
            report = pub.publish(post)
            assert report.ok
        time.sleep(0.2)  # a connection the client closed has reached the server by now
        assert threaded_server.closed_by_client == 0
    assert threaded_server.most_in_flight > 20  # more at once than httpx's default keeps alive
    assert threaded_server.connections <= 100  # max(max_concurrency, 100), never more


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_publishers_own_client_sends_through_the_proxy_the_environment_names(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``HTTP_PROXY`` is honoured as by ``httpx.Client()``: the async publisher's pools used to bypass it.

    The vendor's host does not resolve: only a request sent to the proxy reaches an answer.
    """
    post = Post(text="hi", media=["https://cdn.example.com/v.mp4"], targets=[Target("tiktok", "acc-1")])
    async with CountingServer(delay=0) as proxy:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        adapter = FakeAdapter("http://vendor.invalid")
        if kind == "sync":
            with Publisher(adapter, Secret(KEY)) as pub:
                report = await asyncio.to_thread(pub.publish, post)
        else:
            async with AsyncPublisher(adapter, Secret(KEY)) as apub:
                report = await apub.publish(post)
    assert report.ok, report.failed
    assert proxy.request_lines == [b"POST http://vendor.invalid/posts HTTP/1.1"]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_socks_proxy_without_its_package_is_a_configuration_error(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx's raw ImportError crossed ``Publisher()``; it says the same as a postmux error."""
    monkeypatch.setitem(sys.modules, "socksio", None)  # not installed (an import of it fails)
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    cls = Publisher if kind == "sync" else AsyncPublisher
    with pytest.raises(ConfigurationError, match="httpx\\[socks\\]"):
        cls(FakeAdapter(), Secret(KEY))


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


def test_the_sync_publisher_pools_share_the_async_ones_ssl_context() -> None:
    from postmux.connections import default_ssl_context

    with Publisher(FakeAdapter(), Secret(KEY), max_concurrency=120) as pub:
        transport = pub.client._transport
        assert isinstance(transport, ShardedTransport)
        assert sum(shard_limit(s) for s in transport.shards) >= 120  # one connection per batch at least
        contexts = {id(shard._pool._ssl_context) for shard in transport.shards}  # type: ignore[attr-defined]
        assert contexts == {id(default_ssl_context())}


def shard_limit(shard: httpx.BaseTransport) -> int:
    """How many connections one of a sync transport's pools keeps (all of them alive)."""
    pool = shard._pool  # type: ignore[attr-defined]
    assert pool._max_keepalive_connections == pool._max_connections
    limit: int = pool._max_connections
    return limit


def test_connections_are_let_go_before_a_common_server_closes_them() -> None:
    """A connection kept as long as the server keeps it may be reused as the server closes it."""
    import uvicorn

    from postmux.connections import KEEPALIVE_EXPIRY, kept_alive

    server_idle = uvicorn.Config("unused:app").timeout_keep_alive  # the sandbox's server; Node.js: 5 s too
    assert server_idle > KEEPALIVE_EXPIRY
    assert kept_alive(8).keepalive_expiry == KEEPALIVE_EXPIRY


async def test_only_the_pools_that_sent_are_closed_and_their_connections_with_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sending one request at a time uses one pool of 25; closing the 24 unused ones cost ~1.5 ms."""
    closed: list[int] = []
    original = httpx.AsyncHTTPTransport.aclose

    async def counted(self: httpx.AsyncHTTPTransport) -> None:
        closed.append(id(self))
        await original(self)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "aclose", counted)
    await ShardedAsyncTransport(100).aclose()
    assert closed == []  # none sent on: no connection to close
    async with CountingServer(delay=0) as server:
        transport = ShardedAsyncTransport(100)
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get(server.url + "/x")).status_code == 200
            assert (await client.get(server.url + "/y")).status_code == 200
        assert closed == [id(transport.shards[0])]  # the one pool that sent, closed with its connection
        for _ in range(50):  # the server sees the connection go
            if server.closed_by_client:
                break
            await asyncio.sleep(0.01)
        assert (server.connections, server.closed_by_client) == (1, 1)


def test_an_apps_factory_has_every_pool_closed() -> None:
    made: list[httpx.MockTransport] = []
    closed: list[httpx.MockTransport] = []

    class Pool(httpx.MockTransport):
        def close(self) -> None:
            closed.append(self)

    def make(size: int) -> httpx.BaseTransport:
        made.append(Pool(lambda request: httpx.Response(204)))
        return made[-1]

    transport = ShardedTransport(8, shard_size=4, factory=make)
    transport.close()
    assert len(made) == 2
    assert closed == made  # unused, each closed all the same


def test_an_async_publisher_run_under_one_asyncio_run_after_another_does_not_send_on_the_old_loops_connection(
    threaded_server: CountingServer,
) -> None:
    """A sync app that awaits a shared AsyncPublisher with ``asyncio.run`` per call.

    The connection kept alive by the first call belongs to a loop that is closed: a request
    sent on it would go out (the socket still writes) and its answer never be read (the dead
    loop reads it), so a publish the vendor made would wait out its timeout and come back
    ``unknown``, as a plugin error. Each call sends on a connection of its own loop.
    """
    post = Post(text="hi", media=["https://cdn.example.com/v.mp4"], targets=[Target("tiktok", "acc-1")])
    pub = AsyncPublisher(FakeAdapter(threaded_server.url), Secret(KEY), timeout=3)
    statuses = []
    for _ in range(3):
        started = time.monotonic()
        (result,) = asyncio.run(pub.publish(post))
        statuses.append((result.status.value, result.error, time.monotonic() - started < 2))
    assert statuses == [("published", None, True)] * 3
    assert threaded_server.answered == 3  # each sent once
    asyncio.run(pub.aclose())  # under a loop of its own too: the old loops' connections closed quietly
