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


class Buggy(FakeAdapter):
    """A plugin bug: it reads an answer's field as a number, and Python's error quotes the field."""

    def publish(self, post: Any, routes: Any, media: Any) -> Any:
        response = yield self.request("POST", "/posts", json={"text": post.text})
        return int(response.json()["status"])  # "invalid literal for int() with base 10: '<key>'"


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_a_plugin_bug_quoting_an_echoed_key_leaves_it_in_no_error_and_no_log_line(
    asynchronous: bool, caplog: pytest.LogCaptureFixture
) -> None:
    vendor = route("badjson")  # a 200 whose status echoes the key
    if asynchronous:
        async with AsyncPublisher(Buggy(), Secret(KEY), client=vendor.async_client(), retry=NO_RETRY) as apub:
            report = await apub.publish(video_post("tiktok:a"))
    else:
        with Publisher(Buggy(), Secret(KEY), client=vendor.client(), retry=NO_RETRY) as pub:
            report = pub.publish(video_post("tiktok:a"))
    (publication,) = report
    assert publication.status is Status.UNKNOWN  # the request went out
    assert "plugin error: ValueError" in (publication.error or "")
    assert "ValueError" in caplog.text  # the bug is logged, with its traceback
    assert KEY not in caplog.text
    assert leaks([report, publication, publication.exception]) == []


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


# -- a key no header can carry (read from a file with its newline, pasted with a no-break space) --

UNSENDABLE = {
    "newline": KEY + "\n",  # Path("key.txt").read_text(), a secret mounted from a file
    "no-break space": KEY + "\u00a0",  # pasted from a web page
    "zero-width space": "\u200b" + KEY,
}


def _refused(make: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Making the publisher refuses the key, before any ledger, client or request is made."""
    with pytest.raises(postmux.ConfigurationError, match="no HTTP header can carry") as raised:
        make()
    assert "FAKE_API_KEY" in str(raised.value)
    assert leaks([raised.value]) == []
    assert KEY not in caplog.text


@pytest.mark.parametrize("name", sorted(UNSENDABLE))
def test_a_key_no_header_can_carry_is_refused_when_the_publisher_is_made(
    name: str, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """httpx's UnicodeEncodeError held the whole key (and was logged with it); h11 quoted it escaped."""
    vendor = route("401")
    ledger = tmp_path / "ledger.db"
    bad = Secret(UNSENDABLE[name])
    _refused(lambda: Publisher(FakeAdapter(), bad, client=vendor.client(), ledger=ledger), caplog)
    _refused(lambda: AsyncPublisher(FakeAdapter(), bad, client=vendor.async_client()), caplog)
    assert vendor.requests == []
    assert not ledger.exists()  # refused before the ledger was opened


def test_a_key_with_an_inner_space_is_sent_as_it_is() -> None:
    """Only what a header cannot carry is refused: a space inside a value is a header's to carry."""
    vendor = Vendor({"POST /posts": httpx.Response(200, json={"id": "p-1", "status": "queued"})})
    with Publisher(FakeAdapter(), Secret(f"{KEY} 2"), client=vendor.client()) as pub:
        pub.publish(video_post("tiktok:a"))
    assert [r.headers["authorization"] for r in vendor.requests] == [f"Bearer {KEY} 2"]


# -- a redirect: the requests httpx makes from the one sent ------------------------------------


class Keeping(FakeAdapter):
    """Keeps every response its status flow reads (as a plugin may, for its own use)."""

    def __init__(self) -> None:
        super().__init__()
        self.kept: list[httpx.Response] = []

    def status(self, publication: Publication) -> Any:
        response = yield self.request("GET", f"/posts/{publication.id}")
        self.kept.append(response)
        return publication


@pytest.mark.parametrize("whose", ["own client", "app's client"])
def test_a_redirect_on_the_vendors_origin_leaves_no_key_in_the_kept_response(whose: str) -> None:
    """httpx names where a 3xx points (``next_request``), with the auth header when it stays on the origin."""
    vendor = Vendor({"GET /posts/p-1": httpx.Response(307, headers={"Location": "/posts/p-1/"})})
    adapter = Keeping()
    given: dict[str, Any] = {"transport": vendor.transport()} if whose == "own client" else {}
    given = given or {"client": vendor.client()}
    with Publisher(adapter, Secret(KEY), retry=NO_RETRY, **given) as pub:
        pub.status(followed())
    (response,) = adapter.kept
    assert response.next_request is not None
    assert response.next_request.url.path == "/posts/p-1/"  # it still says where it points
    assert leaks(adapter.kept) == []


async def test_async_a_redirect_on_the_vendors_origin_leaves_no_key_in_the_kept_response() -> None:
    vendor = Vendor({"GET /posts/p-1": httpx.Response(307, headers={"Location": "/posts/p-1/"})})
    adapter = Keeping()
    async with AsyncPublisher(adapter, Secret(KEY), client=vendor.async_client(), retry=NO_RETRY) as pub:
        await pub.status(followed())
    assert adapter.kept[0].next_request is not None
    assert leaks(adapter.kept) == []


def test_the_redirects_an_apps_client_followed_leave_no_key_in_the_history() -> None:
    vendor = Vendor(
        {
            "GET /posts/p-1": httpx.Response(307, headers={"Location": "/posts/p-2"}),
            "GET /posts/p-2": httpx.Response(200, json={"id": "p-1", "status": "published"}),
        }
    )
    adapter = Keeping()
    client = httpx.Client(transport=vendor.transport(), follow_redirects=True)
    with Publisher(adapter, Secret(KEY), client=client, retry=NO_RETRY) as pub:
        pub.status(followed())
    assert [r.headers["authorization"] for r in vendor.requests] == [f"Bearer {KEY}"] * 2  # the vendor's
    (response,) = adapter.kept
    assert len(response.history) == 1
    assert leaks(adapter.kept) == []


class KeyHeader(Keeping):
    """A vendor that takes its key in a header of its own, as Wahdx (``X-API-Key``) and PostPeer do."""

    def auth_headers(self, key: Secret) -> Any:
        return {"X-API-Key": key.reveal()}


def test_a_redirect_an_apps_client_follows_to_another_origin_never_carries_a_key_header() -> None:
    """httpx, following a redirect itself, drops only ``Authorization`` on another origin: a key in a
    header of the vendor's own went along. Such a request's redirect is not followed: the flow gets it."""
    vendor = Vendor(
        {"GET /posts/p-1": httpx.Response(302, headers={"Location": "https://cdn.other.test/p-1"})}
    )
    vendor.routes["GET /p-1"] = httpx.Response(200, json={"id": "p-1", "status": "published"})
    adapter = KeyHeader()
    client = httpx.Client(transport=vendor.transport(), follow_redirects=True)
    with Publisher(adapter, Secret(KEY), client=client, retry=NO_RETRY) as pub:
        pub.status(followed())
    assert [r.url.host for r in vendor.requests] == ["api.fake.test"]  # the other origin never asked
    assert vendor.requests[0].headers["x-api-key"] == KEY  # the vendor's origin
    (response,) = adapter.kept
    assert response.status_code == 302
    assert leaks(adapter.kept) == []
