"""Connection pools for many concurrent requests: several small pools instead of one large one.

httpcore's pool re-examines every connection it holds, and for each queued
request every connection again, whenever a request starts or a response
closes: with 100 connections that is thousands of checks (each idle one a
readability poll of its socket) per request, which measured 12-14 ms of CPU
a request for a 1,000-target fan-out at ``max_concurrency=100`` (see
``benchmarks/README.md``); each idle connection's check goes through
anyio's ``extra()``, which builds a dict of lambdas every call. httpx's
default pool also keeps only 20 idle connections, so above 20 concurrent
requests most requests open a new one.

:class:`ShardedAsyncTransport` keeps the same number of connections in
several pools of :data:`SHARD_SIZE` and sends each request to the pool with
the fewest requests in flight, so a pool never holds more than its share and
its bookkeeping stays small; every pool keeps all its connections alive.
Each pool reaches the network through :class:`postmux.netio.AsyncioBackend`
(asyncio's own transports instead of anyio's streams: the rest of a
request's CPU, with failures classified exactly as before).
:class:`~postmux.AsyncPublisher` uses it for the client it makes itself. An
app that passes its own ``httpx.AsyncClient`` can do the same with
``httpx.AsyncClient(transport=ShardedAsyncTransport(n))``.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import AsyncIterator, Callable
from functools import partial

import httpcore
import httpx

from .connections import DEFAULT_CONNECTIONS, KEEPALIVE_EXPIRY, default_ssl_context
from .netio import AsyncioBackend

__all__ = ["DEFAULT_CONNECTIONS", "SHARD_SIZE", "ShardedAsyncTransport", "default_ssl_context"]

SHARD_SIZE = 4
"""Connections per pool: small enough that a pool's bookkeeping is cheap.

Measured (1,000 requests at concurrency 100, 100 ms each, raw loopback
server): 3.5-3.9 ms of CPU a request in pools of 10, 2.1-3.0 ms in pools of
1 to 5; 4 keeps some room for a second host (a media CDN, an upload URL) in
each pool."""


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """Up to ``max_connections`` kept-alive connections, in pools of at most ``shard_size``.

    ``factory`` makes one pool from its connection limit (default: an
    :class:`httpx.AsyncHTTPTransport` keeping all of them alive).
    """

    def __init__(
        self,
        max_connections: int = 100,
        *,
        shard_size: int = SHARD_SIZE,
        factory: Callable[[int], httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        if max_connections < 1 or shard_size < 1:
            raise ValueError("max_connections and shard_size must be at least 1")
        count = math.ceil(max_connections / shard_size)
        size = math.ceil(max_connections / count)
        if factory is None:
            context = default_ssl_context()  # one for all pools (and publishers): see its docstring
            factory = partial(_http_transport, context=context)
        make = factory
        self.shard_size = size
        self.shards = [make(size) for _ in range(count)]
        self.in_flight = [0] * count
        """Requests each pool holds now: sent and not yet closed."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send on the least busy pool; it counts the request until its response is closed."""
        i = min(range(len(self.shards)), key=self.in_flight.__getitem__)
        self.in_flight[i] += 1
        try:
            response = await self.shards[i].handle_async_request(request)
        except BaseException:
            self.in_flight[i] -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Released(response.stream, lambda: self._release(i)),
            extensions=response.extensions,
        )

    def _release(self, i: int) -> None:
        self.in_flight[i] -= 1

    async def aclose(self) -> None:
        for shard in self.shards:
            await shard.aclose()


class _Released(httpx.AsyncByteStream):
    """A response body that tells its pool, once, when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._release is not None:
                self._release()
                self._release = None


def _http_transport(size: int, *, context: ssl.SSLContext) -> httpx.AsyncBaseTransport:
    """httpx's transport (its exception mapping and response streams) on a pool over :mod:`postmux.netio`."""
    transport = httpx.AsyncHTTPTransport(verify=context, limits=httpx.Limits(max_connections=size))
    # the arguments httpx gives its own pool for these limits, plus the backend
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=size,
        max_keepalive_connections=size,
        keepalive_expiry=KEEPALIVE_EXPIRY,
        network_backend=AsyncioBackend(),
    )
    return transport
