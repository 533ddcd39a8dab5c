"""Nothing to find the key with (issue 10): no object reachable from an error or a publication holds it.

Every error path a publish or a status read can take (4xx, 5xx, a network
failure before and after sending, a timeout, an unreadable body, a body that
echoes the key), sync and async: the whole object graph reachable from the
raised error, the publication and its ``exception`` is walked with
:func:`gc.get_referents` (so ``__cause__``, ``__context__``, ``args``, every
attribute and slot, httpx requests, responses and their headers) and no string
or bytes in it may contain the key. Frames and tracebacks are not followed:
they lead to the whole running program, the test's own locals included. A
:class:`~postmux.Secret` is the one holder allowed, and is not opened.
"""

from __future__ import annotations

import gc
import types
from collections.abc import Iterable
from typing import Any

import httpx
import pytest

import postmux
from postmux import AsyncPublisher, Publication, Publisher, Secret, Status, Target

from .fakes import KEY, FakeAdapter, Vendor, video_post

SKIP = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.CodeType,
    types.FrameType,
    types.TracebackType,
    Secret,
)
NEEDLES = (KEY, KEY.encode())


def leaks(roots: Iterable[object], limit: int = 200_000, needles: tuple[str, bytes] = NEEDLES) -> list[str]:
    """A path to every string or bytes reachable from ``roots`` that holds the key (or ``needles``)."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[object, str]] = [(root, type(root).__name__) for root in roots]
    while stack and len(seen) < limit:
        obj, path = stack.pop()
        if id(obj) in seen or isinstance(obj, SKIP):
            continue
        seen.add(id(obj))
        if isinstance(obj, str | bytes | bytearray | memoryview):
            text, raw = needles
            if text in obj if isinstance(obj, str) else raw in bytes(obj):
                found.append(path)
            continue
        extra: list[object] = []
        if isinstance(obj, BaseException):  # not all of these are gc referents of an exception
            extra = [obj.__cause__, obj.__context__, obj.args, getattr(obj, "__dict__", None)]
        for child in [*gc.get_referents(obj), *extra]:
            if child is not None:
                stack.append((child, f"{path}>{type(child).__name__}"))
    assert len(seen) < limit, "the walk did not end: something reachable is far too big"
    return found


ECHO = {"message": f"key {KEY} is wrong", "headers": {"Authorization": f"Bearer {KEY}"}}
PATHS: dict[str, Any] = {
    "401": httpx.Response(401, json=ECHO),
    "422": httpx.Response(422, json=ECHO),
    "500": httpx.Response(500, json=ECHO),
    "503": httpx.Response(503, headers={"Retry-After": "0"}, json=ECHO),
    "html": httpx.Response(200, text=f"<html>{KEY}</html>"),
    "badjson": httpx.Response(200, json={"id": 7, "status": KEY}),
    "refused": httpx.ConnectError("connection refused"),
    "read-timeout": httpx.ReadTimeout("read timed out"),
    "dropped": httpx.RemoteProtocolError("peer closed connection without sending a response"),
    "pool": httpx.PoolTimeout("no connection free"),
}


def route(name: str) -> Vendor:
    return Vendor({"POST /posts": PATHS[name], "GET /posts/p-1": PATHS[name]})


def followed() -> Publication:
    return Publication(target=Target("tiktok", "a"), provider="fake", status=Status.PROCESSING, id="p-1")


NO_RETRY = postmux.RetryPolicy(max_retries=0)


@pytest.mark.parametrize("name", sorted(PATHS))
def test_no_error_path_leaves_the_key_reachable(name: str) -> None:
    vendor = route(name)
    with Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), retry=NO_RETRY) as pub:
        report = pub.publish(video_post("tiktok:a"))
        with pytest.raises(postmux.PostmuxError) as raised:
            pub.status(followed())
    assert vendor.requests, "the request went out"
    (publication,) = report
    assert publication.exception is not None
    assert leaks([report, publication, publication.exception, raised.value]) == []


@pytest.mark.parametrize("name", sorted(PATHS))
async def test_async_no_error_path_leaves_the_key_reachable(name: str) -> None:
    vendor = route(name)
    async with AsyncPublisher(
        FakeAdapter(), Secret(KEY), client=vendor.async_client(), retry=NO_RETRY
    ) as pub:
        report = await pub.publish(video_post("tiktok:a"))
        with pytest.raises(postmux.PostmuxError) as raised:
            await pub.status(followed())
    (publication,) = report
    assert publication.exception is not None
    assert leaks([report, publication, publication.exception, raised.value]) == []


def test_the_context_of_a_network_error_holds_no_request() -> None:
    """``raise … from None`` hid httpx's exception but kept it (and its request) as ``__context__``."""
    vendor = route("read-timeout")
    pub = Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), retry=NO_RETRY)
    with pub, pytest.raises(postmux.TransportError) as raised:
        pub.status(followed())
    assert raised.value.__context__ is None
    assert raised.value.__cause__ is None


def test_the_vendor_still_gets_the_key_and_a_response_kept_by_a_plugin_does_not_hold_it() -> None:
    seen: list[str] = []
    kept: list[httpx.Response] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json={"id": "p-1", "status": "published"})

    class Keeping(FakeAdapter):
        def status(self, publication: Publication) -> Any:
            response = yield self.request("GET", f"/posts/{publication.id}")
            kept.append(response)
            return publication

    vendor = Vendor({"GET /posts/p-1": answer})
    with Publisher(Keeping(), Secret(KEY), client=vendor.client()) as pub:
        pub.status(followed())
    assert seen == [f"Bearer {KEY}"]
    assert leaks(kept) == []
    assert not hasattr(pub.driver, "_auth")  # the driver holds the key only as its Secret
    state = [value for name, value in vars(pub.driver).items() if name not in ("client", "_client")]
    assert leaks(state) == []


def test_the_walk_finds_a_key_where_there_is_one() -> None:
    """The check itself: a key in a request's headers behind an exception's context is found."""
    request = httpx.Request("GET", "https://api.fake.test/x", headers={"Authorization": f"Bearer {KEY}"})

    def fail() -> None:
        try:
            raise httpx.ReadTimeout("t", request=request)
        except httpx.ReadTimeout:
            raise postmux.TransportError("t", request_sent=True) from None

    with pytest.raises(postmux.TransportError) as raised:
        fail()
    assert leaks([raised.value])
