"""Uploads before publishing, on a mock transport (multipart bodies do not suit cassettes).

Checks the parsed multipart, that media go up once per publish whatever the
number of targets, that the key reaches only Wonda, that a refused file stops
everything before any post, and that the file is streamed in chunks.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import Media, Post, ProviderError, PublishReport, ServerError, Status, publisher
from postmux_wonda import UploadError

from .helpers import (
    KEY,
    PLUGINS,
    QUEUED_ANSWER,
    UPLOAD_ANSWER,
    Recorder,
    answer,
    async_publisher,
    multipart,
    sync_publisher,
    wonda_server,
)

PARTIAL = {
    "uploads": {"file0": {"mediaId": "m0", "url": "https://...", "mimeType": "image/jpeg"}},
    "errors": {"file1": "Unsupported MIME type"},
}


def photos(tmp_path: Path, names: tuple[str, ...] = ("a.jpg", "b.jpg")) -> list[Media]:
    out = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(f"bytes of {name}".encode())
        out.append(Media(path=path))
    return out


def publish_sync(recorder: Recorder, post: Post) -> PublishReport:
    with sync_publisher(recorder) as pub:
        return pub.publish(post)


def publish_async(recorder: Recorder, post: Post) -> PublishReport:
    async def go() -> PublishReport:
        async with async_publisher(recorder) as apub:
            return await apub.publish(post)

    return asyncio.run(go())


PUBLISH = {"sync": publish_sync, "async": publish_async}


def raise_staged(report: PublishReport) -> None:
    """A staging failure is every target's outcome (issue 10), not a raise: raise it here to check it."""
    assert report.results
    assert not any(p.ok for p in report)
    assert len({id(p.exception) for p in report}) == 1  # one staging, one error, for every target
    report[0].raise_for_error()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_url_video_is_downloaded_uploaded_once_and_published_to_each_target(mode: str) -> None:
    recorder = Recorder(wonda_server())
    post = Post(
        text="hi",
        media=["https://cdn.example.com/clip.mp4"],
        targets=["tiktok:acc-1", "tiktok:acc-2", "instagram:ig-1"],
    )
    report = PUBLISH[mode](recorder, post)
    assert [p.status for p in report] == [Status.QUEUED] * 3
    assert sorted(recorder.paths()) == sorted(
        [
            "GET /clip.mp4",
            "POST /api/v1/media/upload",
            "POST /api/v1/publish/tiktok",
            "POST /api/v1/publish/tiktok",
            "POST /api/v1/publish/instagram",
        ]
    )
    upload = next(r for r in recorder.requests if r.url.path.endswith("/media/upload"))
    assert multipart(upload) == [("file", "clip.mp4", "video/mp4", b"\x00" * 1024)]
    for request in recorder.requests:
        on_wonda = request.url.host == "api.wondercat.ai"
        assert (request.headers.get("authorization") == f"Bearer {KEY}") is on_wonda
    assert {json.loads(r.content)["mediaId"] for r in recorder.publish_requests()} == {"uuid"}


