"""The emulators in the test's own process: an httpx transport that calls their ASGI apps.

``sandbox.transport("wahdx")`` is given to ``httpx.Client(transport=…)`` or
``httpx.AsyncClient(transport=…)``: no socket is opened and no thread is
started. A request goes to the app whose origin its ``Host`` header names (a
media download postmux pinned to an address keeps the name there), so one
transport serves the vendor's emulator and the sandbox's media host; any other
host is an :class:`httpx.ConnectError`, as an unreachable one would be —
nothing leaves the process.

The async client awaits the app on its own event loop, as
:class:`httpx.ASGITransport` does. The sync client has no loop, so each
request runs the app to its end on a private event loop made for it (the
emulators keep their state behind locks, and their time comes from the
sandbox's :class:`~postmux.sandbox.Clock`, not from any loop). The apps need
no lifespan (uvicorn serves them with ``lifespan="off"`` too); a background
task a handler adds runs before the response is handed back, as Starlette
runs it after sending the body. A ``drop-before`` or ``drop-after`` fault,
which on a socket closes the connection, ends the app without an answer:
the client gets :class:`httpx.RemoteProtocolError`, as it would from a
server that hung up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

__all__ = ["InProcessTransport"]

App = Callable[..., Any]
Message = MutableMapping[str, Any]


class InProcessTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Sends each request to the ASGI app of its origin, in this process (sync and async).

    ``apps`` is called for every request and returns ``{netloc: app}``
    (``127.0.0.1:8001``), so the transport follows a sandbox whose origins
    change when it starts serving.
    """

    def __init__(self, apps: Callable[[], Mapping[str, App]], name: str = "sandbox") -> None:
        self._apps = apps
        self._name = name

    def __repr__(self) -> str:
        return f"<InProcessTransport {self._name}>"

    def _app_for(self, request: httpx.Request) -> App:
        netloc = request.headers.get("host") or request.url.netloc.decode("ascii")
        apps = self._apps()
        app = apps.get(netloc.lower()) or apps.get(_with_default_port(netloc, request.url.scheme))
        if app is None:
            raise httpx.ConnectError(
                f"{netloc} is not served by the in-process {self._name} "
                f"(it serves {', '.join(sorted(apps)) or 'nothing'}; nothing leaves the process)",
                request=request,
            )
        return app

    # -- sync: a private loop per request --------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        app = self._app_for(request)
        body = request.read()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError(
                "a sync httpx.Client on the in-process sandbox transport was used inside a running "
                "event loop; use httpx.AsyncClient (sandbox.async_publisher) there"
            )
        loop = asyncio.new_event_loop()
        try:
            status, headers, content = loop.run_until_complete(_call(app, request, body))
        finally:
            loop.close()
        return _response(request, status, headers, content)

    # -- async: on the caller's loop --------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        app = self._app_for(request)
        body = await request.aread()
        status, headers, content = await _call(app, request, body)
        return _response(request, status, headers, content)

    def close(self) -> None:
        """Nothing to release: no connection was opened."""

    async def aclose(self) -> None:
        """Nothing to release: no connection was opened."""


def _with_default_port(netloc: str, scheme: str) -> str:
    if ":" in netloc.rsplit("]", 1)[-1]:
        return netloc.lower()
    return f"{netloc.lower()}:{443 if scheme == 'https' else 80}"


def _scope(request: httpx.Request) -> dict[str, Any]:
    url = urlsplit(str(request.url))
    host = request.headers.get("host") or url.netloc
    name, _, port = host.rpartition(":") if ":" in host.rsplit("]", 1)[-1] else (host, "", "")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": unquote(url.path) or "/",
        "raw_path": (url.path or "/").encode("ascii"),
        "query_string": url.query.encode("ascii"),
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": ("127.0.0.1", 50000),
        "server": (name, int(port) if port else (443 if url.scheme == "https" else 80)),
        "extensions": {},
    }


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


async def _call(app: App, request: httpx.Request, body: bytes) -> Answer:
    """Run ``app`` on one request to its end; (status, headers, body), or a hang-up."""
    sent_body = False
    started: Message = {}
    content = bytearray()

    async def receive() -> Message:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            content.extend(message.get("body", b""))

    await app(_scope(request), receive, send)
    if "status" not in started:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
    return int(started["status"]), list(started.get("headers", [])), bytes(content)


def _response(
    request: httpx.Request, status: int, headers: list[tuple[bytes, bytes]], content: bytes
) -> httpx.Response:
    kept = [(k, v) for k, v in headers if k.lower() != b"transfer-encoding"]
    return httpx.Response(status, headers=kept, content=content, request=request)
