"""What the fetch-policy tests share: an internal service on loopback and a transport that records attempts.

No test here opens a socket to any address outside 127.0.0.0/8 (or ``::1``):
names are resolved by injected resolvers, and :class:`Routing` sends only
requests for a loopback address over the real network. Any other request is
recorded as an *attempt* and answered from a script without a socket, so a
test that expects a refusal fails on the attempt itself.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
from collections.abc import Callable, Mapping, Sequence

import httpx

from postmux import FetchPolicy, MediaKind, Secret
from postmux.drivers import AsyncDriver, RetryPolicy, SyncDriver
from postmux.flow import Flow, media_request
from postmux.testing.servers import VIDEO, Answer, InternalService

__all__ = ["VIDEO", "Answer", "InternalService", "Routing", "fetch", "resolver"]

from .fakes import KEY, FakeAdapter

Handler = Callable[[httpx.Request], httpx.Response]


def _loopback(request: httpx.Request) -> bool:
    try:
        return ipaddress.ip_address(request.url.host).is_loopback
    except ValueError:
        return False  # a name: never looked up here, and never sent


class Routing(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Loopback addresses over the real network; anything else recorded and answered by ``outside``."""

    def __init__(self, outside: Handler | None = None) -> None:
        self.outside = outside or (
            lambda r: httpx.Response(200, content=VIDEO, headers={"Content-Type": "video/mp4"})
        )
        self.attempts: list[httpx.Request] = []
        self._real = httpx.HTTPTransport()
        self._areal = httpx.AsyncHTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if _loopback(request):
            return self._real.handle_request(request)
        self.attempts.append(request)
        return self.outside(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if _loopback(request):
            return await self._areal.handle_async_request(request)
        self.attempts.append(request)
        return self.outside(request)


def resolver(
    table: Mapping[str, Sequence[str]], calls: list[str] | None = None
) -> Callable[[str, int], list[str]]:
    """An injected resolver answering from ``table`` (an unknown name fails the test loudly)."""

    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return list(table[host])

    return resolve


def download(url: str, sink: io.BytesIO, kind: MediaKind | None) -> Flow[httpx.Response]:
    response = yield media_request(url, sink, medium="media[0]", kind=kind)
    return response


def fetch(
    mode: str,
    policy: FetchPolicy,
    url: str,
    routing: Routing,
    *,
    kind: MediaKind | None = MediaKind.VIDEO,
    follow_redirects: bool = False,
) -> tuple[httpx.Response, bytes]:
    """Download ``url`` on the ``sync`` or ``async`` driver under ``policy``: the response and the body.

    ``follow_redirects`` is the client's setting (an app's client may follow redirects).
    """
    sink = io.BytesIO()
    retry = RetryPolicy(max_retries=0)
    if mode == "sync":
        with httpx.Client(transport=routing, follow_redirects=follow_redirects) as client:
            response = SyncDriver(FakeAdapter(), Secret(KEY), client, retry, fetch=policy).run(
                download(url, sink, kind)
            )
        return response, sink.getvalue()

    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=routing, follow_redirects=follow_redirects) as client:
            driver = AsyncDriver(FakeAdapter(), Secret(KEY), client, retry, fetch=policy)
            return await driver.run(download(url, sink, kind))

    return asyncio.run(main()), sink.getvalue()
