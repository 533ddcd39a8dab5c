"""Validation of odd inputs: one value for a list, ``None`` media, a past time a vendor cannot schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from postmux import (
    FacebookOptions,
    InstagramOptions,
    Media,
    MediaKind,
    Post,
    Target,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from postmux.validation import validate

from .fakes import FULL, NARROW

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
VIDEO = "https://cdn.example.com/clip.mp4"


def test_one_bare_string_is_one_target_as_one_bare_string_is_one_medium() -> None:
    post = Post(text="hi", media=VIDEO, targets="tiktok:@x")
    assert post.media == (Media(url=VIDEO),)
    assert post.targets == (Target("tiktok", "@x"),)
    assert validate(post, FULL, provider="fake", now=NOW) == []


def test_a_bare_string_that_is_no_target_says_what_a_target_is() -> None:
    post = Post(text="hi", media=VIDEO, targets="tiktok")
    problems = validate(post, FULL, provider="fake", now=NOW)
    assert [(p.field, p.message) for p in problems] == [
        ("targets[0]", "expected a Target or 'platform:account', got 'tiktok'")
    ]


def test_media_none_is_one_problem() -> None:
    post = Post(text="hi", media=None, targets=["tiktok:acc"])
    problems = validate(post, FULL, provider="fake", now=NOW)
    assert [p.field for p in problems] == ["media"]
    assert "expected a list" in problems[0].message


def test_a_past_time_at_a_vendor_that_cannot_schedule_reports_both() -> None:
    post = Post(text="hi", media=[VIDEO], targets=["tiktok:acc"], schedule_at=NOW - timedelta(hours=1))
    problems = validate(post, NARROW, provider="narrow", now=NOW)
    assert [(p.field, p.message, p.unsupported) for p in problems] == [
        ("schedule_at", "must be in the future", False),
        ("schedule_at", "narrow cannot schedule posts to TikTok", True),
    ]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (InstagramOptions(collaborators="abc"), "instagram.collaborators"),
        (ThreadsOptions(alt_text="a cat"), "threads.alt_text"),
        (YouTubeOptions(tags="cats"), "youtube.tags"),
    ],
)
def test_a_lone_string_for_a_list_of_strings_names_the_field(options: Any, field: str) -> None:
    # sent as it is, it is no list: a vendor refuses it, or reads "abc" as three collaborators a, b and c
    platform = field.split(".")[0]
    media = [VIDEO] if platform != "threads" else ["https://cdn.example.com/p.jpg"]
    post = Post(text="hi", media=media, targets=[f"{platform}:acc"], **{platform: options})
    problems = validate(post, FULL, provider="fake", now=NOW)
    assert [(p.field, p.unsupported) for p in problems] == [(field, False)]
    assert "expected a list of strings" in problems[0].message


def test_instagram_alt_text_is_one_string_and_the_lists_take_lists() -> None:
    post = Post(
        text="hi",
        media=["https://cdn.example.com/p.jpg"],
        targets=["instagram:a", "threads:b"],
        instagram=InstagramOptions(alt_text="a cat", collaborators=["abc"]),
        threads=ThreadsOptions(alt_text=["a cat"]),
    )
    assert validate(post, FULL, provider="fake", now=NOW) == []


HUGE: Any = 10**5000
"""An int past Python's limit for writing ints as text (4300 digits): it has no repr and no JSON."""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"tiktok": TikTokOptions(cover_timestamp_ms=HUGE)}, "tiktok.cover_timestamp_ms"),
        ({"extras": {"fake": {"n": HUGE}}}, "extras.fake.n"),
        ({"targets": ["facebook:a"], "facebook": FacebookOptions(link=HUGE)}, "facebook.link"),
        ({"targets": ["threads:a"], "threads": ThreadsOptions(reply_control=HUGE)}, "threads.reply_control"),
        ({"targets": ["tiktok:a", HUGE]}, "targets[1]"),
        ({"media": [Media(url=VIDEO, kind=HUGE)]}, "media[0].kind"),
    ],
    ids=["option", "extras", "str-option", "enum-option", "target", "media-kind"],
)
def test_an_int_too_long_to_write_is_a_problem_naming_the_field_never_a_raise(
    fields: dict[str, Any], field: str
) -> None:
    # it used to raise ValueError from validate() (a message's repr), or pass and make a
    # publish unknown (the body's JSON) or raise ValueError (the ledger's digest)
    post = Post(**{"text": "hi", "media": [VIDEO], "targets": ["tiktok:a"], **fields})
    problems = validate(post, FULL, provider="fake", now=NOW)
    assert [p.field for p in problems] == [field]


@pytest.mark.parametrize("url", ["https://[::1/clip.mp4", "https://cdn.exa\u2100mple.com/clip.mp4"])
def test_a_url_urlsplit_cannot_read_is_a_problem_not_a_raise_on_construction(url: str) -> None:
    # an unclosed "[" in the host, or a host NFKC changes: urlsplit raises ValueError, which
    # Post(media=…) raised as it is, before any validation
    post = Post(text="hi", media=[url], targets=["tiktok:a"])
    assert post.media[0].kind is MediaKind.VIDEO
    problems = validate(post, FULL, provider="fake", now=NOW)
    assert [(p.field, p.message) for p in problems] == [("media[0].url", f"not an http(s) URL: {url!r}")]


PHOTOS = ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"]


def test_an_instagram_story_is_one_photo_or_one_video() -> None:
    # the Graph API's STORIES container takes one image_url or video_url: a carousel is no story
    story = InstagramOptions(story=True)
    carousel = Post(text="hi", media=PHOTOS, targets=["instagram:acc"], instagram=story)
    problems = validate(carousel, FULL, provider="fake", now=NOW)
    assert [(p.field, p.unsupported) for p in problems] == [("instagram.story", False)]
    assert "one photo or one video, not 2" in problems[0].message
    one = Post(text="hi", media=PHOTOS[:1], targets=["instagram:acc"], instagram=story)
    assert validate(one, FULL, provider="fake", now=NOW) == []


@pytest.mark.parametrize("title", ["", "  "])
def test_an_empty_youtube_title_is_a_problem_not_an_empty_title_sent(title: str) -> None:
    post = Post(text="hi", media=[VIDEO], targets=["youtube:acc"], youtube=YouTubeOptions(title=title))
    problems = validate(post, FULL, provider="fake", now=NOW)
    assert [(p.field, p.unsupported) for p in problems] == [("youtube.title", False)]
    assert "must not be empty" in problems[0].message


@pytest.mark.parametrize(
    ("media", "targets", "youtube", "lost"),
    [
        ([VIDEO], ["tiktok:a", "instagram:b"], None, True),  # neither takes a title: it would be lost
        ([VIDEO], ["tiktok:a", "youtube:b"], None, False),  # YouTube's title
        ([VIDEO], ["youtube:b"], YouTubeOptions(title="its own"), True),  # replaced by YouTube's own
        (PHOTOS, ["tiktok:a", "instagram:b"], None, False),  # a TikTok photo post's title
    ],
)
def test_a_title_no_target_takes_is_a_problem_not_dropped(
    media: list[str], targets: list[str], youtube: YouTubeOptions | None, lost: bool
) -> None:
    post = Post(text="hi", title="A title", media=media, targets=targets, youtube=youtube)
    problems = validate(post, FULL, provider="fake", now=NOW)
    assert [(p.field, p.unsupported) for p in problems] == ([("title", False)] if lost else [])
    if lost:
        assert "would be lost" in problems[0].message
