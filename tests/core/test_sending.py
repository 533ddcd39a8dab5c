"""A publisher's own client is sent past httpx's layers, and nothing about the request changes.

:mod:`postmux.sending` replaces ``Client.send`` only for a client the
publisher made, with no auth, hooks or redirects to apply. These tests hold
it to that: the transport sees the same request (headers in the same order,
body, timeout) as through ``client.send``; a cookie a vendor sets is kept and
sent back; ``elapsed``, ``next_request``, the error's request and httpx's log
line are as httpx makes them; and an app's client, or the publisher's own
given hooks or auth later, goes through ``client.send`` so they apply.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import postmux
from postmux import sending
from postmux.drivers import DEFAULT_TIMEOUT, AsyncDriver, SyncDriver
from postmux.fetch import FetchPolicy
from postmux.flow import media_request
from postmux.media import MediaKind
from postmux.secrets import Secret

from .fakes import KEY, FakeAdapter
from .test_client import ANSWER, POST, WAHDX_KEY

Seen = list[tuple[str, str, list[tuple[bytes, bytes]], bytes, dict[str, Any]]]


def recorder(
    seen: Seen, answer: Callable[[httpx.Request], httpx.Response] | None = None
) -> httpx.MockTransport:
    """A transport noting what it was handed: method, URL, raw headers in order, body, timeout."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(
            (
                request.method,
                str(request.url),
                request.headers.raw,
                request.read(),
                request.extensions["timeout"],
            )
        )
        return answer(request) if answer else httpx.Response(200, json=ANSWER)

    return httpx.MockTransport(handler)


def spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which way each request went: ``direct`` (postmux.sending) or ``client.send``."""
    ways: list[str] = []
    for name, real in (("send", sending.send), ("asend", sending.asend)):

        def counted(*args: Any, _real: Any = real) -> Any:
            ways.append("direct")
            return _real(*args)

        monkeypatch.setattr(f"postmux.drivers.{name}", counted)
    return ways


def test_own_client_sends_the_same_request_as_client_send(monkeypatch: pytest.MonkeyPatch) -> None:
    ways = spy(monkeypatch)
    direct: Seen = []
    with postmux.publisher("wahdx", api_key=WAHDX_KEY, transport=recorder(direct), timeout=7.0) as pub:
        assert pub.publish(POST).ok
    assert ways == ["direct"]
    through_send: Seen = []
    with httpx.Client(transport=recorder(through_send), timeout=7.0) as client:
        assert postmux.publisher("wahdx", api_key=WAHDX_KEY, client=client).publish(POST).ok
    assert ways == ["direct"]  # an app's client: client.send
    assert direct == through_send
    assert direct[0][4] == httpx.Timeout(7.0).as_dict()


def test_async_own_client_sends_the_same_request_as_client_send(monkeypatch: pytest.MonkeyPatch) -> None:
    ways = spy(monkeypatch)

    async def run() -> tuple[Seen, Seen]:
        direct: Seen = []
        pub = postmux.async_publisher("wahdx", api_key=WAHDX_KEY, transport=recorder(direct))
        assert (await pub.publish(POST)).ok
        await pub.aclose()
        through_send: Seen = []
        async with httpx.AsyncClient(transport=recorder(through_send), timeout=DEFAULT_TIMEOUT) as client:
            mine = postmux.async_publisher("wahdx", api_key=WAHDX_KEY, client=client)
            assert (await mine.publish(POST)).ok
        return direct, through_send

    direct, through_send = asyncio.run(run())
    assert ways == ["direct"]
    assert direct == through_send


def test_a_cookie_the_vendor_sets_is_sent_back(monkeypatch: pytest.MonkeyPatch) -> None:
    ways = spy(monkeypatch)
    seen: Seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=ANSWER, headers={"Set-Cookie": "session=abc; Path=/"})

    with postmux.publisher("wahdx", api_key=WAHDX_KEY, transport=recorder(seen, answer)) as pub:
        pub.publish(POST)
        pub.publish(POST)
        assert pub.client.cookies["session"] == "abc"
    assert ways == ["direct", "direct"]
    assert (b"Cookie", b"session=abc") not in seen[0][2]
    assert (b"Cookie", b"session=abc") in seen[1][2]


def test_hooks_and_auth_given_to_the_own_client_later_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    ways = spy(monkeypatch)
    seen: Seen = []
    hooked: list[str] = []
    with postmux.publisher("wahdx", api_key=WAHDX_KEY, transport=recorder(seen)) as pub:
        pub.client.event_hooks["request"].append(lambda request: hooked.append(request.method))
        assert pub.publish(POST).ok
        pub.client.event_hooks = {}
        pub.client.auth = httpx.BasicAuth("app", "secret")
        assert pub.publish(POST).ok
        pub.client.auth = None  # type: ignore[assignment]  # httpx's setter takes None too
        pub.client.follow_redirects = True
        assert not sending.direct(pub.client)
    assert hooked == ["POST"]
    assert ways == []
    assert any(name == b"Authorization" for name, _ in seen[1][2])


def test_a_replaced_client_send_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """An instrumentation wrapper on ``httpx.Client.send`` sees every request, as it would without postmux."""
    calls: list[str] = []
    real = httpx.Client.send

    def wrapped(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        calls.append(str(request.url))
        return real(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", wrapped)
    with postmux.publisher("wahdx", api_key=WAHDX_KEY, transport=recorder([])) as pub:
        assert pub.publish(POST).ok
    assert len(calls) == 1


def test_what_httpx_sets_on_a_response_and_an_error(caplog: pytest.LogCaptureFixture) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/moved":
            return httpx.Response(302, headers={"Location": "/there"})
        if request.url.path == "/down":
            raise httpx.ConnectError("refused")
        return httpx.Response(200, stream=httpx.ByteStream(b"{}"))  # unread, as a network answer is

    client = httpx.Client(transport=httpx.MockTransport(answer))
    assert sending.direct(client)
    with caplog.at_level(logging.INFO, logger="httpx"):
        response = sending.send(client, httpx.Request("GET", "https://vendor.example/ok"))
        assert response.read() == b"{}"
        response.close()
    assert response.elapsed.total_seconds() >= 0  # set on closing, as httpx does
    assert response.request.url == "https://vendor.example/ok"
    assert any('HTTP Request: GET https://vendor.example/ok "HTTP/1.1 200 OK"' in m for m in caplog.messages)
    moved = sending.send(client, httpx.Request("GET", "https://vendor.example/moved"))
    assert moved.next_request is not None
    assert moved.next_request.url == "https://vendor.example/there"
    down = httpx.Request("GET", "https://vendor.example/down")
    with pytest.raises(httpx.ConnectError) as caught:
        sending.send(client, down)
    assert caught.value.request is down
    client.close()
    with pytest.raises(RuntimeError, match="client has been closed"):
        sending.send(client, httpx.Request("GET", "https://vendor.example/ok"))


def test_only_plain_clients_go_direct() -> None:
    class Mine(httpx.Client):
        pass

    with Mine() as sub, httpx.Client(auth=("a", "b")) as authed, httpx.Client() as plain:
        assert not sending.direct(sub)
        assert not sending.direct(authed)
        assert sending.direct(plain)


def test_drivers_go_direct_only_for_a_client_they_were_told_is_owned(monkeypatch: pytest.MonkeyPatch) -> None:
    ways = spy(monkeypatch)

    def flow() -> Any:
        response = yield httpx.Request("GET", FakeAdapter().url("/ping"))
        return response.status_code

    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(204))) as client:
        assert SyncDriver(FakeAdapter(), Secret(KEY), client).run(flow()) == 204
        assert ways == []
        assert SyncDriver(FakeAdapter(), Secret(KEY), client, owned=True).run(flow()) == 204
        assert ways == ["direct"]

    async def arun() -> int:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(204))) as client:
            status: int = await AsyncDriver(FakeAdapter(), Secret(KEY), client, owned=True).run(flow())
            return status

    assert asyncio.run(arun()) == 204
    assert ways == ["direct", "direct"]


def _download_flow(sink: Any) -> Any:
    response = yield media_request("http://127.0.0.1:9/v.mp4", sink, medium="media[0]", kind=MediaKind.VIDEO)
    return response.status_code


def _video(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "video/mp4"}, content=b"v" * 10)


LOOPBACK_HTTP = FetchPolicy(schemes={"http"}, allow_private=True)


def test_a_media_download_goes_direct_on_an_own_client_with_the_same_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ways = spy(monkeypatch)
    seen: dict[bool, Seen] = {True: [], False: []}
    for owned in (True, False):
        transport = recorder(seen[owned], _video)
        with httpx.Client(transport=transport) as client, tempfile.TemporaryFile() as sink:
            driver = SyncDriver(FakeAdapter(), Secret(KEY), client, fetch=LOOPBACK_HTTP, owned=owned)
            assert driver.run(_download_flow(sink)) == 200
            sink.seek(0)
            assert sink.read() == b"v" * 10
    assert ways == ["direct"]  # the own client's download only
    assert seen[True] == seen[False]  # the pinned GET, headers in order, timeout: the same either way
    assert seen[True][0][1] == "http://127.0.0.1:9/v.mp4"

    async def arun(owned: bool, into: Seen) -> int:
        async with httpx.AsyncClient(transport=recorder(into, _video)) as client:
            driver = AsyncDriver(FakeAdapter(), Secret(KEY), client, fetch=LOOPBACK_HTTP, owned=owned)
            with tempfile.TemporaryFile() as sink:
                status: int = await driver.run(_download_flow(sink))
                sink.seek(0)
                assert sink.read() == b"v" * 10
            return status

    again: dict[bool, Seen] = {True: [], False: []}
    assert [asyncio.run(arun(owned, again[owned])) for owned in (True, False)] == [200, 200]
    assert ways == ["direct", "direct"]
    assert again[True] == again[False] == seen[True]
