"""The neutral ⇄ PostPeer tables, both ways: options, defaults, statuses, media types and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from postmux import (
    FacebookOptions,
    InstagramOptions,
    Media,
    MediaKind,
    Post,
    Route,
    Status,
    Target,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from postmux.options import PlatformOptions
from postmux_postpeer import PostPeerAdapter, wire
from postmux_postpeer.body import media_type, platform_data
from postmux_postpeer.vocabulary import STATUSES, VOCABULARY

from .spec import Spec
from .support import PHOTOS, VIDEO

FIELDS = {m.options: m.docs for m in VOCABULARY.options}
"""Option class → {neutral field: ``platformSpecificData`` key}, ``!`` for inverted: the vocabulary's."""


def to_wire(options: PlatformOptions) -> dict[str, Any]:
    """An option object as ``platformSpecificData``: only the fields set (no ``contentType`` for a feed)."""
    option_map = VOCABULARY.for_platform(options.platform)
    assert option_map is not None
    return option_map.to_wire(options, defaults=False)


def from_wire(data: dict[str, Any], cls: type[PlatformOptions]) -> PlatformOptions:
    """``platformSpecificData`` read back as the neutral option class (the inverse of :func:`to_wire`)."""
    option_map = VOCABULARY.for_platform(cls.platform)
    assert option_map is not None
    return option_map.from_wire(data)


SAMPLES: dict[str, object] = {
    "privacy": "FOLLOWER_OF_CREATOR",
    "allow_comment": False,
    "allow_duet": False,
    "allow_stitch": True,
    "branded_content": True,
    "brand_organic": True,
    "ai_generated": True,
    "cover_timestamp_ms": 2500,
    "auto_add_music": False,
    "cover_index": 1,
    "draft": True,
    "story": True,
    "share_to_feed": False,
    "cover_url": "https://cdn.example.com/cover.jpg",
    "thumb_offset_ms": 1500,
    "collaborators": ("ana", "bo.b"),
    "reply_control": "mentioned_only",
    "alt_text": ("a cat", "a dog"),
    "link": "https://example.com/launch",
    "thumbnail_url": "https://cdn.example.com/thumb.jpg",
    "title": "New Tutorial",
    "visibility": "unlisted",
    "tags": ("python", "howto"),
    "made_for_kids": True,
    "category_id": "27",
    "first_comment": "Links below",
}

ROWS = [(cls, neutral, wire_name) for cls, table in FIELDS.items() for neutral, wire_name in table.items()]


def _wire_value(neutral: str, wire_name: str, value: object) -> object:
    if neutral == "story":
        return "story"
    if wire_name.startswith("!"):
        return not value
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize(("cls", "neutral", "wire_name"), ROWS, ids=[f"{c.__name__}.{n}" for c, n, _ in ROWS])
def test_every_field_maps_out_and_back(cls: type[PlatformOptions], neutral: str, wire_name: str) -> None:
    options = cls(**{neutral: SAMPLES[neutral]})
    out = to_wire(options)
    assert out == {wire_name.lstrip("!"): _wire_value(neutral, wire_name, SAMPLES[neutral])}
    assert from_wire(out, cls) == options


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda c: c.__name__)
def test_the_tables_name_only_keys_of_the_spec(cls: type[PlatformOptions], spec: Spec) -> None:
    schema = spec.document["definitions"][_schema_name(cls)]
    keys = {w.lstrip("!") for w in FIELDS[cls].values()}
    assert keys <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def _schema_name(cls: type[PlatformOptions]) -> str:
    return {
        TikTokOptions: "TikTokConfigurations",
        InstagramOptions: "InstagramConfigurations",
        ThreadsOptions: "ThreadsConfigurations",
        FacebookOptions: "FacebookConfigurations",
        YouTubeOptions: "YouTubeConfigurations",
    }[cls]


def test_a_feed_post_sends_no_content_type() -> None:
    assert "contentType" not in to_wire(InstagramOptions(story=False))
    assert from_wire({}, InstagramOptions) == InstagramOptions()


