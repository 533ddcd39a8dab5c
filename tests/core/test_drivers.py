"""The drivers: auth only to the vendor's origin, safe retries, errors thrown into flows.

Every test runs on the sync and the async driver with the same flow, through
``drive`` below; sleeps are recorded, never slept.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import (
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    ResponseError,
    RetryPolicy,
    Secret,
    ServerError,
    TransportError,
)
from postmux.drivers import AsyncDriver, SyncDriver
from postmux.flow import DOWNLOAD_TO, IDEMPOTENT, FileStream, Flow, done, step

from .fakes import BASE_URL, KEY, FakeAdapter

Handler = Callable[[httpx.Request], httpx.Response]


class Drive:
    """Runs a flow on one driver kind over a MockTransport, recording calls and sleeps."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sleeps: list[float] = []
        self.seen: list[httpx.Request] = []

    def __call__(self, handler: Handler, flow: Flow[Any], retry: RetryPolicy | None = None) -> Any:
        retry = retry or RetryPolicy(jitter=0.0)

        def recording(request: httpx.Request) -> httpx.Response:
            request.read()
            self.seen.append(request)
            return handler(request)

        transport = httpx.MockTransport(recording)
        if self.mode == "sync":
            with httpx.Client(transport=transport) as client:
                return SyncDriver(FakeAdapter(), Secret(KEY), client, retry, self.sleeps.append).run(flow)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        async def main() -> Any:
            async with httpx.AsyncClient(transport=transport) as client:
                return await AsyncDriver(FakeAdapter(), Secret(KEY), client, retry, sleep).run(flow)

        return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def drive(request: pytest.FixtureRequest) -> Drive:
    return Drive(request.param)


def one(method: str, url: str, **kwargs: Any) -> Flow[httpx.Response]:
    response = yield httpx.Request(method, url, **kwargs)
    return response


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


def script(*answers: httpx.Response | Exception) -> Handler:
    """Answer each call with the next item (the last repeats); exceptions are raised."""
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        item = answers[min(calls["n"], len(answers) - 1)]
        calls["n"] += 1
        if isinstance(item, Exception):
            raise item
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    return handler


def test_auth_header_only_on_the_vendor_origin(drive: Drive) -> None:
    def flow() -> Flow[None]:
        yield httpx.Request("GET", f"{BASE_URL}/accounts")
        yield httpx.Request("PUT", "https://uploads.storage.test/bucket/a.mp4?X-Sig=abc", content=b"x")
        yield httpx.Request("GET", "https://api.fake.test:8443/other-port")
        yield httpx.Request("GET", "http://api.fake.test/plain-http")
        yield httpx.Request("GET", "https://evil.api.fake.test.attacker.test/")

    drive(ok, flow())
    auth = [r.headers.get("authorization") for r in drive.seen]
    assert auth == [f"Bearer {KEY}", None, None, None, None]


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
        httpx.ReadError("connection reset"),
        httpx.WriteTimeout("write timed out"),
    ],
)
def test_post_not_retried_once_sent(drive: Drive, exc: Exception) -> None:
    with pytest.raises(TransportError) as info:
        drive(script(exc, httpx.Response(200, json={})), one("POST", f"{BASE_URL}/posts", json={}))
    assert info.value.request_sent is True
    assert len(drive.seen) == 1
    assert drive.sleeps == []
    assert type(exc).__name__ in str(info.value)


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("connect timed out")])
def test_post_retried_when_never_sent(drive: Drive, exc: Exception) -> None:
    response = drive(script(exc, httpx.Response(201, json={"id": "p1"})), one("POST", f"{BASE_URL}/posts"))
    assert response.status_code == 201
    assert response.json() == {"id": "p1"}
    assert len(drive.seen) == 2
    assert drive.sleeps == [0.5]


def test_connect_error_gives_up_after_max_retries(drive: Drive) -> None:
    with pytest.raises(TransportError) as info:
        drive(
            script(httpx.ConnectError("refused")),
            one("POST", f"{BASE_URL}/posts"),
            RetryPolicy(max_retries=2, jitter=0),
        )
    assert info.value.request_sent is False
    assert len(drive.seen) == 3
    assert drive.sleeps == [0.5, 1.0]


def test_get_retried_after_read_timeout(drive: Drive) -> None:
    response = drive(
        script(httpx.ReadTimeout("slow"), httpx.Response(200, json={})), one("GET", f"{BASE_URL}/posts/1")
    )
    assert response.status_code == 200
    assert len(drive.seen) == 2


