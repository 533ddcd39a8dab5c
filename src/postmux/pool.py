"""Connection pools for many concurrent requests: several small pools instead of one large one.

httpcore's pool re-examines every connection it holds, and for each queued
request every connection again, whenever a request starts or a response
closes: with 100 connections that is thousands of checks (each idle one a
readability poll of its socket) per request, which measured 12-14 ms of CPU
a request for a 1,000-target async fan-out at ``max_concurrency=100`` and
6.2-6.5 ms for a sync one (against 1.8-2.1 ms in pools of 4; see
``benchmarks/README.md``); each idle connection's async check goes through
anyio's ``extra()``, which builds a dict of lambdas every call. httpx's
default pool avoids part of that by keeping only 20 idle connections, so
above 20 concurrent requests most requests open a new one, and its sync
pool then races (``postmux.connections`` says how a sent request is lost).

:class:`ShardedTransport` and :class:`ShardedAsyncTransport` keep the same
number of connections in several pools of :data:`SHARD_SIZE` and send each
request to the pool with the fewest requests in flight, so a pool never
holds more than its share and its bookkeeping stays small; every pool keeps
all its connections alive. The async pools reach the network through
:class:`postmux.netio.AsyncioBackend` (asyncio's own transports instead of
anyio's streams: the rest of a request's CPU, with failures classified
exactly as before). The publishers use them for the clients they make
themselves. An app that passes its own client can do the same with
``httpx.Client(transport=ShardedTransport(n))`` or
``httpx.AsyncClient(transport=ShardedAsyncTransport(n))``.

This module imports no asyncio until an async pool is made: a sync
publisher needs none.
"""

from __future__ import annotations

import math
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Generic, TypeVar

import httpcore
import httpx

from .connections import DEFAULT_CONNECTIONS, KEEPALIVE_EXPIRY, default_ssl_context, kept_alive

__all__ = [
    "DEFAULT_CONNECTIONS",
    "SHARD_SIZE",
    "ShardedAsyncTransport",
    "ShardedTransport",
    "default_ssl_context",
]

SHARD_SIZE = 4
"""Connections per pool: small enough that a pool's bookkeeping is cheap.

Measured (1,000 requests at concurrency 100, 100 ms each, raw loopback
server): 3.5-3.9 ms of CPU a request in pools of 10, 2.1-3.0 ms in pools of
1 to 5; 4 keeps some room for a second host (a media CDN, an upload URL) in
each pool."""

P = TypeVar("P")


class _Shards(Generic[P]):
    """The pools of a sharded transport and how many requests each holds: the least busy takes the next."""

    def __init__(
        self,
        max_connections: int,
        shard_size: int,
        factory: Callable[[int], P] | None,
        default: Callable[..., P],
    ) -> None:
        """``factory`` makes one pool from its limit; ``None``: ``default`` on the process's SSL context."""
        if max_connections < 1 or shard_size < 1:
            raise ValueError("max_connections and shard_size must be at least 1")
        self.own_pools = factory is None
        """True for the default factory's pools: those never sent on are not closed (see ``_to_close``)."""
        if factory is None:
            context = default_ssl_context()  # one for all pools (and publishers): see its docstring
            factory = partial(default, context=context)
        count = math.ceil(max_connections / shard_size)
        self.shard_size = math.ceil(max_connections / count)
        self.shards = [factory(self.shard_size) for _ in range(count)]
        self.in_flight = [0] * count
        """Requests each pool holds now: sent and not yet closed."""
        self.sent_on = [False] * count
        """Whether a request was ever sent on each pool (one never used holds no connection)."""

    def _take(self) -> int:
        i = min(range(len(self.shards)), key=self.in_flight.__getitem__)
        self.in_flight[i] += 1
        self.sent_on[i] = True
        return i

    def _to_close(self) -> list[P]:
        """The pools to close: all of a factory's, only those sent on of postmux's own httpx pools.

        An httpx pool that never sent a request holds no connection, and closing
        one costs ~60 µs (httpcore's shielded cancel scope): a default async
        publisher's 25, closed unused, were ~1.5 ms of every short-lived
        publisher (one a job, one an ``asyncio.run``), which sends on one pool
        when it sends one request at a time. An app's factory may hold other
        resources, so its pools are all closed.
        """
        if not self.own_pools:
            return list(self.shards)
        return [shard for shard, sent in zip(self.shards, self.sent_on, strict=True) if sent]

    def _release(self, i: int) -> None:
        self.in_flight[i] -= 1


class ShardedTransport(_Shards[httpx.BaseTransport], httpx.BaseTransport):
    """Up to ``max_connections`` kept-alive connections, in pools of at most ``shard_size``, for threads.

    ``factory`` makes one pool from its connection limit (default: an
    :class:`httpx.HTTPTransport` keeping all of them alive).
    """

    def __init__(
        self,
        max_connections: int = DEFAULT_CONNECTIONS,
        *,
        shard_size: int = SHARD_SIZE,
        factory: Callable[[int], httpx.BaseTransport] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        super().__init__(max_connections, shard_size, factory, _sync_http_transport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send on the least busy pool; it counts the request until its response is closed."""
        with self._lock:
            i = self._take()
        try:
            response = self.shards[i].handle_request(request)
        except BaseException:
            self._release(i)
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        return _counted(response, _Released(response.stream, partial(self._release, i)))

    def _release(self, i: int) -> None:
        with self._lock:
            super()._release(i)

    def close(self) -> None:
        with self._lock:
            shards = self._to_close()
        for shard in shards:
            shard.close()


class ShardedAsyncTransport(_Shards[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport):
    """Up to ``max_connections`` kept-alive connections, in pools of at most ``shard_size``.

    ``factory`` makes one pool from its connection limit (default: an
    :class:`httpx.AsyncHTTPTransport` keeping all of them alive). Its counts
    need no lock: an event loop runs one task at a time.
    """

    def __init__(
        self,
        max_connections: int = DEFAULT_CONNECTIONS,
        *,
        shard_size: int = SHARD_SIZE,
        factory: Callable[[int], httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        super().__init__(max_connections, shard_size, factory, _http_transport)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send on the least busy pool; it counts the request until its response is closed."""
        i = self._take()
        try:
            response = await self.shards[i].handle_async_request(request)
        except BaseException:
            self._release(i)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return _counted(response, _AsyncReleased(response.stream, partial(self._release, i)))

    async def aclose(self) -> None:
        for shard in self._to_close():
            await shard.aclose()


def _counted(response: httpx.Response, body: httpx.SyncByteStream | httpx.AsyncByteStream) -> httpx.Response:
    """``response`` with ``body``, the stream that gives its pool's place back once closed."""
    return httpx.Response(
        response.status_code, headers=response.headers, stream=body, extensions=response.extensions
    )


class _Released(httpx.SyncByteStream):
    """A response body that tells its pool, once, when it is closed."""

    def __init__(self, stream: httpx.SyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            if self._release is not None:
                self._release()
                self._release = None


class _AsyncReleased(httpx.AsyncByteStream):
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


def _sync_http_transport(size: int, *, context: ssl.SSLContext) -> httpx.BaseTransport:
    """httpx's own transport and pool, every connection kept alive."""
    return httpx.HTTPTransport(verify=context, limits=kept_alive(size))


def _http_transport(size: int, *, context: ssl.SSLContext) -> httpx.AsyncBaseTransport:
    """httpx's transport (its exception mapping and response streams) on a pool over :mod:`postmux.netio`."""
    from .netio import AsyncioBackend  # asyncio: only once an async pool is made

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
