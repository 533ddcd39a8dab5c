"""An asyncio network backend for httpcore: the sockets under postmux's async pools, without anyio.

httpcore reaches the network through a backend; its default for asyncio is
anyio's, which on every read and write enters a cancel scope for the
timeout (``anyio.fail_after``), yields to the event loop once more, resumes
and pauses the socket's reading (two ``epoll_ctl`` calls a read) and, for
each idle connection the pool looks at, builds a dict of lambdas to find
the socket (``extra()``). Under a 1,000-target fan-out that was the largest
share of the client's CPU after the pool's own bookkeeping (see
``benchmarks/README.md``).

:class:`AsyncioBackend` does the same work on a plain :class:`asyncio.Protocol`:
reading stays on (paused only while more than :data:`READ_HIGH_WATER` bytes
wait unread, so a download never piles up in memory), a timeout is one
``call_later`` timer, and the socket's readability comes from what the
protocol has already seen (data, end of stream, a lost connection) before
it polls the socket.

The failure classification is httpcore's own, exactly, because postmux's
"was it sent?" reading rests on it (``drivers._NOT_SENT``):
``ConnectError``/``ConnectTimeout`` only while connecting or in the TLS
handshake, before any byte of a request is written; a connection lost
while writing is a ``WriteError`` (httpcore then reads the answer the
server may still have sent), while reading a ``ReadError``, a clean end of
stream ``b""`` (httpcore's "server disconnected"); timeouts are
``ReadTimeout``/``WriteTimeout``. TLS goes through ``loop.start_tls`` with
the ``server_hostname`` httpcore passes, so the ``sni_hostname`` extension
(the media download's address pinning) keeps working.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import ssl
from collections import deque
from collections.abc import Iterable
from typing import Any

import httpcore

__all__ = ["READ_HIGH_WATER", "AsyncioBackend", "AsyncioStream"]

HOLD_LIMIT = 16 * 1024
"""A write this short waits for the next write or read, so a request's head and body go as one."""

READ_HIGH_WATER = 256 * 1024
"""Unread bytes at which reading pauses until httpcore reads them (httpcore reads 64 KiB at a time)."""


class _Protocol(asyncio.Protocol):
    """What arrives on one connection, and the one task waiting for it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: deque[bytes | memoryview] = deque()
        self.buffered = 0
        """Bytes in :attr:`chunks`: what arrived and httpcore has not read yet."""
        self.eof = False
        self.lost = False
        self.error: BaseException | None = None
        self.reader: asyncio.Future[None] | None = None
        self.writer: asyncio.Future[None] | None = None
        self.paused_reading = False
        self.paused_writing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > READ_HIGH_WATER and self.transport is not None and not self.paused_reading:
            self.paused_reading = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool | None:
        self.eof = True
        self._wake_reader()
        return None  # let the transport close its side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.error = exc
        self._wake_reader()
        self._wake_writer()

    def pause_writing(self) -> None:
        self.paused_writing = True

    def resume_writing(self) -> None:
        self.paused_writing = False
        self._wake_writer()

    def _wake_reader(self) -> None:
        if self.reader is not None and not self.reader.done():
            self.reader.set_result(None)

    def _wake_writer(self) -> None:
        if self.writer is not None and not self.writer.done():
            self.writer.set_result(None)

    def take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of what arrived (copying only what it returns of a longer chunk)."""
        chunk = self.chunks.popleft()
        if len(chunk) > max_bytes:
            view = chunk if isinstance(chunk, memoryview) else memoryview(chunk)
            self.chunks.appendleft(view[max_bytes:])
            chunk = view[:max_bytes]
        self.buffered -= len(chunk)
        if self.paused_reading and self.buffered <= READ_HIGH_WATER and not self.lost:
            self.paused_reading = False
            assert self.transport is not None
            self.transport.resume_reading()
        return chunk if isinstance(chunk, bytes) else bytes(chunk)