def test_a_carousel_uploads_in_one_request_and_uses_the_ids_in_order(tmp_path: Path) -> None:
    def upload(request: httpx.Request) -> httpx.Response:
        fields = [field for field, *_ in multipart(request)]
        return answer({"uploads": {f: {"mediaId": f"id-{f}"} for f in reversed(fields)}})

    recorder = Recorder(wonda_server(**{"/media/upload": upload}))
    post = Post(text="two", media=photos(tmp_path), targets=["tiktok:acc-1"])
    (p,) = publish_sync(recorder, post)
    assert p.status is Status.PUBLISHED
    assert recorder.json(1)["mediaIds"] == ["id-file0", "id-file1"]
    assert [(f, n, c, b) for f, n, c, b in multipart(recorder.requests[0])] == [
        ("file0", "a.jpg", "image/jpeg", b"bytes of a.jpg"),
        ("file1", "b.jpg", "image/jpeg", b"bytes of b.jpg"),
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_partial_upload_failure_names_the_file_and_publishes_nothing(tmp_path: Path, mode: str) -> None:
    recorder = Recorder(wonda_server(**{"/media/upload": PARTIAL}))
    post = Post(media=photos(tmp_path), targets=["tiktok:acc-1", "instagram:ig-1"])
    with pytest.raises(UploadError) as caught:
        raise_staged(PUBLISH[mode](recorder, post))
    assert caught.value.files == {"media[1] b.jpg": "Unsupported MIME type"}
    assert "b.jpg" in str(caught.value)
    assert "nothing was published" in str(caught.value)
    assert recorder.publish_requests() == []


def test_an_error_status_with_the_errors_map_is_an_upload_error_too(tmp_path: Path) -> None:
    refused = {"errors": {"file": "Unsupported MIME type"}}
    recorder = Recorder(wonda_server(**{"/media/upload": lambda _: answer(refused, 400)}))
    post = Post(media=photos(tmp_path, ("a.jpg",)), targets=["instagram:ig-1"])
    with pytest.raises(UploadError) as caught:
        raise_staged(publish_sync(recorder, post))
    assert (caught.value.files, caught.value.status_code) == ({"a.jpg": "Unsupported MIME type"}, 400)
    assert recorder.publish_requests() == []


def test_a_file_missing_from_the_answer_is_an_upload_error(tmp_path: Path) -> None:
    recorder = Recorder(wonda_server(**{"/media/upload": {"uploads": {"file0": {"mediaId": "m0"}}}}))
    with pytest.raises(UploadError, match=r"media\[1\] b\.jpg"):
        raise_staged(publish_sync(recorder, Post(media=photos(tmp_path), targets=["tiktok:acc-1"])))
    assert recorder.publish_requests() == []


def test_a_failed_download_publishes_nothing() -> None:
    def cdn(request: httpx.Request) -> httpx.Response:
        if request.headers["host"] == "cdn.example.com":
            return httpx.Response(503)
        return wonda_server()(request)

    recorder = Recorder(cdn)
    post = Post(media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:acc-1"])
    with pytest.raises(ServerError, match=r"cdn\.example\.com answered HTTP 503"):
        raise_staged(publish_sync(recorder, post))
    assert recorder.hosts() == {"cdn.example.com"}  # a GET, retried
    assert len(recorder.requests) == 4


def redirecting_cdn(request: httpx.Request) -> httpx.Response:
    """A CDN that redirects (once relatively, once to another host) before serving the file."""
    host = request.headers["host"]
    if host == "cdn.example.com" and request.url.path == "/clip.mp4":
        return httpx.Response(302, headers={"Location": "/v2/clip.mp4"}, content=b"<html>moved</html>")
    if host == "cdn.example.com":
        return httpx.Response(307, headers={"Location": "https://files.example.net/real.mp4"})
    if host == "files.example.net":
        return httpx.Response(200, content=b"the real video", headers={"Content-Type": "video/mp4"})
    return wonda_server()(request)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_redirected_download_uploads_the_final_file_not_the_redirect_page(mode: str) -> None:
    recorder = Recorder(redirecting_cdn)
    post = Post(media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:acc-1"])
    (p,) = PUBLISH[mode](recorder, post)
    assert p.status is Status.QUEUED
    assert recorder.urls()[:3] == [
        "https://cdn.example.com/clip.mp4",
        "https://cdn.example.com/v2/clip.mp4",
        "https://files.example.net/real.mp4",
    ]
    upload = next(r for r in recorder.requests if r.url.path.endswith("/media/upload"))
    assert multipart(upload) == [("file", "clip.mp4", "video/mp4", b"the real video")]
    for request in recorder.requests:
        on_wonda = request.url.host == "api.wondercat.ai"
        assert (request.headers.get("authorization") == f"Bearer {KEY}") is on_wonda


@pytest.mark.parametrize("cdn_answer", [httpx.Response(302, content=b"<html>moved, but where?</html>")])
def test_a_redirect_without_a_location_publishes_nothing(cdn_answer: httpx.Response) -> None:
    def cdn(request: httpx.Request) -> httpx.Response:
        if request.headers["host"] == "cdn.example.com":
            return cdn_answer
        return wonda_server()(request)

    recorder = Recorder(cdn)
    post = Post(media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:acc-1"])
    with pytest.raises(ProviderError, match=r"cdn\.example\.com answered HTTP 302"):
        raise_staged(publish_sync(recorder, post))
    assert recorder.hosts() == {"cdn.example.com"}
    assert len(recorder.requests) == 1


def test_a_redirect_loop_fails_the_targets_after_five_hops_and_uploads_nothing() -> None:
    def cdn(request: httpx.Request) -> httpx.Response:
        if request.headers["host"] == "cdn.example.com":
            return httpx.Response(302, headers={"Location": "/clip.mp4"})
        return wonda_server()(request)

    recorder = Recorder(cdn)
    post = Post(media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:acc-1", "instagram:ig-1"])
    report = publish_sync(recorder, post)
    assert [p.status for p in report] == [Status.FAILED, Status.FAILED]
    assert all("media[0] was not fetched: more than 5 redirects" in (p.error or "") for p in report)
    assert recorder.hosts() == {"cdn.example.com"}
    assert len(recorder.requests) == 6  # the first request and 5 redirects, then no more


def test_the_documented_single_upload_answer_gives_its_media_id(tmp_path: Path) -> None:
    recorder = Recorder(wonda_server())
    clip = tmp_path / "clip.mov"
    clip.write_bytes(b"mov")
    (p,) = publish_sync(recorder, Post(media=[Media(path=clip)], targets=["tiktok:acc-1"]))
    assert (p.status, recorder.json(1)["mediaId"]) == (Status.QUEUED, UPLOAD_ANSWER["mediaId"])
    assert multipart(recorder.requests[0])[0][2] == "video/quicktime"


def test_the_file_is_streamed_in_chunks_not_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    size = 3 * 1024 * 1024 + 17
    with open(big, "wb") as fh:
        fh.truncate(size)
    seen: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/media/upload"):
            chunks = [len(chunk) for chunk in request.stream]  # type: ignore[union-attr]
            seen.update(largest=max(chunks), total=sum(chunks), length=int(request.headers["content-length"]))
            return answer(UPLOAD_ANSWER)
        return answer(QUEUED_ANSWER)

    client = httpx.Client(transport=_Streaming(handler))
    with publisher("wonda", api_key=KEY, plugins=PLUGINS, client=client) as pub:
        (p,) = pub.publish(Post(media=[Media(path=big)], targets=["tiktok:acc-1"]))
    assert p.status is Status.QUEUED
    assert 64 * 1024 < seen["largest"] <= 1024 * 1024  # postmux's 1 MiB chunks, not httpx's 64 KiB
    assert seen["total"] == seen["length"] > size


class _Streaming(httpx.BaseTransport):
    """A transport that hands the request to ``handler`` without reading its body first."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response: httpx.Response = self.handler(request)
        return response
