"""Validation of odd inputs: one value for a list, ``None`` media, a past time a vendor cannot schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from postmux import Media, Post, Target
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
