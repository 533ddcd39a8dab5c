"""Validation: one case per rule, each naming the field; every problem at once; no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from postmux import (
    Capabilities,
    FacebookOptions,
    InstagramOptions,
    Media,
    PlatformSupport,
    Post,
    Problem,
    Publisher,
    Secret,
    Target,
    ThreadsOptions,
    TikTokOptions,
    UnsupportedError,
    ValidationError,
    YouTubeOptions,
)
from postmux.validation import raise_for_problems, validate

from .fakes import FULL, KEY, NARROW, FakeAdapter, Vendor

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
VIDEO = "https://cdn.example.com/clip.mp4"
JPG = "https://cdn.example.com/p{}.jpg"


def photos(n: int, ext: str = "jpg") -> list[str]:
    return [f"https://cdn.example.com/p{i}.{ext}" for i in range(n)]


def post(**kwargs: Any) -> Post:
    base: dict[str, Any] = {"text": "hello", "media": [VIDEO], "targets": ["tiktok:acc"]}
    base.update(kwargs)
    return Post(**base)


def problems(p: object, caps: Capabilities = FULL) -> list[Problem]:
    return validate(p, caps, provider="fake", now=NOW)


def test_a_good_post_has_no_problems() -> None:
    assert problems(post()) == []
    assert (
        problems(post(media=photos(3), targets=["tiktok:a", "instagram:b", "threads:c", "facebook:d"])) == []
    )
    assert problems(post(media=[], targets=["threads:a", "facebook:b"])) == []
    assert problems(post(targets=["youtube:a"], title="A title")) == []


EMOJI = "\U0001f600"  # 2 UTF-16 code units, 4 UTF-8 bytes

# (id, post kwargs, capabilities, field, unsupported, message fragment)
CASES: list[tuple[str, dict[str, Any], Capabilities, str, bool, str]] = [
    # -- types and media ----------------------------------------------------
    ("text type", {"text": 5}, FULL, "text", False, "expected a string"),
    ("title type", {"title": 5}, FULL, "title", False, "expected a string"),
    ("key type", {"key": ""}, FULL, "key", False, "non-empty"),
    ("extras type", {"extras": {"fake": 1}}, FULL, "extras", False, "mapping"),
    ("media type", {"media": 42}, FULL, "media", False, "expected a list"),
    ("media item type", {"media": [VIDEO, 3]}, FULL, "media[1]", False, "expected a URL"),
    ("options type", {"tiktok": InstagramOptions()}, FULL, "tiktok", False, "TikTokOptions"),
    ("unknown kind", {"media": ["https://x.test/file?id=1"]}, FULL, "media[0]", False, "cannot tell"),
    ("bad kind", {"media": [Media(url=VIDEO, kind="gif")]}, FULL, "media[0].kind", False, "photo"),  # type: ignore[arg-type]
    ("url and path", {"media": [Media(url=VIDEO, path="/a.mp4")]}, FULL, "media[0]", False, "exactly one"),
    ("neither", {"media": [Media()]}, FULL, "media[0]", False, "exactly one"),
    ("not http", {"media": ["ftp://x.test/a.mp4"]}, FULL, "media[0].url", False, "http(s)"),
    ("file url", {"media": [Media(url="file:///tmp/a.mp4")]}, FULL, "media[0].url", False, "http(s)"),
    ("local file", {"media": [Path("/tmp/a.mp4")]}, NARROW, "media[0].path", True, "public URLs"),
    (
        "bare path",
        {"media": ["/tmp/a.mp4"]},
        FULL,
        "media[0]",
        False,
        "must be a pathlib.Path or Media(path=…)",
    ),
    ("relative", {"media": ["photos/b.webp"]}, FULL, "media[0]", False, "'photos/b.webp' is not a URL"),
    ("mixed", {"media": [VIDEO, "https://x.test/a.jpg"]}, FULL, "media", False, "mixed"),
    ("two videos", {"media": [VIDEO, "https://x.test/b.mov"]}, FULL, "media", False, "exactly one video"),
    ("no media", {"media": []}, FULL, "media", False, "need a photo or a video"),
    # -- photo counts and formats -------------------------------------------
    ("tiktok max photos", {"media": photos(36)}, FULL, "media", False, "at most 35"),
    (
        "instagram max photos",
        {"media": photos(11), "targets": ["instagram:a"]},
        FULL,
        "media",
        False,
        "at most 10",
    ),
    (
        "threads max photos",
        {"media": photos(21), "targets": ["threads:a"]},
        FULL,
        "media",
        False,
        "at most 20",
    ),
    ("vendor min photos", {"media": photos(1)}, NARROW, "media", True, "at least 2"),
    (
        "vendor max photos",
        {"media": photos(5)},
        attrs.evolve(FULL, platforms={"tiktok": PlatformSupport(max_photos=4)}),
        "media",
        True,  # the platform takes 5: the vendor's own limit
        "at most 4",
    ),
    (
        "tiktok png",
        {"media": [*photos(2), "https://x.test/c.png"]},
        FULL,
        "media[2]",
        False,
        "jpeg, jpg, webp",
    ),
    (
        "instagram webp",
        {"media": photos(2, "webp"), "targets": ["instagram:a"]},
        FULL,
        "media[0]",
        False,
        "jpeg, jpg",
    ),
    ("tiktok mkv", {"media": ["https://x.test/a.mkv"]}, FULL, "media[0]", False, "TikTok videos"),
    (
        "youtube photos",
        {"media": photos(1), "targets": ["youtube:a"]},
        FULL,
        "media",
        False,
        "takes no photos",
    ),
    (
        "vendor no video",
        {"targets": ["instagram:a"]},
        attrs.evolve(FULL, platforms={"instagram": PlatformSupport(video=False)}),
        "media",
        True,
        "cannot publish videos",
    ),
    # -- text lengths in the platform's unit ----------------------------------
    ("tiktok caption utf16", {"text": "a" * 2199 + EMOJI}, FULL, "text", False, "2200 UTF-16"),
    ("tiktok photo description", {"text": "a" * 4001, "media": photos(2)}, FULL, "text", False, "4000"),
    ("tiktok photo title", {"title": "t" * 89 + EMOJI, "media": photos(2)}, FULL, "title", False, "90"),
    ("instagram caption", {"text": "a" * 2201, "targets": ["instagram:a"]}, FULL, "text", False, "2200"),
    (
        "threads emoji bytes",
        {"text": "a" * 497 + EMOJI, "targets": ["threads:a"]},
        FULL,
        "text",
        False,
        "500",
    ),
    (
        "youtube description bytes",
        {"text": "é" * 2501, "targets": ["youtube:a"]},
        FULL,
        "text",
        False,
        "5000 UTF-8",
    ),
    ("youtube text chars", {"text": "a < b", "targets": ["youtube:a"]}, FULL, "text", False, "< or >"),
    ("youtube title length", {"title": "t" * 101, "targets": ["youtube:a"]}, FULL, "title", False, "100"),
    ("youtube title chars", {"title": "<b>", "targets": ["youtube:a"]}, FULL, "title", False, "< or >"),
    (
        "vendor no title",
        {"title": "T", "media": photos(2)},
        attrs.evolve(FULL, platforms={"tiktok": PlatformSupport(title=False)}),
        "title",
        True,
        "cannot send a title",
    ),
    (
        "vendor caption narrower",
        {"text": "a" * 101},
        attrs.evolve(
            FULL,
            platforms={"tiktok": PlatformSupport(caption=__import__("postmux.rules").rules.TextLimit(100))},
        ),
        "text",
        True,  # within TikTok's 2200: the vendor's own limit
        "allows 100",
    ),
    # -- TikTok options -------------------------------------------------------
    (
        "privacy value",
        {"tiktok": TikTokOptions(privacy="PUBLIC")},  # type: ignore[arg-type]  # deliberately invalid
        FULL,
        "tiktok.privacy",
        False,
        "must be one of",
    ),
    (
        "cover index range",
        {"media": photos(3), "tiktok": TikTokOptions(cover_index=3)},
        FULL,
        "tiktok.cover_index",
        False,
        "between 0 and 2",
    ),
    (
        "cover index on video",
        {"tiktok": TikTokOptions(cover_index=0)},
        FULL,
        "tiktok.cover_index",
        False,
        "photo posts",
    ),
    (
        "cover ts on photos",
        {"media": photos(2), "tiktok": TikTokOptions(cover_timestamp_ms=5)},
        FULL,
        "tiktok.cover_timestamp_ms",
        False,
        "videos",
    ),
    (
        "cover ts negative",
        {"tiktok": TikTokOptions(cover_timestamp_ms=-1)},
        FULL,
        "tiktok.cover_timestamp_ms",
        False,
        "negative",
    ),
    (
        "branded self only",
        {"tiktok": TikTokOptions(branded_content=True)},
        FULL,
        "tiktok.privacy",
        False,
        "SELF_ONLY",
    ),
    (
        "duet on photos",
        {"media": photos(2), "tiktok": TikTokOptions(allow_duet=True)},
        FULL,
        "tiktok.allow_duet",
        False,
        "only for videos",
    ),
    (
        "stitch on photos",
        {"media": photos(2), "tiktok": TikTokOptions(allow_stitch=False)},
        FULL,
        "tiktok.allow_stitch",
        False,
        "only for videos",
    ),
    (
        "music on video",
        {"tiktok": TikTokOptions(auto_add_music=True)},
        FULL,
        "tiktok.auto_add_music",
        False,
        "photo posts only",
    ),
    (
        "bool type",
        {"tiktok": TikTokOptions(allow_comment="no")},  # type: ignore[arg-type]  # deliberately invalid
        FULL,
        "tiktok.allow_comment",
        False,
        "True or False",
    ),
    (
        "int type",
        {"tiktok": TikTokOptions(cover_timestamp_ms=True)},
        FULL,
        "tiktok.cover_timestamp_ms",
        False,
        "whole number",
    ),
    # -- schedule -------------------------------------------------------------
    ("schedule type", {"schedule_at": "tomorrow"}, FULL, "schedule_at", False, "expected a datetime"),
    ("schedule naive", {"schedule_at": datetime(2030, 2, 1)}, FULL, "schedule_at", False, "timezone-aware"),
    ("schedule past", {"schedule_at": NOW - timedelta(minutes=1)}, FULL, "schedule_at", False, "future"),
    (
        "schedule too soon",
        {"schedule_at": NOW + timedelta(minutes=5)},
        FULL,
        "schedule_at",
        False,
        "at least 10 minutes",
    ),
    (
        "schedule too far",
        {"schedule_at": NOW + timedelta(days=31)},
        FULL,
        "schedule_at",
        False,
        "at most 30 days",
    ),
    (
        "vendor no scheduling",
        {"schedule_at": NOW + timedelta(days=1)},
        NARROW,
        "schedule_at",
        True,
        "cannot schedule",
    ),
    # -- targets --------------------------------------------------------------
    ("no targets", {"targets": []}, FULL, "targets", False, "at least one"),
    ("target type", {"targets": ["tiktok:a", 7]}, FULL, "targets[1]", False, "expected a Target"),
    ("unknown platform", {"targets": ["myspace:a"]}, FULL, "targets[0].platform", False, "unknown platform"),
    (
        "vendor lacks platform",
        {"targets": ["threads:a"]},
        NARROW,
        "targets[0].platform",
        True,
        "does not publish",
    ),
    ("duplicate target", {"targets": ["tiktok:a", "tiktok:a"]}, FULL, "targets[1]", False, "twice"),
    ("empty account", {"targets": [Target("tiktok", "@")]}, FULL, "targets[0].account", False, "account id"),
    # -- options the vendor lacks ---------------------------------------------
    (
        "vendor lacks option",
        {"tiktok": TikTokOptions(privacy="PUBLIC_TO_EVERYONE")},
        NARROW,
        "tiktok.privacy",
        True,
        "cannot carry",
    ),
    (
        "vendor lacks ai label",
        {"tiktok": TikTokOptions(ai_generated=True)},
        NARROW,
        "tiktok.ai_generated",
        True,
        "cannot carry",
    ),
    # -- Instagram ------------------------------------------------------------
    (
        "ig hashtags",
        {"text": " ".join(f"#t{i}" for i in range(31)), "targets": ["instagram:a"]},
        FULL,
        "text",
        False,
        "30 hashtags",
    ),
    (
        "ig mentions",
        {"text": " ".join(f"@u{i}" for i in range(21)), "targets": ["instagram:a"]},
        FULL,
        "text",
        False,
        "20 @mentions",
    ),
    (
        "ig collaborators",
        {"targets": ["instagram:a"], "instagram": InstagramOptions(collaborators=["a", "b", "c", "d"])},
        FULL,
        "instagram.collaborators",
        False,
        "at most 3",
    ),
    (
        "ig alt text long",
        {"media": photos(2), "targets": ["instagram:a"], "instagram": InstagramOptions(alt_text="x" * 1001)},
        FULL,
        "instagram.alt_text",
        False,
        "1000",
    ),
    (
        "ig alt text video",
        {"targets": ["instagram:a"], "instagram": InstagramOptions(alt_text="x")},
        FULL,
        "instagram.alt_text",
        False,
        "images only",
    ),
    (
        "ig alt text story",
        {
            "media": photos(1),
            "targets": ["instagram:a"],
            "instagram": InstagramOptions(story=True, alt_text="x"),
        },
        FULL,
        "instagram.alt_text",
        False,
        "stories",
    ),
    (
        "ig share_to_feed photos",
        {"media": photos(2), "targets": ["instagram:a"], "instagram": InstagramOptions(share_to_feed=True)},
        FULL,
        "instagram.share_to_feed",
        False,
        "reels",
    ),
    (
        "ig cover on photos",
        {
            "media": photos(2),
            "targets": ["instagram:a"],
            "instagram": InstagramOptions(cover_url="https://x.test/c.jpg"),
        },
        FULL,
        "instagram.cover_url",
        False,
        "reels",
    ),
    (
        "ig thumb offset",
        {"targets": ["instagram:a"], "instagram": InstagramOptions(thumb_offset_ms=-5)},
        FULL,
        "instagram.thumb_offset_ms",
        False,
        "negative",
    ),
    # -- Threads, Facebook, YouTube -------------------------------------------
    (
        "threads reply control",
        {"targets": ["threads:a"], "threads": ThreadsOptions(reply_control="nobody")},  # type: ignore[arg-type]  # deliberately invalid
        FULL,
        "threads.reply_control",
        False,
        "must be one of",
    ),
    (
        "threads alt texts",
        {"media": photos(2), "targets": ["threads:a"], "threads": ThreadsOptions(alt_text=["a", "b", "c"])},
        FULL,
        "threads.alt_text",
        False,
        "3 alt texts",
    ),
    (
        "facebook link",
        {"targets": ["facebook:a"], "facebook": FacebookOptions(link="javascript:x")},
        FULL,
        "facebook.link",
        False,
        "http(s)",
    ),
    (
        "youtube visibility",
        {"targets": ["youtube:a"], "youtube": YouTubeOptions(visibility="secret")},  # type: ignore[arg-type]  # deliberately invalid
        FULL,
        "youtube.visibility",
        False,
        "must be one of",
    ),
    (
        "youtube option title",
        {"targets": ["youtube:a"], "youtube": YouTubeOptions(title="t" * 101)},
        FULL,
        "youtube.title",
        False,
        "100",
    ),
    (
        "youtube option title chars",
        {"targets": ["youtube:a"], "youtube": YouTubeOptions(title="a>b")},
        FULL,
        "youtube.title",
        False,
        "< or >",
    ),
    (
        "youtube tags",
        {"targets": ["youtube:a"], "youtube": YouTubeOptions(tags=["x" * 250, "y" * 250])},
        FULL,
        "youtube.tags",
        False,
        "500",
    ),
    (
        "youtube tags not strings",
        {"targets": ["youtube:a"], "youtube": YouTubeOptions(tags=[1, 2])},
        FULL,
        "youtube.tags",
        False,
        "strings",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "caps", "field", "unsupported", "fragment"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rule(
    kwargs: dict[str, Any], caps: Capabilities, field: str, unsupported: bool, fragment: str
) -> None:
    found = problems(post(**kwargs), caps)
    matching = [p for p in found if p.field == field and fragment in p.message]
    assert matching, f"no problem on {field!r} mentioning {fragment!r}; got {found}"
    assert all(p.unsupported is unsupported for p in matching)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": "a" * 2200},
        {"text": "a" * 2198 + "\U0001f600"},
        {"text": "a" * 496 + "\U0001f600", "targets": ["threads:a"]},
        {"text": "é" * 2500, "targets": ["youtube:a"]},
        {"title": "t" * 90, "media": photos(2)},
        {"media": photos(35)},
        {"media": photos(2), "tiktok": TikTokOptions(cover_index=1, auto_add_music=False)},
        {"tiktok": TikTokOptions(branded_content=True, privacy="PUBLIC_TO_EVERYONE")},
        {"schedule_at": NOW + timedelta(minutes=10)},
        {"schedule_at": NOW + timedelta(days=30)},
        {"media": [Media(url="https://x.test/dl?id=1", kind="video", mime_type="video/mp4")]},
        {"text": " ".join(f"#t{i}" for i in range(30)), "targets": ["instagram:a"]},
        {"text": "@same " * 25, "targets": ["instagram:a"]},
    ],
)
def test_limits_are_inclusive(kwargs: dict[str, Any]) -> None:
    assert problems(post(**kwargs)) == []


def test_neutral_default_is_not_unsupported() -> None:
    ok = post(tiktok=TikTokOptions(privacy="SELF_ONLY", allow_comment=False, ai_generated=False, draft=False))
    assert problems(ok, NARROW) == []
    found = problems(post(tiktok=TikTokOptions(privacy="PUBLIC_TO_EVERYONE", draft=True)), NARROW)
    assert {p.field for p in found} == {"tiktok.privacy", "tiktok.draft"}
    assert all(p.unsupported for p in found)


def test_not_a_post() -> None:
    assert [p.field for p in problems("hello")] == ["post"]


def test_every_problem_at_once() -> None:
    bad = Post(
        text=3,  # type: ignore[arg-type]
        media=[VIDEO, "https://x.test/a.jpg", "ftp://x.test/b.mp4"],
        targets=["tiktok:a", "myspace:b", "tiktok:a"],
        tiktok=TikTokOptions(privacy="EVERYONE"),  # type: ignore[arg-type]  # deliberately invalid
        schedule_at=datetime(2030, 2, 1),
    )
    fields = [p.field for p in problems(bad)]
    for field in (
        "text",
        "media",
        "media[2].url",
        "targets[1].platform",
        "targets[2]",
        "schedule_at",
        "tiktok.privacy",
    ):
        assert field in fields
    assert len(fields) == len(set(map(str, problems(bad)))), "problems are de-duplicated"


def test_raise_for_problems_picks_the_class() -> None:
    raise_for_problems([])
    with pytest.raises(UnsupportedError):
        raise_for_problems([Problem("a", "x", unsupported=True)])
    with pytest.raises(ValidationError) as info:
        raise_for_problems([Problem("a", "x", unsupported=True), Problem("b", "y")])
    assert type(info.value) is ValidationError
    assert info.value.fields == ("a", "b")


def test_adapter_check_is_added_after_the_tables_without_repeats() -> None:
    class Checking(FakeAdapter):
        def check(self, post: Post) -> list[Problem]:
            return [Problem("text", "expected a string, got int"), Problem("text", "fake says no")]

    pub = Publisher(Checking(), Secret(KEY), client=httpx.Client(transport=Vendor().transport()))
    found = pub.validate(post(text=5), now=NOW)
    assert [str(p) for p in found] == ["text: expected a string, got int", "text: fake says no"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"media": [VIDEO, "https://x.test/a.jpg"]}, ValidationError),
        ({"targets": ["threads:a"]}, UnsupportedError),
        ({"tiktok": TikTokOptions(privacy="PUBLIC_TO_EVERYONE")}, UnsupportedError),
        ({"schedule_at": datetime(2030, 2, 1)}, ValidationError),
    ],
)
def test_publish_raises_before_any_request(kwargs: dict[str, Any], error: type[Exception]) -> None:
    class Narrow(FakeAdapter):
        capabilities = NARROW

    vendor = Vendor()
    with Publisher(Narrow(), Secret(KEY), client=vendor.client()) as pub, pytest.raises(error) as info:
        pub.publish(post(**kwargs))
    assert type(info.value) is error
    assert vendor.requests == []


async def test_async_publish_raises_before_any_request() -> None:
    from postmux import AsyncPublisher

    vendor = Vendor()
    async with AsyncPublisher(FakeAdapter(), Secret(KEY), client=vendor.async_client()) as pub:
        with pytest.raises(ValidationError) as info:
            await pub.publish(post(targets=["tiktok:a", "myspace:b"], text=None))
    assert set(info.value.fields) >= {"targets[1].platform", "text"}
    assert vendor.requests == []


def test_unsupported_platform_target_order() -> None:
    found = problems(post(targets=[Target("tiktok", "a"), Target("facebook", "b")]), NARROW)
    assert [p.field for p in found] == ["targets[1].platform"]
    assert found[0].unsupported


def test_type_checks_hold_once_types_are_resolved() -> None:
    """cattrs or a plugin may resolve the option classes' annotations; the checks must not care."""
    for cls in (TikTokOptions, InstagramOptions, YouTubeOptions, FacebookOptions):
        attrs.resolve_types(cls)
    found = problems(post(tiktok=TikTokOptions(allow_comment="no", cover_timestamp_ms="5")))  # type: ignore[arg-type]
    assert {p.field for p in found} == {"tiktok.allow_comment", "tiktok.cover_timestamp_ms"}