def _timed_out(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


async def _wait(waiter: asyncio.Future[None], timeout: float | None) -> None:
    """Wait for ``waiter``; ``TimeoutError`` after ``timeout`` seconds (one timer, no task)."""
    if timeout is None:
        await waiter
        return
    timer = asyncio.get_running_loop().call_later(timeout, _timed_out, waiter)
    try:
        await waiter
    finally:
        timer.cancel()


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS, or Unix socket) connection, as httpcore reads and writes it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self._loop = asyncio.get_running_loop()
        """The loop whose selector reads this connection: another loop's task never sees its answers."""
        self._closed = False
        self._pending: bytes | None = None
        """A short write held back to go out with the next one (one segment for head and body)."""

    def _flush(self) -> None:
        """Send the held write; on a lost connection drop it (the read then reports the loss)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            if not self._protocol.lost and not self._transport.is_closing():
                self._transport.write(pending)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if self._closed:
            raise httpcore.ReadError("the connection is closed")
        self._flush()
        if not protocol.chunks and not protocol.eof and not protocol.lost:
            if protocol.reader is not None:
                raise httpcore.ReadError("another read is already waiting on this connection")
            protocol.reader = asyncio.get_running_loop().create_future()
            try:
                await _wait(protocol.reader, timeout)
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading the response") from None
            finally:
                protocol.reader = None
        if protocol.chunks:
            return protocol.take(max_bytes)
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__)
        return b""  # end of stream: httpcore reads it as the server disconnecting

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if self._closed or protocol.lost or self._transport.is_closing():
            raise httpcore.WriteError(_lost(protocol.error))
        pending = self._pending
        if pending is None and len(buffer) <= HOLD_LIMIT:
            self._pending = buffer  # a request's head: sent with its body, or before the first read
            return
        self._pending = None
        if pending is not None and len(buffer) <= HOLD_LIMIT:
            self._transport.write(pending + buffer)
        else:
            if pending is not None:
                self._transport.write(pending)
            self._transport.write(buffer)
        if protocol.paused_writing and not protocol.lost:
            protocol.writer = asyncio.get_running_loop().create_future()
            try:
                await _wait(protocol.writer, timeout)
            except TimeoutError:
                raise httpcore.WriteTimeout("timed out writing the request") from None
            finally:
                protocol.writer = None
        if protocol.lost:
            raise httpcore.WriteError(_lost(protocol.error))

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        transport = self._transport
        if transport.is_closing():
            return
        if not self._on_its_loop():  # kept alive by an earlier asyncio.run: its loop may be closed
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):  # the peer sees the end; the fd goes with the transport
                    sock.shutdown(socket.SHUT_RDWR)
            if not self._loop.is_closed():
                self._loop.call_soon_threadsafe(transport.abort)  # closed by its own loop, if it runs again
            return
        if transport.get_write_buffer_size():  # never linger on bytes the peer does not take
            transport.abort()
        else:
            transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):  # asyncio's own handshake timeout would read as lost
                transport = await loop.start_tls(
                    self._transport,
                    self._protocol,
                    ssl_context,
                    server_hostname=server_hostname,
                    ssl_handshake_timeout=None if timeout is None else timeout + 1,
                )
        except TimeoutError:
            await self.aclose()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        if transport is None:  # the connection closed during the handshake
            await self.aclose()
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        assert isinstance(transport, asyncio.Transport)
        self._protocol.transport = transport  # pause and resume reading on the TLS layer from now on
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._readable()
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None

    def _readable(self) -> bool:
        """True when a read would not wait: bytes or an end already seen, or waiting in the socket."""
        protocol = self._protocol
        if protocol.chunks or protocol.eof or protocol.lost or self._closed or not self._on_its_loop():
            return True  # a connection of another loop reads as gone: the pool opens one on this loop
        sock = self._transport.get_extra_info("socket")
        fd = -1 if sock is None else sock.fileno()
        if fd < 0:
            return True
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))

    def _on_its_loop(self) -> bool:
        """True when the running loop is the one this connection was made on.

        An ``AsyncPublisher`` awaited under one ``asyncio.run`` after another (a sync app's
        way to call it) finds the connections the earlier loop kept alive: a request written
        on one goes out, but its answer is read by that loop's selector, which never runs
        again, so a publish the vendor made would wait out its timeout and come back ``unknown``.
        """
        return asyncio._get_running_loop() is self._loop


def _lost(error: BaseException | None) -> str:
    return f"the connection was lost: {error}" if error else "the connection was closed"


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's own transports (see the module's docstring)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        protocol = _Protocol()
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                transport, _ = await loop.create_connection(
                    lambda: protocol, host, port, local_addr=local, happy_eyeballs_delay=0.25
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        return _stream(transport, protocol, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        protocol = _Protocol()
        try:
            async with asyncio.timeout(timeout):
                transport, _ = await loop.create_unix_connection(lambda: protocol, path)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {path}") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        return _stream(transport, protocol, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _stream(
    transport: asyncio.BaseTransport, protocol: _Protocol, options: Iterable[httpcore.SOCKET_OPTION] | None
) -> AsyncioStream:
    assert isinstance(transport, asyncio.Transport)
    sock: socket.socket | None = transport.get_extra_info("socket")
    if sock is not None:
        for option in options or ():
            sock.setsockopt(*option)
    return AsyncioStream(transport, protocol)
