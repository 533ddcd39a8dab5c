"""Neutral ⇄ Wonda field mapping, both ways, inversions included; no Wonda default leaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from postmux import InstagramOptions, Post, Route, Target, TikTokOptions
from postmux.sandbox.kit import option_errors
from postmux_wonda import WondaAdapter, mapping
from postmux_wonda.vocabulary import INSTAGRAM, TIKTOK

VIDEO = "https://cdn.example.com/clip.mp4"
PHOTOS = ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.webp"]


def route(platform: str = "tiktok", account: str = "acc-1") -> Route:
    return Route(Target(platform, account), account)


def body(post: Post, media: tuple[str, ...] = ("m-1",), platform: str = "tiktok") -> dict[str, Any]:
    return mapping.build(post, route(platform), media, extras=post.extras.get("wonda", {})).body


def video_post(**changes: Any) -> Post:
    return Post(**({"text": "hi", "media": [VIDEO], "targets": ["tiktok:acc-1"]} | changes))


# -- TikTok: the table, each field both ways ------------------------------------

TIKTOK_CASES = [
    # neutral field, neutral value, Wonda field, Wonda value
    ("privacy", "PUBLIC_TO_EVERYONE", "privacyLevel", "PUBLIC_TO_EVERYONE"),
    ("privacy", "FOLLOWER_OF_CREATOR", "privacyLevel", "FOLLOWER_OF_CREATOR"),
    ("allow_comment", True, "disableComment", False),
    ("allow_comment", False, "disableComment", True),
    ("allow_duet", True, "disableDuet", False),
    ("allow_duet", False, "disableDuet", True),
    ("allow_stitch", True, "disableStitch", False),
    ("allow_stitch", False, "disableStitch", True),
    ("ai_generated", True, "isAigc", True),
    ("ai_generated", False, "isAigc", False),
    ("brand_organic", True, "brandOrganic", True),
    ("branded_content", True, "brandedContent", True),
]


@pytest.mark.parametrize(("field", "value", "wire_name", "wire_value"), TIKTOK_CASES)
def test_tiktok_option_maps_to_wonda(field: str, value: Any, wire_name: str, wire_value: object) -> None:
    options = TikTokOptions(**{field: value})
    if field == "branded_content":
        options = TikTokOptions(branded_content=True, privacy="PUBLIC_TO_EVERYONE")
    assert body(video_post(tiktok=options))[wire_name] == wire_value
    assert TIKTOK.fields[field].wire == wire_name


@pytest.mark.parametrize(("field", "value", "wire_name", "wire_value"), TIKTOK_CASES)
def test_tiktok_wonda_field_reads_back_as_neutral(
    field: str, value: Any, wire_name: str, wire_value: object
) -> None:
    sent = body(video_post(tiktok=TikTokOptions(**{field: value})))
    back = TIKTOK.from_wire(sent)
    assert getattr(back, field) == value
    assert sent[wire_name] == wire_value


@pytest.mark.parametrize(("draft", "mode"), [(True, "inbox"), (False, "direct"), (None, "direct")])
def test_draft_is_post_mode(draft: bool | None, mode: str) -> None:
    assert body(video_post(tiktok=TikTokOptions(draft=draft)))["postMode"] == mode


@pytest.mark.parametrize(
    ("organic", "branded", "disclose"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_commercial_disclosure_follows_either_toggle(organic: bool, branded: bool, disclose: bool) -> None:
    options = TikTokOptions(brand_organic=organic, branded_content=branded, privacy="PUBLIC_TO_EVERYONE")
    sent = body(video_post(tiktok=options))
    assert (sent["discloseCommercial"], sent["brandOrganic"], sent["brandedContent"]) == (
        disclose,
        organic,
        branded,
    )


def test_unset_tiktok_options_are_the_neutral_defaults_never_wondas() -> None:
    sent = body(video_post())
    assert sent == {
        "mediaId": "m-1",
        "tiktokAccountId": "acc-1",
        "caption": "hi",
        "privacyLevel": "SELF_ONLY",
        "isAigc": False,  # Wonda's own default has been true: always sent
        "postMode": "direct",
        "disableComment": False,
        "disableDuet": False,
        "disableStitch": False,
        "discloseCommercial": False,
        "brandOrganic": False,
        "brandedContent": False,
    }


def test_schedule_at_is_iso_8601_with_its_offset() -> None:
    at = datetime(2026, 6, 20, 16, 30, tzinfo=timezone(timedelta(hours=2)))
    assert body(video_post(schedule_at=at))["scheduledAt"] == "2026-06-20T16:30:00+02:00"
    assert body(video_post(schedule_at=at.astimezone(UTC)))["scheduledAt"] == "2026-06-20T14:30:00+00:00"
    assert "scheduledAt" not in body(video_post())


def test_tiktok_photos_go_to_the_carousel_without_duet_or_stitch() -> None:
    post = Post(text="two", media=PHOTOS, targets=["tiktok:acc-1"], tiktok=TikTokOptions(cover_index=1))
    call = mapping.build(post, route(), ("m-1", "m-2"), extras={})
    assert (call.path, call.synchronous) == ("/publish/tiktok/carousel", True)
    assert call.body == {
        "mediaIds": ["m-1", "m-2"],
        "tiktokAccountId": "acc-1",
        "caption": "two",
        "privacyLevel": "SELF_ONLY",
        "postMode": "direct",
        "coverIndex": 1,
        "isAigc": False,
        "disableComment": False,
        "discloseCommercial": False,
        "brandOrganic": False,
        "brandedContent": False,
    }
    back = TIKTOK.from_wire(call.body)
    assert isinstance(back, TikTokOptions)
    assert (back.cover_index, back.allow_comment, call.body["mediaIds"]) == (1, True, ["m-1", "m-2"])


def test_tiktok_video_goes_to_the_job_endpoint() -> None:
    call = mapping.build(video_post(), route(), ("m-1",), extras={})
    assert (call.path, call.synchronous, call.post_mode) == ("/publish/tiktok", False, "direct")


# -- Instagram ------------------------------------------------------------------


def ig_post(media: list[str] | None = None, **options: Any) -> Post:
    return Post(
        text="caption",
        media=media or [VIDEO],
        targets=["instagram:ig-1"],
        instagram=InstagramOptions(**options) if options else None,
    )


@pytest.mark.parametrize(
    ("media", "options", "product", "extra"),
    [
        ([VIDEO], {}, "REELS", {"shareToFeed": True}),
        ([VIDEO], {"share_to_feed": False}, "REELS", {"shareToFeed": False}),
        ([VIDEO], {"story": True}, "STORIES", {}),
        (["https://cdn.example.com/a.jpg"], {}, "IMAGE", {}),
        (["https://cdn.example.com/a.jpg"], {"alt_text": "a cat"}, "IMAGE", {"altText": "a cat"}),
        (["https://cdn.example.com/a.jpg"], {"story": True}, "STORIES", {}),
    ],
)
def test_instagram_single_post_product_and_fields(
    media: list[str], options: dict[str, Any], product: str, extra: dict[str, Any]
) -> None:
    call = mapping.build(ig_post(media, **options), route("instagram", "ig-1"), ("m-1",), extras={})
    assert call.path == "/publish/instagram"
    assert call.body == {
        "mediaId": "m-1",
        "instagramAccountId": "ig-1",
        "caption": "caption",
        "product": product,
        **extra,
    }
    back = INSTAGRAM.neutral(call.body)
    assert (back["story"], back.get("share_to_feed"), back.get("alt_text")) == (
        product == "STORIES",
        extra.get("shareToFeed"),
        extra.get("altText"),
    )


def test_instagram_photos_go_to_the_carousel() -> None:
    post = ig_post([*PHOTOS[:1], "https://cdn.example.com/c.jpg"])
    call = mapping.build(post, route("instagram", "ig-1"), ("m-1", "m-2"), extras={})
    assert (call.path, call.synchronous) == ("/publish/instagram/carousel", True)
    assert call.body == {"mediaIds": ["m-1", "m-2"], "instagramAccountId": "ig-1", "caption": "caption"}


# -- tables, extras ---------------------------------------------------------------


def test_field_tables_name_only_options_the_capabilities_carry() -> None:
    tiktok = WondaAdapter.capabilities.platforms["tiktok"].options
    instagram = WondaAdapter.capabilities.platforms["instagram"].options
    assert set(TIKTOK.fields) == tiktok
    assert set(INSTAGRAM.fields) == instagram
    assert WondaAdapter.field_mapping["TikTokOptions"]["allow_comment"] == "!disableComment"
    assert WondaAdapter.field_mapping["TikTokOptions"]["privacy"] == "privacyLevel"


def test_extras_are_merged_over_the_body_as_given() -> None:
    post = video_post(extras={"wonda": {"caption": "raw", "futureField": 1}, "wahdx": {"ignored": True}})
    sent = body(post)
    assert (sent["caption"], sent["futureField"]) == ("raw", 1)
    assert "ignored" not in sent


def test_a_body_read_back_refuses_a_string_for_a_boolean() -> None:
    sent = body(video_post())
    assert option_errors(TIKTOK, sent) == []
    assert option_errors(TIKTOK, {**sent, "disableComment": "false"}) == [("disableComment", "a boolean")]
