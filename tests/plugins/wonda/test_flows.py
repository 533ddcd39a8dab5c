"""The Wonda adapter's flows stepped by hand (``postmux.flow.step``): no transport at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import (
    Media,
    MediaKind,
    Post,
    Publication,
    ResponseError,
    Route,
    Status,
    Target,
    TikTokOptions,
    UnsupportedError,
)
from postmux.fetch import MEDIA_DOWNLOAD, MediaDownload
from postmux.flow import DOWNLOAD_TO, Flow, step
from postmux_wonda import WondaAdapter
from postmux_wonda.schedules import scheduled_publications

from .helpers import JOB_ID, QUEUED_ANSWER, TIKTOK_CAROUSEL_ANSWER, UPLOAD_ANSWER, multipart

ADAPTER = WondaAdapter()
ROUTE = Route(Target("tiktok", "acc-1"), "acc-1")


def finish(flow: Flow[Any], response: httpx.Response) -> Any:
    """Send the last response; the flow must end there, and its result is returned."""
    with pytest.raises(StopIteration) as stop:
        step(flow, response)
    return stop.value.value


def ok(request: httpx.Request, data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=data, request=request)


# -- stage: upload ------------------------------------------------------------------


def test_a_local_file_is_uploaded_as_field_file(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"video-bytes")
    post = Post(media=[Media(path=clip)], targets=["tiktok:acc-1"])
    flow = ADAPTER.stage(post, [ROUTE])
    request = step(flow)
    assert (request.method, str(request.url)) == ("POST", "https://api.wondercat.ai/api/v1/media/upload")
    assert multipart(request) == [("file", "clip.mp4", "video/mp4", b"video-bytes")]
    assert finish(flow, ok(request, UPLOAD_ANSWER)) == ("uuid",)


def test_a_url_is_downloaded_into_a_file_then_uploaded() -> None:
    post = Post(media=["https://cdn.example.com/v/clip.mp4?sig=1"], targets=["tiktok:acc-1"])
    flow = ADAPTER.stage(post, [ROUTE])
    download = step(flow)
    assert (download.method, str(download.url)) == ("GET", "https://cdn.example.com/v/clip.mp4?sig=1")
    assert "authorization" not in download.headers
    assert download.extensions[MEDIA_DOWNLOAD] == MediaDownload(
        "media[0]", MediaKind.VIDEO
    )  # the core's policy applies
    sink = download.extensions[DOWNLOAD_TO]
    sink.write(b"downloaded")  # what the driver does with the streamed body
    upload = step(flow, httpx.Response(200, headers={"Content-Type": "video/mp4"}, request=download))
    assert multipart(upload) == [("file", "clip.mp4", "video/mp4", b"downloaded")]
    assert finish(flow, ok(upload, UPLOAD_ANSWER)) == ("uuid",)
    assert sink.closed


def test_the_download_content_type_serves_when_the_url_has_no_extension() -> None:
    post = Post(
        media=[Media(url="https://cdn.example.com/blob", kind=MediaKind.PHOTO)], targets=["tiktok:acc-1"]
    )
    flow = ADAPTER.stage(post, [ROUTE])
    download = step(flow)
    download.extensions[DOWNLOAD_TO].write(b"jpeg")
    upload = step(flow, httpx.Response(200, headers={"Content-Type": "image/jpeg; q=1"}, request=download))
    assert multipart(upload)[0][2] == "image/jpeg"


def test_several_files_go_in_one_request_and_come_back_in_order(tmp_path: Path) -> None:
    paths = []
    for name in ("a.jpg", "b.webp", "c.jpg"):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(name.encode())
    flow = ADAPTER.stage(Post(media=paths, targets=["tiktok:acc-1"]), [ROUTE])
    request = step(flow)
    assert [(f, n, t) for f, n, t, _ in multipart(request)] == [
        ("file0", "a.jpg", "image/jpeg"),
        ("file1", "b.webp", "image/webp"),
        ("file2", "c.jpg", "image/jpeg"),
    ]
    uploads = {f"file{i}": {"mediaId": f"m{i}", "url": "...", "mimeType": "..."} for i in (2, 0, 1)}
    assert finish(flow, ok(request, {"uploads": uploads})) == ("m0", "m1", "m2")


def test_an_upload_answer_without_ids_is_a_response_error(tmp_path: Path) -> None:
    (tmp_path / "a.mp4").write_bytes(b"x")
    flow = ADAPTER.stage(Post(media=[tmp_path / "a.mp4"], targets=["tiktok:acc-1"]), [ROUTE])
    request = step(flow)
    with pytest.raises(ResponseError):
        step(flow, httpx.Response(200, json={"uploads": {"file": {"url": "x"}}}, request=request))


# -- publish ---------------------------------------------------------------------------


def test_publish_flow_sends_one_request_and_returns_the_job() -> None:
    post = Post(text="hi", media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:acc-1"])
    flow = ADAPTER.publish(post, [ROUTE], ("m-1",))
    request = step(flow)
    assert (request.method, request.url.path) == ("POST", "/api/v1/publish/tiktok")
    assert request.headers["content-type"] == "application/json"
    (p,) = finish(flow, ok(request, QUEUED_ANSWER))
    assert (p.status, p.id, p.account_id) == (Status.QUEUED, JOB_ID, "acc-1")
    assert p.state == {"endpoint": "/publish/tiktok", "post_mode": "direct"}


def test_a_tiktok_draft_carousel_lands_in_the_inbox() -> None:
    post = Post(
        media=["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"],
        targets=["tiktok:acc-1"],
        tiktok=TikTokOptions(draft=True),
    )
    flow = ADAPTER.publish(post, [ROUTE], ("m-1", "m-2"))
    request = step(flow)
    (p,) = finish(flow, ok(request, TIKTOK_CAROUSEL_ANSWER))
    assert (p.status, p.url) == (Status.INBOX, TIKTOK_CAROUSEL_ANSWER["permalink"])


@pytest.mark.parametrize(
    "answer",
    [{"status": "queued"}, {"outputJobId": 7, "status": "queued"}, {"outputJobId": JOB_ID}],
)
def test_a_publish_answer_missing_what_we_need_is_a_response_error(answer: dict[str, Any]) -> None:
    post = Post(media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:acc-1"])
    flow = ADAPTER.publish(post, [ROUTE], ("m-1",))
    request = step(flow)
    with pytest.raises(ResponseError) as caught:
        step(flow, ok(request, answer))
    assert caught.value.body is not None


def test_an_html_publish_answer_is_a_response_error() -> None:
    flow = ADAPTER.publish(Post(media=["https://x.example/c.mp4"], targets=["tiktok:a"]), [ROUTE], ("m",))
    request = step(flow)
    with pytest.raises(ResponseError, match="HTML"):
        step(flow, httpx.Response(200, text="<html>gateway</html>", request=request))


# -- status ----------------------------------------------------------------------------


def publication(**changes: Any) -> Publication:
    fields: dict[str, Any] = {
        "target": Target("tiktok", "acc-1"),
        "provider": "wonda",
        "status": Status.QUEUED,
        "id": JOB_ID,
        "state": {"endpoint": "/publish/tiktok", "post_mode": "direct"},
    }
    return Publication(**(fields | changes))


@pytest.mark.parametrize(
    ("wonda", "neutral"),
    [
        ("idle", Status.QUEUED),
        ("locked", Status.QUEUED),
        ("queued", Status.QUEUED),
        ("in_progress", Status.PROCESSING),
        ("succeeded", Status.PUBLISHED),
        ("failed", Status.FAILED),
        ("canceled", Status.CANCELLED),
        ("something_new", Status.PROCESSING),
    ],
)
def test_job_statuses_map_to_neutral(wonda: str, neutral: Status) -> None:
    flow = ADAPTER.status(publication())
    request = step(flow)
    assert (request.method, request.url.path) == ("GET", f"/api/v1/jobs/publish/{JOB_ID}")
    assert finish(flow, ok(request, {"status": wonda})).status is neutral


def test_a_waiting_scheduled_job_stays_scheduled_until_its_time() -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    earlier = datetime.now(UTC) - timedelta(minutes=1)
    for when, expected in ((later, Status.SCHEDULED), (earlier, Status.QUEUED)):
        flow = ADAPTER.status(publication(status=Status.SCHEDULED, scheduled_for=when))
        request = step(flow)
        assert finish(flow, ok(request, {"status": "idle"})).status is expected


def test_a_permalink_in_the_undocumented_job_body_is_kept() -> None:
    flow = ADAPTER.status(publication())
    request = step(flow)
    data = {"status": "succeeded", "result": {"permalink": "https://www.tiktok.com/@a/video/1"}}
    p = finish(flow, ok(request, data))
    assert (p.url, p.raw) == ("https://www.tiktok.com/@a/video/1", data)


def test_a_carousel_publication_needs_no_polling() -> None:
    done = publication(status=Status.PUBLISHED, state={"endpoint": "/publish/tiktok/carousel"})
    with pytest.raises(StopIteration) as stop:
        step(ADAPTER.status(done))
    assert stop.value.value is done


def test_status_without_a_job_id_is_unsupported() -> None:
    with pytest.raises(UnsupportedError):
        step(ADAPTER.status(publication(id=None)))


# -- scheduled list: tolerant of its undocumented shape -----------------------------


ITEM = {"outputJobId": JOB_ID, "tiktokAccountId": "acc-1", "scheduledFor": "2026-06-20T14:30:00Z"}


@pytest.mark.parametrize(
    "data",
    [
        [ITEM],
        {"scheduled": [ITEM]},
        {"jobs": [ITEM], "nextCursor": None},
        {"data": {"items": [ITEM]}},
        [
            {
                "id": JOB_ID,
                "platform": "TikTok",
                "tiktokAccountId": "acc-1",
                "scheduledAt": "2026-06-20T14:30:00Z",
            }
        ],
    ],
)
def test_scheduled_list_shapes_are_all_read(data: Any) -> None:
    (p,) = scheduled_publications(data, provider="wonda")
    assert (p.target, p.id, p.status) == (Target("tiktok", "acc-1"), JOB_ID, Status.SCHEDULED)
    assert p.scheduled_for == datetime(2026, 6, 20, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("data", [{"message": "ok"}, "text", [{"tiktokAccountId": "acc-1"}], [3]])
def test_an_unreadable_scheduled_list_is_a_response_error(data: Any) -> None:
    with pytest.raises(ResponseError):
        scheduled_publications(data, provider="wonda")


def test_accounts_flow_asks_tiktok_then_instagram() -> None:
    flow = ADAPTER.accounts()
    first = step(flow)
    second = step(flow, ok(first, {"accounts": [{"tiktokAccountId": "t-1", "status": "revoked"}]}))
    assert (first.url.path, second.url.path) == ("/api/v1/tiktok/accounts", "/api/v1/instagram/accounts")
    accounts = finish(flow, ok(second, {"accounts": [{"instagramAccountId": "i-1"}]}))
    assert [(a.platform, a.id, a.status.value, a.status_reason) for a in accounts] == [
        ("tiktok", "t-1", "unknown", "revoked"),
        ("instagram", "i-1", "active", None),
    ]


def test_cancel_keeps_a_json_answer() -> None:
    flow = ADAPTER.cancel(publication(status=Status.SCHEDULED))
    request = step(flow)
    assert (request.method, request.url.path) == ("DELETE", f"/api/v1/publish/scheduled/{JOB_ID}")
    p = finish(flow, ok(request, {"cancelled": True}))
    assert (p.status, p.raw) == (Status.CANCELLED, {"cancelled": True})
