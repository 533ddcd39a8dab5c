"""Every request and response example of the two Wahdx documents, replayed sync and async.

Each cassette in ``cassettes/wahdx/`` is one documented example (see its README
for the document and the example); the ``make`` fixture runs every test once on
the sync and once on the async publisher. Record mode is ``none``: a request
that differs from the cassette in method, URL, query or JSON body fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from postmux import (
    AccountStatus,
    ConnectFailedError,
    ConnectStatus,
    MediaKind,
    PermissionDeniedError,
    Post,
    Publication,
    PublishReport,
    Status,
    Target,
    ThreadsOptions,
    TikTokOptions,
)

from .conftest import CASSETTE_DIR, Make
from .support import CO, COM, KEY, call

TIKTOK_ID = "v_pub_file~v2.1234567890"
IG_ID = "17893746543210000"
IG_URL = "https://www.instagram.com/p/ABC123XYZ/"
TT_URL = "https://www.tiktok.com/@mybrand/video/7489123456789012345"


def processing(platform: str, account: str, publish_id: str, kind: MediaKind | None) -> Publication:
    """A publication as publish left it, for the status examples to refresh."""
    return Publication(
        target=Target(platform, account),
        provider="wahdx",
        status=Status.PROCESSING,
        id=publish_id,
        media_kind=kind,
        account_id=account,
    )


async def publish_one(make: Make, base: str, post: Post, vcr: Any) -> Publication:
    report = await call(make(base), "publish", post)
    assert isinstance(report, PublishReport)
    assert len(report) == 1
    assert vcr.all_played
    return report[0]


# -- wahdx-multi-platform-api.txt: publishing --------------------------------------


@pytest.mark.vcr("publish_instagram_video.yaml")
async def test_publish_instagram_video(make: Make, vcr: Any) -> None:
    post = Post(
        text="Check out this video! #viral #fyp",
        media=["https://your-domain.com/video.mp4"],
        targets=[Target("instagram", "YOUR_ACCOUNT_ID")],
    )
    p = await publish_one(make, CO, post, vcr)
    assert (p.status, p.id, p.url, p.media_kind) == (Status.PUBLISHED, IG_ID, IG_URL, MediaKind.VIDEO)
    assert p.raw["fileIds"] == ["uploads/abc123.mp4"]


@pytest.mark.vcr("publish_tiktok_video.yaml")
async def test_publish_tiktok_video_with_cover_and_ai_label(make: Make, vcr: Any) -> None:
    post = Post(
        text="Check out this video! #viral #fyp",
        media=["https://your-domain.com/video.mp4"],
        targets=[Target("tiktok", "aada5586-xxxx-xxxx-xxxx-XXXXXXXXXXX")],
        tiktok=TikTokOptions(cover_timestamp_ms=3000, ai_generated=True),
    )
    p = await publish_one(make, CO, post, vcr)
    assert (p.status, p.id, p.url) == (Status.PROCESSING, TIKTOK_ID, None)
    assert p.raw["mediaUrls"] == ["https://media.wahdx.co/uploads/abc123.mp4"]


@pytest.mark.vcr("publish_tiktok_video_draft.yaml")
async def test_publish_tiktok_video_draft(make: Make, vcr: Any) -> None:
    post = Post(
        text="My video caption",
        media=["https://your-domain.com/video.mp4"],
        targets=[Target("tiktok", "YOUR_ACCOUNT_ID")],
        tiktok=TikTokOptions(draft=True),
    )
    p = await publish_one(make, CO, post, vcr)
    assert (p.status, p.id) == (Status.PROCESSING, TIKTOK_ID)


@pytest.mark.vcr("publish_tiktok_photo_draft.yaml")
async def test_publish_tiktok_photo_draft(make: Make, vcr: Any) -> None:
    post = Post(
        text="Photo description",
        media=["https://your-domain.com/photo1.jpg", "https://your-domain.com/photo2.jpg"],
        targets=[Target("tiktok", "YOUR_ACCOUNT_ID")],
        tiktok=TikTokOptions(draft=True, privacy="PUBLIC_TO_EVERYONE"),
    )
    p = await publish_one(make, CO, post, vcr)
    assert (p.status, p.id, p.media_kind) == (Status.PROCESSING, TIKTOK_ID, MediaKind.PHOTO)


# -- wahdx-photo-carousel.txt (base https://api.wahdx.com) ---------------------------


@pytest.mark.vcr("carousel_video_payload.yaml")
async def test_carousel_page_video_payload(make: Make, vcr: Any) -> None:
    post = Post(
        text="Video caption",
        media=["https://your-domain.com/video.mp4"],
        targets=[Target("tiktok", "CONNECTED_ACCOUNT_ID")],
    )
    p = await publish_one(make, COM, post, vcr)
    assert (p.status, p.id, p.media_kind) == (Status.PROCESSING, TIKTOK_ID, MediaKind.VIDEO)


@pytest.mark.vcr("carousel_photo_payload.yaml")
async def test_carousel_page_photo_payload(make: Make, vcr: Any) -> None:
    post = Post(
        title="Carousel title",
        text="Carousel caption",
        media=["https://your-domain.com/photo-1.jpg", "https://your-domain.com/photo-2.jpg"],
        targets=[Target("tiktok", "CONNECTED_ACCOUNT_ID")],
    )
    p = await publish_one(make, COM, post, vcr)
    assert (p.status, p.media_kind) == (Status.PROCESSING, MediaKind.PHOTO)


@pytest.mark.vcr("carousel_tiktok.yaml")
async def test_carousel_tiktok(make: Make, vcr: Any) -> None:
    post = Post(
        title="TikTok carousel title",
        text="TikTok carousel description #photo",
        media=[f"https://your-domain.com/tiktok-photo-{i}.jpg" for i in (1, 2, 3)],
        targets=[Target("tiktok", "TIKTOK_ACCOUNT_ID")],
        tiktok=TikTokOptions(
            privacy="PUBLIC_TO_EVERYONE", allow_comment=True, auto_add_music=True, cover_index=0, draft=False
        ),
    )
    p = await publish_one(make, COM, post, vcr)
    assert (p.status, p.id) == (Status.PROCESSING, TIKTOK_ID)


@pytest.mark.parametrize(
    ("platform", "account", "text", "extra"),
    [
        pytest.param(
            "instagram",
            "INSTAGRAM_ACCOUNT_ID",
            "Instagram carousel caption #gallery",
            {},
            marks=pytest.mark.vcr("carousel_instagram.yaml"),
        ),
        pytest.param(
            "facebook",
            "FACEBOOK_PAGE_ACCOUNT_ID",
            "Facebook multi-photo post caption",
            {},
            marks=pytest.mark.vcr("carousel_facebook.yaml"),
        ),
        pytest.param(
            "threads",
            "THREADS_ACCOUNT_ID",
            "Threads carousel text",
            {"threads": ThreadsOptions(reply_control="everyone")},
            marks=pytest.mark.vcr("carousel_threads.yaml"),
        ),
    ],
)
async def test_carousel_meta_platforms(
    make: Make, vcr: Any, platform: str, account: str, text: str, extra: dict[str, Any]
) -> None:
    post = Post(
        text=text,
        media=[f"https://your-domain.com/{platform}-photo-{i}.jpg" for i in (1, 2, 3)],
        targets=[Target(platform, account)],
        **extra,
    )
    p = await publish_one(make, COM, post, vcr)
    assert (p.status, p.id, p.url, p.media_kind) == (Status.PUBLISHED, IG_ID, IG_URL, MediaKind.PHOTO)


# -- status of one, and in batches ----------------------------------------------------


@pytest.mark.vcr("status_tiktok_video.yaml")
async def test_status_with_media_type(make: Make, vcr: Any) -> None:
    before = processing("tiktok", "tiktok-account-id", TIKTOK_ID, MediaKind.VIDEO)
    p = await call(make(CO), "status", before)
    assert (p.status, p.url) == (Status.PUBLISHED, TT_URL)
    assert p.raw["data"]["uploaded_bytes"] == "5821041"
    assert vcr.all_played


@pytest.mark.vcr("status_tiktok_legacy.yaml")
async def test_status_legacy_candidates(make: Make, vcr: Any) -> None:
    before = processing("tiktok", "tiktok-account-id", TIKTOK_ID, None)
    p = await call(make(CO), "status", before)
    assert (p.status, p.url) == (Status.PUBLISHED, TT_URL)
    assert p.raw["data"]["public_post_url_candidates"]["photo"].endswith("/photo/7489123456789012345")
    assert vcr.all_played


@pytest.mark.vcr("status_batch_checks.yaml")
async def test_wait_batches_and_keeps_per_item_failure(make: Make, vcr: Any) -> None:
    ok = processing("instagram", "aada5586-xxxx-xxxx-xxxx-XXXXXXXXXXX", IG_ID, MediaKind.VIDEO)
    missing = processing("instagram", "missing-account-id", "missing-publish-id", MediaKind.VIDEO)
    report = await call(make(CO), "wait", [ok, missing], timeout=5, interval=0)
    first, second = report
    assert (first.status, first.url) == (Status.PUBLISHED, IG_URL)
    assert second.status is Status.UNKNOWN
    assert "Account not found" in (second.error or "")
    assert second.raw == {
        "accountId": "missing-account-id",
        "publishId": "missing-publish-id",
        "success": False,
        "error": "Account not found",
    }
    assert vcr.all_played


@pytest.mark.vcr("status_batch_checks_tiktok.yaml")
async def test_wait_batches_tiktok_single_url_and_legacy(make: Make, vcr: Any) -> None:
    current = processing("tiktok", "tiktok-account-id", TIKTOK_ID, MediaKind.VIDEO)
    legacy = processing("tiktok", "legacy-tiktok-account-id", "v_pub_file~v2.99887766", None)
    report = await call(make(CO), "wait", [current, legacy], timeout=5, interval=0)
    assert [(p.status, p.url) for p in report] == [(Status.PUBLISHED, TT_URL), (Status.PUBLISHED, TT_URL)]
    assert vcr.all_played


@pytest.mark.vcr("status_batch_checks_documented.yaml")
async def test_documented_checks_request(make: Make, vcr: Any) -> None:
    pub = make(CO)
    before = processing("tiktok", "ACCOUNT_ID", "PUBLISH_ID", MediaKind.VIDEO)
    (after,) = await call(pub, "run", pub.adapter.status_many([before]))
    assert after == before  # the paired answer names other ids: nothing is learnt, nothing invented
    assert vcr.all_played


@pytest.mark.vcr("status_batch_post_id.yaml")
async def test_scheduled_post_status_by_post_id(make: Make, vcr: Any) -> None:
    pub = make(CO)
    found = await call(pub, "run", pub.adapter.scheduled_post_status("SCHEDULED_POST_ID"))
    assert [(p.target, p.status, p.id) for p in found] == [
        (Target("instagram", "aada5586-xxxx-xxxx-xxxx-XXXXXXXXXXX"), Status.PUBLISHED, IG_ID),
        (Target("unknown", "missing-account-id"), Status.UNKNOWN, "missing-publish-id"),
    ]
    assert found[0].url == IG_URL
    assert "Account not found" in (found[1].error or "")
    assert vcr.all_played


# -- accounts and QR login ------------------------------------------------------------


@pytest.mark.vcr("accounts.yaml")
async def test_accounts_across_platforms(make: Make, vcr: Any) -> None:
    accounts = await call(make(CO), "accounts")
    assert [(a.platform, a.username, a.status) for a in accounts] == [
        ("tiktok", "account_1", AccountStatus.ACTIVE),
        ("instagram", "brand_ig", AccountStatus.ACTIVE),
        ("threads", "brand_threads", AccountStatus.ACTIVE),
        ("facebook", "123456789012345", AccountStatus.EXPIRED),
    ]
    assert [a.active for a in accounts] == [True, True, True, False]
    assert accounts[3].status_reason == "expired"
    assert accounts[0].raw["followers"] == 1500
    assert accounts[1].display_name == "Brand IG"
    assert vcr.all_played


@pytest.mark.vcr("qr_login_confirmed.yaml")
async def test_qr_login_new_scanned_confirmed(make: Make, vcr: Any) -> None:
    session = await call(make(CO), "connect", "tiktok", unique_id="my_session_12345")
    assert session.qr_image.startswith(b"\x89PNG")
    assert session.start.expires_in == 300
    assert session.interval == 10.0  # as documented; the publishers here sleep for no time at all
    assert (await call(session, "poll")).status is ConnectStatus.PENDING
    assert (await call(session, "poll")).status is ConnectStatus.SCANNED
    account = await call(session, "wait", timeout=60)
    assert (account.id, account.platform, account.username, account.display_name) == (
        "8abd72f0-4ede-441c-9c17-XXXXXXXXX",
        "tiktok",
        "creator_username",
        "Creator Name",
    )
    assert vcr.all_played


@pytest.mark.parametrize(
    ("status", "message"),
    [
        pytest.param(ConnectStatus.EXPIRED, "expired", marks=pytest.mark.vcr("qr_login_expired.yaml")),
        pytest.param(
            ConnectStatus.USED,
            "QR code has already been used.",
            marks=pytest.mark.vcr("qr_login_utilised.yaml"),
        ),
    ],
)
async def test_qr_login_ends_without_account(
    make: Make, vcr: Any, status: ConnectStatus, message: str
) -> None:
    session = await call(make(CO), "connect", "tiktok", unique_id="my_session_12345")
    with pytest.raises(ConnectFailedError) as caught:
        await call(session, "wait", timeout=60)
    assert caught.value.status is status
    assert message in str(caught.value)
    assert vcr.all_played


@pytest.mark.vcr("qr_login_forbidden.yaml")
async def test_qr_login_needs_maximum_plan(make: Make, vcr: Any) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        await call(make(CO), "connect", "tiktok", unique_id="my_session_12345")
    error = caught.value
    assert error.status_code == 403
    assert error.message == "QR Code login is only available for Maximum subscription"
    assert '"subscription": "free"' in (error.body or "")
    assert KEY not in f"{error} {error!r} {error.body}"
    assert vcr.all_played


# -- the cassettes themselves ------------------------------------------------------------


def test_no_cassette_carries_a_key() -> None:
    files = sorted(CASSETTE_DIR.glob("*.yaml"))
    assert len(files) >= 21
    for path in files:
        text = path.read_text().lower()
        assert "x-api-key" not in text, path.name
        assert "authorization" not in text, path.name
        assert KEY.lower() not in text, path.name
        assert "sk_" not in text, path.name


def test_every_cassette_is_named_in_the_readme() -> None:
    readme = (CASSETTE_DIR / "README.md").read_text()
    for path in CASSETTE_DIR.glob("*.yaml"):
        assert f"`{path.name}`" in readme, path.name


def test_cassette_dir_is_the_repository_one() -> None:
    assert Path(__file__).resolve().parents[3] / "cassettes" / "wahdx" == CASSETTE_DIR
    assert CASSETTE_DIR.is_dir()
