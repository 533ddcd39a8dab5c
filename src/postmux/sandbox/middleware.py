"""Fault injection as ASGI middleware, and the means to drop a connection mid-request.

ASGI has no "hang up" message, and an application that returns without
answering gets a polite 500 from the server. To drop a connection as a real
network would, the sandbox serves with a protocol that remembers each
connection's transport by peer address (:func:`dropping_protocol`: uvicorn's
httptools parser where ``httptools`` is installed, its h11 one otherwise);
the middleware aborts that transport. Whatever the emulator does is unchanged
by the middleware except where a fault says so.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .faults import Fault, FaultKind

if TYPE_CHECKING:
    from .emulator import Emulator

__all__ = ["SCOPE_FAULT", "DroppingH11Protocol", "FaultMiddleware", "dropping_protocol"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SCOPE_FAULT = "postmux.fault"
"""Scope key carrying a fault the emulator applies to what it creates (stuck, fail)."""

_transports: dict[tuple[Any, Any], asyncio.Transport] = {}
_transports_lock = threading.Lock()


class _Remembering(asyncio.Protocol):
    """Keeps each connection's transport by (server, client) address while it is open."""

    server: Any
    client: Any

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        with _transports_lock:
            _transports[(self.server, self.client)] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        with _transports_lock:
            _transports.pop((self.server, self.client), None)
        super().connection_lost(exc)


class DroppingH11Protocol(_Remembering, H11Protocol):
    """uvicorn's h11 protocol, remembering transports so a fault can abort one."""


@functools.cache
def dropping_protocol() -> type[asyncio.Protocol]:
    """The protocol the sandbox serves with: uvicorn's httptools one where ``httptools`` is installed.

    Both parse HTTP/1.1 for the same ASGI app; httptools (C, uvicorn's own
    choice when present) costs the server about a third less CPU a request
    than h11, which under a 1,000-request fan-out is CPU the client on the
    same machine gets back (``benchmarks/README.md``, fifth pass).
    """
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return DroppingH11Protocol

    class DroppingHttpToolsProtocol(_Remembering, HttpToolsProtocol):
        """uvicorn's httptools protocol, remembering transports so a fault can abort one."""

    return DroppingHttpToolsProtocol


async def _drop(scope: Scope) -> None:
    server, client = scope.get("server"), scope.get("client")
    with _transports_lock:
        transport = _transports.get((tuple(server) if server else None, tuple(client) if client else None))
    if transport is not None:
        transport.abort()
    for _ in range(3):  # let connection_lost run, so the server sends nothing more
        await asyncio.sleep(0)


HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>{status} {reason}</title></head><body>"
    "<center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>"
)
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FaultMiddleware:
    """Applies the emulator's fault plan to each request, before and after the emulator runs."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        emulator = self.emulator
        path: str = scope["path"]
        paths = [path]
        if emulator.base_path and path.startswith(emulator.base_path):
            paths.append(path[len(emulator.base_path) :] or "/")
        with emulator.lock:
            emulator.arrivals.append((scope["method"], path))
        roles = emulator.roles_of(scope["method"], path)
        faults = emulator.faults.pick(emulator.provider, scope["method"], paths, emulator.rng, roles)
        action: Fault | None = None
        for fault in faults:
            if fault.kind is FaultKind.LATENCY:
                await asyncio.sleep(fault.delay(emulator.rng))
            else:
                action = fault
        if action is None:
            await self.app(scope, receive, send)
            return
        kind = action.kind
        if kind is FaultKind.DROP_BEFORE:
            await _drop(scope)
        elif kind.is_status:
            await self._status(action, send, paths[-1])
        elif kind is FaultKind.HTML:
            await self._html(action.status or 502, send)
        elif kind is FaultKind.DROP_AFTER:
            await self._captured(scope, receive)
            await _drop(scope)
        elif kind is FaultKind.TRUNCATED:
            await self._truncated(scope, receive, send)
        else:  # stuck, fail: the emulator applies them to what it creates
            scope[SCOPE_FAULT] = action
            await self.app(scope, receive, send)

    async def _status(self, fault: Fault, send: Send, path: str) -> None:
        status = int(fault.kind.value)
        headers: dict[str, str] = {}
        retry = fault.retry_after if fault.retry_after is not None else (1.0 if status == 429 else None)
        if retry is not None:
            headers["retry-after"] = f"{retry:g}"
        messages = {
            429: "Too many requests, slow down",
            500: "Internal server error",
            502: "Bad gateway",
            503: "Service temporarily unavailable",
        }
        status_body, content_type = self.emulator.error_payload(status, messages[status], path=path)
        await _respond(send, status, status_body, content_type, headers)

    async def _html(self, status: int, send: Send) -> None:
        page = HTML_PAGE.format(status=status, reason=_REASONS.get(status, "Error"))
        await _respond(send, status, page.encode(), "text/html", {})

    async def _captured(self, scope: Scope, receive: Receive) -> tuple[int, list[Any], bytes]:
        """Run the emulator and keep its answer instead of sending it."""
        start: Message = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(scope, receive, capture)
        return int(start.get("status", 500)), list(start.get("headers", [])), bytes(body)

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, headers, body = await self._captured(scope, receive)
        cut = body[: max(1, len(body) // 2)] if body else b'{"'
        kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        kept.append((b"content-length", str(len(cut)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": kept})
        await send({"type": "http.response.body", "body": cut})


async def _respond(send: Send, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
    raw = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def json_bytes(data: Any) -> bytes:
    """Compact JSON, as the vendors send it."""
    return json.dumps(data, separators=(",", ":")).encode()