def test_field_mapping_for_the_docs_covers_every_option_class() -> None:
    assert set(PostPeerAdapter.field_mapping) == {c.__name__ for c in FIELDS}
    for cls in FIELDS:
        names = {f.name for f in attrs.fields(cls)}
        assert set(PostPeerAdapter.field_mapping[cls.__name__]) <= names
        support = PostPeerAdapter.capabilities.for_platform(cls.platform)
        assert support is not None
        assert support.options == set(PostPeerAdapter.field_mapping[cls.__name__])


# -- neutral defaults, sent explicitly -------------------------------------------


def _post(media: list[str], **kw: Any) -> Post:
    return Post(text="Hello", media=media, targets=[Target("tiktok", "a")], **kw)


def test_tiktok_video_defaults_are_the_neutral_ones_never_postpeers() -> None:
    assert platform_data(_post([VIDEO]), "tiktok") == {
        "privacyLevel": "SELF_ONLY",
        "disableComment": False,
        "disableDuet": False,
        "disableStitch": False,
        "videoCoverTimestampMs": 1000,
        "isAigc": False,
        "draft": False,
        "brandOrganicToggle": False,
        "brandContentToggle": False,
    }


def test_tiktok_photo_post_gets_photo_fields_and_the_text_as_description() -> None:
    data = platform_data(_post(PHOTOS, title="Two photos"), "tiktok")
    assert data == {
        "privacyLevel": "SELF_ONLY",
        "disableComment": False,
        "photoCoverIndex": 0,
        "autoAddMusic": True,
        "draft": False,
        "brandOrganicToggle": False,
        "brandContentToggle": False,
        "description": "Hello",
    }


def test_youtube_defaults_to_private_and_takes_the_post_title() -> None:
    post = Post(text="desc", media=[VIDEO], targets=[Target("youtube", "y")], title="Post title")
    assert platform_data(post, "youtube") == {
        "visibility": "private",
        "madeForKids": False,
        "containsSyntheticMedia": False,
        "title": "Post title",
    }
    own = attrs.evolve(post, youtube=YouTubeOptions(title="Own title", visibility="public"))
    assert platform_data(own, "youtube")["title"] == "Own title"
    assert platform_data(own, "youtube")["visibility"] == "public"


def test_youtube_without_any_title_leaves_it_to_postpeer() -> None:
    post = Post(text="desc", media=[VIDEO], targets=[Target("youtube", "y")])
    assert "title" not in platform_data(post, "youtube")


@pytest.mark.parametrize(
    ("platform", "media", "expected"),
    [
        ("instagram", [VIDEO], {"shareToFeed": True}),
        ("instagram", PHOTOS, {}),
        ("threads", PHOTOS, {"replyControl": "everyone"}),
        ("facebook", [VIDEO], {"published": True}),
    ],
)
def test_meta_defaults(platform: str, media: list[str], expected: dict[str, object]) -> None:
    post = Post(text="x", media=media, targets=[Target(platform, "a")])
    assert platform_data(post, platform) == expected


def test_instagram_story_and_collaborators_without_at_sign() -> None:
    post = Post(
        text="x",
        media=[VIDEO],
        targets=[Target("instagram", "a")],
        instagram=InstagramOptions(collaborators=["@ana", "bob"]),
    )
    assert platform_data(post, "instagram")["collaborators"] == ["ana", "bob"]
    story = attrs.evolve(post, instagram=InstagramOptions(story=True))
    assert platform_data(story, "instagram") == {"contentType": "story"}


def test_tiktok_photo_title_is_that_entrys_own_content() -> None:
    post = _post(PHOTOS, title="Short title")
    body = PostPeerAdapter().post_body(post, [Route(Target("tiktok", "a"), "a")], PHOTOS)
    assert body["content"] == "Hello"
    assert body["platforms"][0]["content"] == "Short title"
    no_title = PostPeerAdapter().post_body(_post(PHOTOS), [Route(Target("tiktok", "a"), "a")], PHOTOS)
    assert "content" not in no_title["platforms"][0]


# -- statuses, media types, times -------------------------------------------------


