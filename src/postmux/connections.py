"""The settings of the client a publisher makes for itself, sync and async alike.

Both publishers keep one connection per concurrent batch (at least httpx's
own 100) and keep every one of them alive between requests, share one SSL
context a process, and go through a proxy the environment names, as a
plain ``httpx.Client()`` would. The pools that hold those connections are
:mod:`postmux.pool`'s. An app that passes its own client decides all of
this itself.

Keeping every connection alive matters beyond speed. httpx's default keeps
20 of its 100 connections idle: above 20 concurrent requests the pool
closes the surplus as responses end and opens new ones for the next
requests, and httpcore's sync pool can close, in that clean-up, a connection
it has just handed to a waiting thread (encode/httpcore#1110). That
thread's request, already sent, then fails with "Bad file descriptor" or
waits out its read timeout: a sync fan-out at ``max_concurrency=100`` saw
such failures in one or two requests out of 1,000 (``benchmarks/README.md``).
With no surplus there is no such clean-up.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Callable
from typing import TypeVar
from urllib.request import getproxies

import httpx

from .errors import ConfigurationError

__all__ = [
    "DEFAULT_CONNECTIONS",
    "KEEPALIVE_EXPIRY",
    "connection_count",
    "default_ssl_context",
    "environment_proxy",
    "kept_alive",
    "make_client",
]

C = TypeVar("C")
T = TypeVar("T")

KEEPALIVE_EXPIRY = 4.0
"""Seconds an idle connection is kept: a second less than httpx's default.

Many servers close a connection idle for 5 s (uvicorn's and Node.js's
default). A client that keeps it exactly as long reuses some connections in
the moment the server closes them, and the request sent on one fails after
sending ("Server disconnected without sending a response"): a publish left
``unknown``. Letting go first costs a reconnect at most."""

DEFAULT_CONNECTIONS = 100
"""httpx's own default limit, kept when ``max_concurrency`` is lower."""

_CONTEXT_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE")
"""What httpx's (and Python's) default context reads from the environment when it is made."""
_contexts: dict[tuple[str | None, ...], ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def default_ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context, made once a process for the same certificate settings.

    Making one loads the CA bundle: 20-50 ms of CPU on the benchmark machine,
    about half of what making an :class:`~postmux.AsyncPublisher` cost, paid
    again by every short-lived publisher (one per web request, per job). A
    context keeps no per-connection state and is safe to share, so every
    pool of every publisher made here uses the same one; it is made afresh
    when ``SSL_CERT_FILE``, ``SSL_CERT_DIR`` or ``SSLKEYLOGFILE`` differ from
    those it was made with.
    """
    key = tuple(os.environ.get(name) for name in _CONTEXT_ENV)
    with _contexts_lock:
        context = _contexts.get(key)
        if context is None:
            context = _contexts[key] = httpx.create_ssl_context()
    return context


def connection_count(max_concurrency: int) -> int:
    """The connections a publisher's own client may open: one per concurrent batch, at least 100."""
    return max(max_concurrency, DEFAULT_CONNECTIONS)


def kept_alive(connections: int) -> httpx.Limits:
    """Up to ``connections`` connections, every one kept alive when idle (see the module's docstring)."""
    return httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=KEEPALIVE_EXPIRY
    )


def environment_proxy() -> bool:
    """Whether the environment names a proxy httpx would send through (``HTTPS_PROXY``, ``ALL_PROXY``…).

    httpx reads those variables only for a client it makes its own transports
    for: given a transport, it sends straight to the host. A publisher that
    would give its client a transport of its own (the async one's pools)
    therefore leaves that to httpx when a proxy is named.
    """
    proxies = getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def make_client(
    client_class: Callable[..., C],
    sharded: Callable[[int], T],
    transport: T | None,
    *,
    max_concurrency: int,
    timeout: httpx.Timeout | float,
) -> C:
    """The client a publisher makes itself: ``httpx.Client`` or ``AsyncClient`` (``client_class``).

    Given no ``transport``, its connections go in ``sharded(n)`` (the pools of
    :mod:`postmux.pool`: one httpx pool costs CPU and races); behind a proxy
    the environment names, in httpx's own pools, which go through it, with
    every connection kept alive and the shared SSL context all the same.
    """
    connections = connection_count(max_concurrency)
    if transport is None and not environment_proxy():
        transport = sharded(connections)
    if transport is not None:
        return client_class(timeout=timeout, transport=transport)
    try:
        return client_class(timeout=timeout, limits=kept_alive(connections), verify=default_ssl_context())
    except ImportError as exc:  # a proxy scheme whose package is not installed (socks5:// without socksio)
        raise ConfigurationError(f"the proxy the environment names cannot be used: {exc}") from None