def test_429_waits_retry_after_then_retries_a_post(drive: Drive) -> None:
    handler = script(
        httpx.Response(429, headers={"Retry-After": "7"}, json={}), httpx.Response(200, json={"id": 1})
    )
    response = drive(handler, one("POST", f"{BASE_URL}/posts"))
    assert response.json() == {"id": 1}
    assert drive.sleeps == [7.0]
    assert len(drive.seen) == 2


def test_503_with_retry_after_retries_a_post(drive: Drive) -> None:
    handler = script(
        httpx.Response(503, headers={"Retry-After": "2"}, text="busy"), httpx.Response(200, json={})
    )
    assert drive(handler, one("POST", f"{BASE_URL}/posts")).status_code == 200
    assert drive.sleeps == [2.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_without_retry_after_not_retried_for_post(drive: Drive, status: int) -> None:
    with pytest.raises(ServerError) as info:
        drive(script(httpx.Response(status, json={"message": "oops"})), one("POST", f"{BASE_URL}/posts"))
    assert info.value.status_code == status
    assert len(drive.seen) == 1
    assert drive.sleeps == []


def test_500_retried_for_get_with_backoff(drive: Drive) -> None:
    handler = script(
        httpx.Response(500, json={}), httpx.Response(500, json={}), httpx.Response(200, json={"done": True})
    )
    assert drive(handler, one("GET", f"{BASE_URL}/posts/1")).json() == {"done": True}
    assert drive.sleeps == [0.5, 1.0]


def test_get_gives_up_after_max_retries(drive: Drive) -> None:
    with pytest.raises(ServerError):
        drive(
            script(httpx.Response(502, json={})),
            one("GET", f"{BASE_URL}/x"),
            RetryPolicy(max_retries=3, backoff=1, max_backoff=3, jitter=0),
        )
    assert len(drive.seen) == 4
    assert drive.sleeps == [1.0, 2.0, 3.0]


def test_backoff_jitter_stays_in_bounds() -> None:
    policy = RetryPolicy(backoff=1.0, jitter=0.1)
    for attempt in range(3):
        d = policy.delay(attempt, None)
        assert d is not None
        assert 0.9 * 2**attempt <= d <= 1.1 * 2**attempt
    assert policy.delay(3, None) is None
    assert policy.delay(0, 61) is None
    assert policy.delay(0, 60) == 60


def test_retry_after_too_long_is_not_waited(drive: Drive) -> None:
    handler = script(httpx.Response(429, headers={"Retry-After": "3600"}, json={"message": "slow down"}))
    with pytest.raises(RateLimitError) as info:
        drive(handler, one("GET", f"{BASE_URL}/x"), RetryPolicy(max_retry_after=60, jitter=0))
    assert info.value.retry_after == 3600.0
    assert drive.sleeps == []
    assert len(drive.seen) == 1


def test_idempotent_post_retried(drive: Drive) -> None:
    handler = script(
        httpx.Response(500, json={}), httpx.ReadTimeout("slow"), httpx.Response(200, json={"s": 1})
    )
    flow = one("POST", f"{BASE_URL}/status/batch", json={}, extensions={IDEMPOTENT: True})
    assert drive(handler, flow).json() == {"s": 1}
    assert len(drive.seen) == 3


def test_adapter_request_marks_idempotent() -> None:
    adapter = FakeAdapter()
    assert adapter.request("POST", "/x", idempotent=True).extensions[IDEMPOTENT] is True
    assert IDEMPOTENT not in adapter.request("POST", "/x").extensions


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_4xx_not_retried(drive: Drive, status: int) -> None:
    with pytest.raises(ProviderError) as info:
        drive(script(httpx.Response(status, json={"message": "no"})), one("GET", f"{BASE_URL}/x"))
    assert info.value.status_code == status
    assert len(drive.seen) == 1


def test_errors_thrown_into_the_flow_can_be_caught(drive: Drive) -> None:
    def flow() -> Flow[str]:
        try:
            yield httpx.Request("GET", f"{BASE_URL}/missing")
        except NotFoundError as exc:
            response = yield httpx.Request("GET", f"{BASE_URL}/fallback")
            return f"{exc.status_code}:{response.json()['v']}"
        return "unreachable"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/missing":
            return httpx.Response(404, json={"message": "gone"})
        return httpx.Response(200, json={"v": "fb"})

    assert drive(handler, flow()) == "404:fb"


def test_uncaught_error_propagates_and_transport_errors_are_thrown_in(drive: Drive) -> None:
    caught: list[BaseException] = []

    def flow() -> Flow[None]:
        try:
            yield httpx.Request("POST", f"{BASE_URL}/posts")
        except TransportError as exc:
            caught.append(exc)
            raise

    with pytest.raises(TransportError):
        drive(script(httpx.ReadTimeout("slow")), flow())
    assert len(caught) == 1


def test_error_body_echoing_the_key_is_scrubbed(drive: Drive) -> None:
    echo = httpx.Response(403, json={"message": f"key {KEY} lacks scope", "headers": {"Authorization": KEY}})
    with pytest.raises(PermissionDeniedError) as info:
        drive(script(echo), one("GET", f"{BASE_URL}/x"))
    err = info.value
    for text in (str(err), repr(err), err.body or "", err.message):
        assert KEY not in text
    assert "***" in (err.body or "")


def test_transport_error_text_has_no_key_or_query(drive: Drive) -> None:
    with pytest.raises(TransportError) as info:
        drive(
            script(httpx.ReadTimeout(f"timed out for {KEY}")), one("POST", f"{BASE_URL}/posts?token=secret-q")
        )
    assert KEY not in str(info.value)
    assert "secret-q" not in str(info.value)


def test_flow_errors_raised_by_the_adapter_are_scrubbed(drive: Drive) -> None:
    """A 2xx body that echoes the key and cannot be read must not carry the key out."""
    from postmux.wire import read_json

    def flow() -> Flow[Any]:
        response = yield httpx.Request("GET", f"{BASE_URL}/x")
        return read_json(response, provider="fake")

    with pytest.raises(ResponseError) as info:
        drive(script(httpx.Response(200, text=f"<html>debug: X-Key={KEY}</html>")), flow())
    assert KEY not in str(info.value)
    assert KEY not in (info.value.body or "")
    assert "debug: X-Key=***" in (info.value.body or "")


def test_download_to_streams_into_a_file(drive: Drive, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 5000
    handler = script(httpx.Response(500, content=b"partial junk"), httpx.Response(200, content=payload))
    target = tmp_path / "out.bin"
    with target.open("wb+") as sink:
        response = drive(handler, one("GET", "https://cdn.test/file.mp4", extensions={DOWNLOAD_TO: sink}))
    assert response.status_code == 200
    assert target.read_bytes() == payload


class _CountingSink(io.BytesIO):
    """A download file that counts how often it is emptied."""

    truncated = 0

    def truncate(self, size: int | None = None) -> int:
        self.truncated += 1
        return super().truncate(size)


class _CutShort(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A 2xx body that breaks after its first bytes (a connection reset mid-download)."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"half of it"
        raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"half of it"
        raise httpx.ReadError("connection reset")


def test_a_download_empties_its_file_only_when_a_retry_follows_a_partial_body(drive: Drive) -> None:
    """An empty file is not truncated (on ext4 a truncate-then-write file flushes to disk on close,
    ~4 ms a download); a retry after a body cut short starts the file afresh."""
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(200, stream=_CutShort())
        return httpx.Response(200, content=b"the whole body")

    sink = _CountingSink()
    drive(handler, one("GET", "https://cdn.test/a", extensions={DOWNLOAD_TO: sink}))
    assert sink.getvalue() == b"the whole body"
    assert (calls["n"], sink.truncated) == (2, 1)  # emptied once: before the retry, not before the first try

    fresh = _CountingSink()
    drive(
        script(httpx.Response(200, content=b"abc")),
        one("GET", "https://cdn.test/b", extensions={DOWNLOAD_TO: fresh}),
    )
    assert (fresh.getvalue(), fresh.truncated) == (b"abc", 0)


def test_download_to_memory_sink(drive: Drive) -> None:
    sink = io.BytesIO()
    drive(
        script(httpx.Response(200, content=b"abc")),
        one("GET", "https://cdn.test/a", extensions={DOWNLOAD_TO: sink}),
    )
    assert sink.getvalue() == b"abc"


def test_file_stream_uploads_whole_file_on_both_clients(drive: Drive, tmp_path: Path) -> None:
    data = b"0123456789" * 1000
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    stream = FileStream(path, chunk_size=999)
    assert stream.size == len(data)
    bodies: list[bytes] = []
    first = {"fail": True}

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        if first.pop("fail", False):
            return httpx.Response(500)
        return httpx.Response(201)

    flow = one(
        "PUT",
        "https://uploads.storage.test/clip",
        stream=stream,
        headers={"Content-Length": str(stream.size)},
    )
    assert drive(handler, flow).status_code == 201
    assert bodies == [data, data]  # a retried upload sends the whole file again


def test_step_by_hand_and_done() -> None:
    flow = one("GET", f"{BASE_URL}/x")
    request = step(flow)
    assert request.url.path == "/x"
    with pytest.raises(StopIteration) as stop:
        step(flow, httpx.Response(200, request=request))
    assert stop.value.value.status_code == 200

    def immediate() -> Generator[httpx.Request, httpx.Response, int]:
        return (yield from done(5))

    with pytest.raises(StopIteration) as stop:
        next(immediate())
    assert stop.value.value == 5
