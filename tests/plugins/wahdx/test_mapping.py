"""Neutral ⇄ Wahdx, table by table: every neutral field to its Wahdx key and back, and every status."""

from __future__ import annotations

from typing import Any

import pytest

from postmux import (
    AccountStatus,
    ConnectStatus,
    FacebookOptions,
    InstagramOptions,
    MediaKind,
    Post,
    Route,
    Status,
    Target,
    ThreadsOptions,
    TikTokOptions,
)
from postmux.options import ThreadsReplyControl, TikTokPrivacy
from postmux.rules import THREADS_REPLY_CONTROL, TIKTOK_PRIVACY
from postmux_wahdx import WahdxAdapter
from postmux_wahdx.mapping import pick_url, post_body
from postmux_wahdx.vocabulary import INSTAGRAM, QR_STATUSES, STATUSES, THREADS, TIKTOK, VOCABULARY

VIDEO = ("https://cdn.example.com/clip.mp4",)
PHOTOS = ("https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg")


def body(platform: str, media: tuple[str, ...] = VIDEO, **fields: Any) -> dict[str, Any]:
    post = Post(text="hello", media=list(media), targets=[Target(platform, "acc-1")], **fields)
    return post_body(post, Route(Target(platform, "acc-1"), "acc-1"), media)


# -- TikTok ---------------------------------------------------------------------------

# A value other than the neutral default for each field, and the kind of post it belongs to.
TIKTOK_SAMPLES: dict[str, tuple[object, tuple[str, ...]]] = {
    "privacy": ("MUTUAL_FOLLOW_FRIENDS", VIDEO),
    "allow_comment": (False, VIDEO),
    "allow_duet": (False, VIDEO),
    "allow_stitch": (False, VIDEO),
    "cover_timestamp_ms": (2500, VIDEO),
    "cover_index": (1, PHOTOS),
    "auto_add_music": (False, PHOTOS),
    "ai_generated": (True, VIDEO),
    "draft": (True, VIDEO),
}


def test_tiktok_table_covers_every_carried_option() -> None:
    carried = WahdxAdapter.capabilities.platforms["tiktok"].options
    assert set(TIKTOK.docs) == carried == set(TIKTOK_SAMPLES)


@pytest.mark.parametrize(("neutral", "wahdx"), sorted(TIKTOK.docs.items()))
def test_tiktok_field_out(neutral: str, wahdx: str) -> None:
    value, media = TIKTOK_SAMPLES[neutral]
    options = TikTokOptions(**{neutral: value})  # type: ignore[arg-type]
    settings = body("tiktok", media, tiktok=options)["tiktokSettings"]
    assert settings[wahdx] == value


@pytest.mark.parametrize(("neutral", "wahdx"), sorted(TIKTOK.docs.items()))
def test_tiktok_field_back(neutral: str, wahdx: str) -> None:
    """Each Wahdx key names one neutral field and is a documented ``tiktokSettings`` key."""
    back = {v: k for k, v in TIKTOK.docs.items()}
    assert back[wahdx] == neutral
    value = TIKTOK_SAMPLES[neutral][0]
    assert TIKTOK.neutral({wahdx: value}) == {neutral: value}  # the vocabulary read backwards
    assert TIKTOK.from_wire({wahdx: value}) == TikTokOptions(**{neutral: value})  # type: ignore[arg-type]


def test_tiktok_unset_video_sends_every_neutral_default() -> None:
    assert body("tiktok")["tiktokSettings"] == {
        "privacy_level": "SELF_ONLY",
        "allow_comment": True,
        "allow_duet": True,
        "allow_stitch": True,
        "video_cover_timestamp_ms": 1000,
        "video_made_with_ai": False,
        "draft": False,
    }


def test_tiktok_unset_photos_send_photo_defaults_and_media_type() -> None:
    assert body("tiktok", PHOTOS)["tiktokSettings"] == {
        "privacy_level": "SELF_ONLY",
        "allow_comment": True,
        "photo_cover_index": 0,
        "auto_add_music": True,
        "video_made_with_ai": False,
        "draft": False,
        "media_type": "photo",
    }


@pytest.mark.parametrize("privacy", sorted(TIKTOK_PRIVACY))
def test_tiktok_privacy_values_pass_unchanged(privacy: TikTokPrivacy) -> None:
    assert body("tiktok", tiktok=TikTokOptions(privacy=privacy))["tiktokSettings"]["privacy_level"] == privacy


def test_photo_title_goes_only_to_tiktok_photos() -> None:
    assert body("tiktok", PHOTOS, title="Headline")["photoTitle"] == "Headline"
    assert "photoTitle" not in body("tiktok", VIDEO, title="Headline")
    assert "photoTitle" not in body("instagram", PHOTOS, title="Headline")
    assert "photoTitle" not in body("tiktok", PHOTOS)


def test_envelope_fields() -> None:
    out = body("tiktok", PHOTOS)
    assert (out["platform"], out["accountId"], out["content"]) == ("tiktok", "acc-1", "hello")
    assert out["mediaItems"] == [{"url": u} for u in PHOTOS]
    assert not {"instagramSettings", "threadsSettings", "facebookSettings"} & set(out)


# -- Instagram, Threads, Facebook ---------------------------------------------------------