def test_every_status_of_the_spec_has_a_neutral_status(spec: Spec) -> None:
    assert set(STATUSES) == set(spec.document["definitions"]["Status"]["enum"])


@pytest.mark.parametrize(
    ("value", "draft", "expected"),
    [
        ("draft", False, Status.CANCELLED),
        ("pending", False, Status.QUEUED),
        ("scheduled", False, Status.SCHEDULED),
        ("publishing", False, Status.PROCESSING),
        ("published", False, Status.PUBLISHED),
        ("published", True, Status.INBOX),
        ("partial", False, Status.PUBLISHED),
        ("failed", False, Status.FAILED),
        ("failed", True, Status.FAILED),
        ("PUBLISHED", False, Status.PUBLISHED),
        ("something_new", False, Status.PROCESSING),
    ],
)
def test_status_table(value: str, draft: bool, expected: Status) -> None:
    assert STATUSES(value, draft=draft) is expected


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        (Media(url=VIDEO), "video"),
        (Media(url="https://x.example/a.jpg"), "image"),
        (Media(url="https://x.example/a.gif"), "gif"),
        (Media(url="https://x.example/clip", kind=MediaKind.VIDEO, mime_type="video/mp4"), "video"),
    ],
)
def test_media_types(media: Media, expected: str) -> None:
    assert media_type(media) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (
            datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")),
            {"scheduledFor": "2026-07-01T09:00:00.000-04:00", "timezone": "America/New_York"},
        ),
        (
            datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
            {"scheduledFor": "2026-07-01T09:00:00.000Z", "timezone": "UTC"},
        ),
        (
            datetime(2026, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=2))),
            {"scheduledFor": "2026-07-01T07:00:00.000Z", "timezone": "UTC"},
        ),
    ],
)
def test_schedule_fields_keep_offset_and_zone_in_agreement(at: datetime, expected: dict[str, str]) -> None:
    fields = wire.schedule_fields(at)
    assert fields == expected
    assert wire.parse_when(fields["scheduledFor"], fields["timezone"]) == at


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC).astimezone(ZoneInfo("America/New_York")),  # 01:30, again
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC).astimezone(ZoneInfo("America/New_York")),  # 01:30, first
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris")),  # 02:30, again
        datetime(2026, 3, 8, 2, 30, tzinfo=ZoneInfo("America/New_York")),  # a time the clocks skip
    ],
    ids=["new-york-second", "new-york-first", "paris-second", "new-york-gap"],
)
def test_schedule_fields_name_one_instant_around_a_clock_change(at: datetime) -> None:
    """The offset and the wall-clock time in ``timezone`` must name the same instant, as the README says.

    Before: the second 01:30 of New York's fall-back night went out as ``01:30-05:00`` with
    ``America/New_York``; read as a wall-clock time in that zone (the docs' way, and
    ``parse_when``'s for an echo without offset), it is the first 01:30, an hour early.
    """
    fields, instant = wire.schedule_fields(at), at.timestamp()  # (around a change, == compares no zones)
    sent = datetime.fromisoformat(fields["scheduledFor"].replace("Z", "+00:00"))
    wall = sent.replace(tzinfo=None)
    assert sent.timestamp() == instant
    assert wall.replace(tzinfo=ZoneInfo(fields["timezone"])).timestamp() == instant  # read in the zone
    parsed = wire.parse_when(wall.isoformat(), fields["timezone"])
    assert parsed is not None
    assert parsed.timestamp() == instant


def test_schedule_fields_refuse_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        wire.schedule_fields(datetime(2026, 7, 1, 9, 0))


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2026-03-29T13:00:00.000Z", None, datetime(2026, 3, 29, 13, tzinfo=UTC)),
        ("2026-07-01T09:00:00", "America/New_York", datetime(2026, 7, 1, 13, tzinfo=UTC)),
        ("2026-07-01T09:00:00", "Not/AZone", datetime(2026, 7, 1, 9, tzinfo=UTC)),
        (None, "UTC", None),
    ],
)
def test_parse_when(value: str | None, zone: str | None, expected: datetime | None) -> None:
    assert wire.parse_when(value, zone) == expected
