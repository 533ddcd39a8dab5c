"""The adapter's flows stepped by hand with ``postmux.flow.step``: no transport, no HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from postmux import (
    AccountStatus,
    ConnectStart,
    ConnectStatus,
    Media,
    MediaKind,
    PermissionDeniedError,
    Post,
    Problem,
    ProviderError,
    Publication,
    ResponseError,
    Route,
    Status,
    Target,
    UnsupportedError,
    ValidationError,
)
from postmux.flow import Flow, step
from postmux_wahdx import WahdxAdapter

from .support import CO, META_ANSWER, TIKTOK_ANSWER

adapter = WahdxAdapter()
VIDEO = ("https://cdn.example.com/clip.mp4",)
PHOTOS = ("https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg")


def finish(flow: Flow[Any], request: httpx.Request, answer: Any, status: int = 200) -> Any:
    """Send one answer to ``flow`` and return what it returns (it must not ask again)."""
    response = (
        httpx.Response(status, text=answer, request=request)
        if isinstance(answer, str)
        else httpx.Response(status, json=answer, request=request)
    )
    with pytest.raises(StopIteration) as stop:
        step(flow, response)
    return stop.value.value


def publish_flow(platform: str, media: tuple[str, ...] = VIDEO) -> tuple[Flow[Any], httpx.Request]:
    post = Post(text="hi", media=list(media), targets=[Target(platform, "acc-1")])
    flow = adapter.publish(post, [Route(Target(platform, "acc-1"), "acc-1")], media)
    return flow, step(flow)


def pub(
    platform: str = "tiktok", kind: MediaKind | None = MediaKind.VIDEO, pid: str = "pid-1"
) -> Publication:
    return Publication(
        target=Target(platform, "acc-1"),
        provider="wahdx",
        status=Status.PROCESSING,
        id=pid,
        media_kind=kind,
        account_id="acc-1",
    )


# -- publish --------------------------------------------------------------------------


def test_publish_sends_one_post_and_reads_the_tiktok_answer() -> None:
    flow, request = publish_flow("tiktok")
    assert (request.method, str(request.url)) == ("POST", f"{CO}/api/content/post")
    assert request.headers["content-type"] == "application/json"
    assert "x-api-key" not in request.headers  # the driver adds it, never the flow
    assert json.loads(request.content)["platform"] == "tiktok"
    (p,) = finish(flow, request, TIKTOK_ANSWER)
    assert (p.status, p.id, p.media_kind, p.account_id) == (
        Status.PROCESSING,
        "v_pub_file~v2.1234567890",
        MediaKind.VIDEO,
        "acc-1",
    )
    assert p.raw == TIKTOK_ANSWER


def test_publish_meta_answer_is_published_at_once() -> None:
    flow, request = publish_flow("threads", PHOTOS)
    (p,) = finish(flow, request, META_ANSWER)
    assert (p.status, p.url, p.media_kind) == (
        Status.PUBLISHED,
        "https://www.instagram.com/p/ABC123XYZ/",
        MediaKind.PHOTO,
    )


@pytest.mark.parametrize(
    ("platform", "url", "expected"),
    [
        ("tiktok", "https://www.tiktok.com/@user/video/1234567890", Status.PUBLISHED),
        ("tiktok", None, Status.PROCESSING),
        ("instagram", None, Status.PUBLISHED),
    ],
)
def test_publish_reads_the_older_answer_without_status(
    platform: str, url: str | None, expected: Status
) -> None:
    """``wahdx-tiktok-api-older.txt``: ``{success, data:{publish_id, public_post_url}, mediaType}``."""
    older = {"success": True, "data": {"publish_id": "v_pub_url~v2.123456789", "public_post_url": url}}
    flow, request = publish_flow(platform)
    (p,) = finish(flow, request, {**older, "mediaType": "video"})
    assert (p.status, p.id, p.url) == (expected, "v_pub_url~v2.123456789", url)


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"fail_reason": "file_format_check_failed"}, Status.FAILED, "file_format_check_failed"),
        ({"fail_reason": "publish_cancelled"}, Status.CANCELLED, "publish_cancelled"),
        ({}, Status.FAILED, "Wahdx reported the post as failed"),
    ],
)
def test_publish_answer_that_failed_at_once_says_why(
    data: dict[str, Any], status: Status, error: str
) -> None:
    answer = {**META_ANSWER, "status": "FAILED", "data": {"publish_id": "17893746543210000", **data}}
    answer.pop("public_post_url")
    flow, request = publish_flow("instagram")
    (p,) = finish(flow, request, answer)
    assert (p.status, p.id, p.url, p.error) == (status, "17893746543210000", None, error)
    assert p.error_code == data.get("fail_reason")
    assert p.raw == answer


def test_publish_success_false_is_a_refusal() -> None:
    flow, request = publish_flow("tiktok")
    with pytest.raises(ProviderError) as caught:
        finish(flow, request, {"success": False, "error": "Cannot mix media types"})
    assert caught.value.message == "Cannot mix media types"
    assert type(caught.value) is ProviderError  # a 200 refusal: not a server error, so the target fails


@pytest.mark.parametrize(
    "answer", ["<html><body>Bad gateway</body></html>", '{"success": true, "data": {"publi', ""]
)
def test_publish_unreadable_answer_is_a_response_error(answer: str) -> None:
    flow, request = publish_flow("tiktok")
    with pytest.raises(ResponseError):
        finish(flow, request, answer)


def test_publish_answer_without_publish_id_is_a_response_error() -> None:
    flow, request = publish_flow("tiktok")
    with pytest.raises(ResponseError, match="publish_id"):
        finish(flow, request, {"success": True, "status": "PUBLISH_INITIATED", "data": {}})


def test_publish_lets_a_thrown_vendor_error_propagate() -> None:
    flow, _ = publish_flow("tiktok")
    error = PermissionDeniedError("no", provider="wahdx", status_code=403)
    with pytest.raises(PermissionDeniedError):
        flow.throw(error)


# -- status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "kind", "query"),
    [
        ("tiktok", MediaKind.VIDEO, "?mediaType=video"),
        ("tiktok", MediaKind.PHOTO, "?mediaType=photo"),
        ("tiktok", None, ""),
        ("instagram", MediaKind.VIDEO, ""),
    ],
)
def test_status_request(platform: str, kind: MediaKind | None, query: str) -> None:
    flow = adapter.status(pub(platform, kind, pid="v_pub_file~v2.1"))
    request = step(flow)
    assert request.method == "GET"
    assert str(request.url) == f"{CO}/api/content/status/acc-1/v_pub_file~v2.1{query}"


def test_status_legacy_photo_picks_the_photo_candidate() -> None:
    flow = adapter.status(pub("tiktok", MediaKind.PHOTO))
    request = step(flow)
    answer = {
        "success": True,
        "data": {
            "status": "PUBLISH_COMPLETE",
            "public_post_url": None,
            "public_post_url_candidates": {"video": "https://t/video/9", "photo": "https://t/photo/9"},
        },
    }
    p = finish(flow, request, answer)
    assert (p.status, p.url) == (Status.PUBLISHED, "https://t/photo/9")


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (
            {"status": "FAILED", "fail_reason": "picture_size_check_failed"},
            Status.FAILED,
            "picture_size_check_failed",
        ),
        ({"status": "FAILED", "fail_reason": "publish_cancelled"}, Status.CANCELLED, "publish_cancelled"),
        ({"status": "SEND_TO_USER_INBOX"}, Status.INBOX, None),
        ({"status": "PROCESSING_DOWNLOAD"}, Status.PROCESSING, None),
    ],
)
def test_status_answers(data: dict[str, Any], status: Status, error: str | None) -> None:
    flow = adapter.status(pub())
    p = finish(flow, step(flow), {"success": True, "data": data, "error": {"code": "ok"}})
    assert (p.status, p.error_code) == (status, error)


def test_status_without_an_id_is_refused_before_any_request() -> None:
    no_id = Publication(target=Target("tiktok", "acc-1"), provider="wahdx", status=Status.UNKNOWN)
    with pytest.raises(ValidationError) as caught:
        step(adapter.status(no_id))
    assert caught.value.fields == ("publication.id",)


def test_status_many_is_one_checks_request() -> None:
    ps = [
        pub("tiktok", MediaKind.VIDEO, "a"),
        pub("tiktok", None, "b"),
        pub("facebook", MediaKind.PHOTO, "c"),
    ]
    flow = adapter.status_many(ps)
    request = step(flow)
    assert (request.method, request.url.path) == ("POST", "/api/content/status/batch")
    assert request.extensions["postmux.idempotent"] is True  # a read: safe to retry
    assert json.loads(request.content) == {
        "checks": [
            {"accountId": "acc-1", "publishId": "a", "mediaType": "video"},
            {"accountId": "acc-1", "publishId": "b"},
            {"accountId": "acc-1", "publishId": "c"},
        ]
    }
    results = [
        {"accountId": "acc-1", "publishId": "c", "success": True, "status": "PUBLISH_COMPLETE", "extra": 1},
        {"accountId": "acc-1", "publishId": "a", "success": False, "error": "Account not found"},
    ]
    out = finish(flow, request, {"success": True, "data": {"results": results}})
    assert [p.status for p in out] == [Status.UNKNOWN, Status.PROCESSING, Status.PUBLISHED]
    assert out[1] == ps[1]  # not in the answer: left as it was
    assert out[2].raw["extra"] == 1  # unknown fields are kept


def test_batch_answer_with_a_mistyped_item_is_a_response_error() -> None:
    flow = adapter.status_many([pub()])
    with pytest.raises(ResponseError):
        finish(flow, step(flow), {"success": True, "data": {"results": [{"success": "yes"}]}})


# -- accounts and creator info ---------------------------------------------------------


def test_accounts_older_answer_without_platform_or_status() -> None:
    """``wahdx-tiktok-api-older.txt``: TikTok-only items with no ``platform`` or ``status``."""
    flow = adapter.accounts()
    request = step(flow)
    assert (request.method, request.url.path) == ("GET", "/api/content/accounts")
    answer = {
        "success": True,
        "data": [{"accountId": "8abd", "display_name": "Account 2", "username": "account_2"}],
    }
    (account,) = finish(flow, request, answer)
    assert (account.id, account.platform, account.status, account.username) == (
        "8abd",
        "tiktok",
        AccountStatus.ACTIVE,
        "account_2",
    )


def test_accounts_unknown_status_is_unknown() -> None:
    flow = adapter.accounts()
    answer = {"success": True, "data": [{"accountId": "x", "platform": "tiktok", "status": "revoked"}]}
    (account,) = finish(flow, step(flow), answer)
    assert (account.status, account.status_reason) == (AccountStatus.UNKNOWN, "revoked")


CREATOR = {
    "creator_avatar_url": "https://p16/avatar.jpg",
    "creator_username": "tiktok",
    "creator_nickname": "TikTok Official",
    "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
    "comment_disabled": False,
    "duet_disabled": True,
    "stitch_disabled": False,
    "max_video_post_duration_sec": 300,
}


@pytest.mark.parametrize(
    "answer",
    [
        {"success": True, "data": CREATOR},
        {"data": CREATOR, "error": {"code": "ok", "message": "", "log_id": "1"}},
        {"success": True, "data": {"data": CREATOR, "error": {"code": "ok"}}},
        {"success": True, "data": {"creator_info": CREATOR}},
        CREATOR,
        {
            "success": True,
            "data": {
                "privacyLevelOptions": CREATOR["privacy_level_options"],
                "commentDisabled": False,
                "duetDisabled": True,
                "stitchDisabled": False,
                "maxVideoPostDurationSec": 300,
                "creatorUsername": "tiktok",
                "creatorNickname": "TikTok Official",
                "creatorAvatarUrl": "https://p16/avatar.jpg",
            },
        },
    ],
    ids=["envelope", "tiktok-raw", "nested", "creator_info", "flat", "camelCase"],
)
def test_creator_info_tolerates_every_likely_shape(answer: dict[str, Any]) -> None:
    flow = adapter.creator_info("acc/1")
    request = step(flow)
    assert str(request.url) == f"{CO}/api/content/creator-info/acc%2F1"
    info = finish(flow, request, answer)
    assert info.privacy_options == ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")
    assert (info.comments_disabled, info.duets_disabled, info.stitches_disabled) == (False, True, False)
    assert (info.max_video_duration_s, info.username, info.nickname) == (300, "tiktok", "TikTok Official")
    assert info.account_id == "acc/1"
    assert info.raw == answer


def test_creator_info_tiktok_cap_error_in_a_200() -> None:
    """TikTok answers its posting caps with HTTP 200 and ``error.code``; Wahdx may pass that through."""
    flow = adapter.creator_info("acc-1")
    answer = {"data": {}, "error": {"code": "spam_risk_too_many_posts", "message": "Too many posts"}}
    with pytest.raises(ProviderError) as caught:
        finish(flow, step(flow), answer)
    assert (caught.value.code, caught.value.message) == ("spam_risk_too_many_posts", "Too many posts")


@pytest.mark.parametrize(
    "answer",
    [
        {"success": True, "data": {"creator_username": "x"}},
        {"success": True, "data": {**CREATOR, "comment_disabled": "false"}},
    ],
    ids=["missing-options", "string-bool"],
)
def test_creator_info_missing_or_mistyped_field(answer: dict[str, Any]) -> None:
    flow = adapter.creator_info("acc-1")
    with pytest.raises(ResponseError):
        finish(flow, step(flow), answer)


# -- QR login ---------------------------------------------------------------------------

QR_ANSWER: dict[str, Any] = {
    "success": True,
    "data": {
        "qrCodeImage": "data:image/png;base64,iVBORw0KGgo=",
        "token": "TOKEN",
        "unique_id": "session_0001",
        "expiresIn": 300,
    },
}


def test_connect_without_unique_id_sends_an_empty_body() -> None:
    flow = adapter.connect("tiktok", {})
    request = step(flow)
    assert (request.method, request.url.path) == ("POST", "/api/content/qr-login/request")
    assert json.loads(request.content) == {}
    start = finish(flow, request, QR_ANSWER)
    assert (start.platform, start.qr_mime_type, start.poll_interval) == ("tiktok", "image/png", 10.0)
    assert start.qr_image == b"\x89PNG\r\n\x1a\n"
    assert start.state["token"] == "TOKEN"


@pytest.mark.parametrize(
    ("platform", "options", "error", "field"),
    [
        ("instagram", {}, UnsupportedError, "platform"),
        ("tiktok", {"redirect_url": "https://x"}, UnsupportedError, "options.redirect_url"),
        ("tiktok", {"unique_id": "short"}, ValidationError, "options.unique_id"),
        ("tiktok", {"unique_id": 12345678}, ValidationError, "options.unique_id"),
    ],
)
def test_connect_refuses_before_any_request(
    platform: str, options: dict[str, Any], error: type[ValidationError], field: str
) -> None:
    with pytest.raises(error) as caught:
        step(adapter.connect(platform, options))
    assert caught.value.fields == (field,)


def test_connect_bad_qr_image_is_a_response_error() -> None:
    flow = adapter.connect("tiktok", {})
    bad = {"success": True, "data": {**QR_ANSWER["data"], "qrCodeImage": "data:image/png;base64,abcde"}}
    with pytest.raises(ResponseError):
        finish(flow, step(flow), bad)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"status": "new"}, ConnectStatus.PENDING),
        ({"status": "scanned"}, ConnectStatus.SCANNED),
        ({"status": "expired"}, ConnectStatus.EXPIRED),
        ({"status": "utilised", "message": "QR code has already been used."}, ConnectStatus.USED),
        ({"status": "something-new"}, ConnectStatus.PENDING),
    ],
)
def test_connect_poll(data: dict[str, Any], status: ConnectStatus) -> None:
    start = ConnectStart(platform="tiktok", state={"token": "TOKEN"})
    flow = adapter.connect_poll(start)
    request = step(flow)
    assert json.loads(request.content) == {"token": "TOKEN"}
    assert request.extensions["postmux.idempotent"] is True
    poll = finish(flow, request, {"success": True, "data": data})
    assert (poll.status, poll.account, poll.message) == (status, None, data.get("message"))


# -- vendor checks ----------------------------------------------------------------------


def test_check_refuses_urls_wahdx_cannot_classify() -> None:
    post = Post(
        media=[
            Media(url="https://cdn.example.com/stream", kind=MediaKind.VIDEO, mime_type="video/mp4"),
            Media(url="https://cdn.example.com/b.heic"),
        ],
        targets=["tiktok:a"],
    )
    why = "Wahdx tells photo from video by the URL's file extension; {} is not one it documents"
    assert adapter.check(post) == [
        Problem("media[0].url", why.format("'no extension'"), unsupported=True),
        Problem("media[1].url", why.format("'heic'"), unsupported=True),
    ]
    assert adapter.check(Post(media=list(VIDEO + PHOTOS), targets=["tiktok:a"])) == []
