"""Sending through the transport of a client postmux made itself, past httpx's per-request layers.

``Client.send`` runs every request through an auth flow, a redirect loop,
event hooks and cookie extraction before it reaches the transport. A client
a publisher makes for itself has none of those to apply: no auth (the driver
adds the key), no hooks, no redirects followed. What ``send`` still does for
it is cheap to do here, and its cookie extraction (a ``http.cookiejar`` pass
over an e-mail message made of every response header, ~15 % of a sequential
publish's CPU in the profile) is needed only when the answer sets a cookie.
So :func:`send` and :func:`asend` do what ``client.send(request, stream=True)``
does — the same transport, the same bytes and headers on the wire, the
client's timeout, cookies kept when a vendor sets one, httpx's ``INFO`` log
line, ``response.request``, ``next_request`` on a redirect, ``elapsed`` once
the response is closed — and :func:`direct` says when that holds.

A client the app passed in is always sent through ``client.send``: its auth,
hooks and redirect policy apply as httpx applies them. So is one of the
publisher's own that was given any of them later, or whose ``send`` was
replaced (an instrumentation wrapper).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx

__all__ = ["asend", "direct", "send"]

_SYNC_SEND = httpx.Client.send
_ASYNC_SEND = httpx.AsyncClient.send
_USABLE = (
    all(getattr(f, "__wrapped__", None) is None for f in (_SYNC_SEND, _ASYNC_SEND))  # not wrapped already
    and hasattr(httpx.Client, "_transport_for_url")  # httpx 0.28's layout; any other: client.send
    and hasattr(httpx.AsyncClient, "_transport_for_url")
)
_httpx_log = logging.getLogger("httpx")
_COOKIE_HEADERS = ("set-cookie", "set-cookie2")  # what http.cookiejar reads; nothing else changes its jar


def direct(client: httpx.Client | httpx.AsyncClient) -> bool:
    """True when sending through ``client``'s transport does all ``client.send`` would do."""
    kind = type(client)
    if kind is httpx.Client:
        send, original = httpx.Client.send, _SYNC_SEND
    elif kind is httpx.AsyncClient:
        send, original = httpx.AsyncClient.send, _ASYNC_SEND  # type: ignore[assignment]
    else:  # a subclass may send its own way
        return False
    hooks = client.event_hooks
    return (
        _USABLE
        and send is original  # not replaced since postmux was imported
        and client.auth is None
        and not client.follow_redirects
        and not hooks["request"]
        and not hooks["response"]
    )


def _prepared(client: httpx.Client | httpx.AsyncClient, request: httpx.Request) -> None:
    if client.is_closed:
        raise RuntimeError("Cannot send a request, as the client has been closed.")
    if "timeout" not in request.extensions:  # what Client._set_timeout does
        request.extensions = {**request.extensions, "timeout": client.timeout.as_dict()}


class _Timed(httpx.SyncByteStream):
    """httpx's ``BoundSyncStream``: the response's ``elapsed`` is set when it is closed."""

    def __init__(self, stream: httpx.SyncByteStream, response: httpx.Response, start: float) -> None:
        self._stream, self._response, self._start = stream, response, start

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        self._response.elapsed = timedelta(seconds=time.perf_counter() - self._start)
        self._stream.close()


class _ATimed(httpx.AsyncByteStream):
    """httpx's ``BoundAsyncStream``: the response's ``elapsed`` is set when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, response: httpx.Response, start: float) -> None:
        self._stream, self._response, self._start = stream, response, start

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        self._response.elapsed = timedelta(seconds=time.perf_counter() - self._start)
        await self._stream.aclose()


def _received(
    client: httpx.Client | httpx.AsyncClient, request: httpx.Request, response: httpx.Response
) -> httpx.Response:
    response.request = request
    headers = response.headers
    if any(name in headers for name in _COOKIE_HEADERS):
        client.cookies.extract_cookies(response)
    if _httpx_log.isEnabledFor(logging.INFO):
        _httpx_log.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
    if response.has_redirect_location:  # not followed (direct() said so): httpx names where it points
        response.next_request = client._build_redirect_request(request, response)
    return response


def send(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    """``client.send(request, stream=True)`` for a client :func:`direct` accepts."""
    _prepared(client, request)
    transport = client._transport_for_url(request.url)
    start = time.perf_counter()
    if not isinstance(request.stream, httpx.SyncByteStream):
        raise RuntimeError("Attempted to send an async request with a sync Client instance.")
    try:
        response = transport.handle_request(request)
    except httpx.RequestError as exc:  # as httpx's request_context: the error names its request
        exc.request = request
        raise
    assert isinstance(response.stream, httpx.SyncByteStream)
    response.stream = _Timed(response.stream, response, start)
    return _received(client, request, response)


async def asend(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """``await client.send(request, stream=True)`` for a client :func:`direct` accepts."""
    _prepared(client, request)
    transport = client._transport_for_url(request.url)
    start = time.perf_counter()
    if not isinstance(request.stream, httpx.AsyncByteStream):
        raise RuntimeError("Attempted to send a sync request with an AsyncClient instance.")
    try:
        response = await transport.handle_async_request(request)
    except httpx.RequestError as exc:
        exc.request = request
        raise
    assert isinstance(response.stream, httpx.AsyncByteStream)
    response.stream = _ATimed(response.stream, response, start)
    return _received(client, request, response)