@pytest.mark.parametrize("share", [True, False])
def test_instagram_share_to_feed(share: bool) -> None:
    out = body("instagram", instagram=InstagramOptions(share_to_feed=share))
    assert out["instagramSettings"] == {"share_to_feed": share}
    assert {v: k for k, v in INSTAGRAM.docs.items()}["share_to_feed"] == "share_to_feed"


def test_instagram_defaults() -> None:
    assert body("instagram")["instagramSettings"] == {"share_to_feed": True}
    assert body("instagram", PHOTOS)["instagramSettings"] == {}  # as the carousel example sends


@pytest.mark.parametrize("reply", sorted(THREADS_REPLY_CONTROL))
def test_threads_reply_control(reply: ThreadsReplyControl) -> None:
    out = body("threads", threads=ThreadsOptions(reply_control=reply))
    assert out["threadsSettings"] == {"who_can_reply": reply}
    assert {v: k for k, v in THREADS.docs.items()}["who_can_reply"] == "reply_control"


def test_threads_default_is_everyone() -> None:
    assert body("threads", PHOTOS)["threadsSettings"] == {"who_can_reply": "everyone"}


def test_facebook_sends_an_empty_settings_object() -> None:
    assert body("facebook", PHOTOS, facebook=FacebookOptions(draft=False))["facebookSettings"] == {}


def test_field_mapping_for_docs_is_the_wire_tables() -> None:
    assert WahdxAdapter.field_mapping == {
        "TikTokOptions": TIKTOK.docs,
        "InstagramOptions": INSTAGRAM.docs,
        "ThreadsOptions": THREADS.docs,
    }


def test_extras_merge_over_the_body() -> None:
    extras = {"wahdx": {"tiktokSettings": {"privacy_level": "PUBLIC_TO_EVERYONE"}, "custom": 1}}
    out = body("tiktok", extras=extras)
    assert out["tiktokSettings"]["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert out["tiktokSettings"]["allow_comment"] is True
    assert out["custom"] == 1


# -- statuses back ----------------------------------------------------------------------

EXPECTED_STATUSES = {
    "PUBLISH_INITIATED": Status.PROCESSING,
    "PUBLISH_COMPLETE": Status.PUBLISHED,
    "PROCESSING_UPLOAD": Status.PROCESSING,
    "PROCESSING_DOWNLOAD": Status.PROCESSING,
    "SEND_TO_USER_INBOX": Status.INBOX,
    "FAILED": Status.FAILED,
    "PUBLISH_FAILED": Status.FAILED,
    "QUEUED": Status.QUEUED,
    "PROCESSING": Status.PROCESSING,
    "PUBLISHED": Status.PUBLISHED,
}


def test_status_table_is_as_documented_in_the_readme() -> None:
    assert dict(STATUSES) == EXPECTED_STATUSES


@pytest.mark.parametrize(("wahdx", "neutral"), sorted(EXPECTED_STATUSES.items()))
def test_status_back(wahdx: str, neutral: Status) -> None:
    assert STATUSES(wahdx, default=Status.UNKNOWN) is neutral
    assert STATUSES(wahdx.lower(), default=Status.UNKNOWN) is neutral  # prose labels: "Published"


def test_status_edges() -> None:
    assert STATUSES(None, default=Status.QUEUED) is Status.QUEUED
    assert STATUSES("SOMETHING_NEW", default=Status.UNKNOWN) is Status.PROCESSING
    assert STATUSES("FAILED", default=Status.UNKNOWN, reason="publish_cancelled") is Status.CANCELLED
    assert STATUSES("FAILED", default=Status.UNKNOWN, reason="auth_removed") is Status.FAILED


@pytest.mark.parametrize(
    ("wahdx", "neutral"),
    [
        ("new", ConnectStatus.PENDING),
        ("scanned", ConnectStatus.SCANNED),
        ("confirmed", ConnectStatus.CONFIRMED),
        ("expired", ConnectStatus.EXPIRED),
        ("utilised", ConnectStatus.USED),
    ],
)
def test_qr_status_back(wahdx: str, neutral: ConnectStatus) -> None:
    assert QR_STATUSES[wahdx] is neutral


def test_account_status_back() -> None:
    assert dict(VOCABULARY.accounts) == {"active": AccountStatus.ACTIVE, "expired": AccountStatus.EXPIRED}


CANDIDATES = {"video": "https://t/video/1", "photo": "https://t/photo/1"}


@pytest.mark.parametrize(
    ("url", "candidates", "kind", "expected"),
    [
        ("https://t/one", CANDIDATES, MediaKind.PHOTO, "https://t/one"),
        (None, CANDIDATES, MediaKind.PHOTO, "https://t/photo/1"),
        (None, CANDIDATES, MediaKind.VIDEO, "https://t/video/1"),
        (None, CANDIDATES, None, "https://t/video/1"),
        (None, {"photo": "https://t/photo/1"}, None, "https://t/photo/1"),
        (None, {"video": None, "photo": None}, None, None),
        (None, None, MediaKind.VIDEO, None),
    ],
)
def test_pick_url(
    url: str | None, candidates: dict[str, str | None] | None, kind: MediaKind | None, expected: str | None
) -> None:
    assert pick_url(url, candidates, kind) == expected
