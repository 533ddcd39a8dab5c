"""Validation counts as each platform counts (platform-rules.md): YouTube's tags, Threads' emoji and
links, Instagram's @mentions. A post the platform takes passes; one it refuses is refused here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from postmux import Media, Post, Problem, YouTubeOptions
from postmux.rules import TextUnit, count
from postmux.validation import validate

from .fakes import FULL

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
VIDEO = "https://cdn.example.com/clip.mp4"


def problems(**kwargs: Any) -> list[Problem]:
    base: dict[str, Any] = {"text": "hello", "media": [VIDEO]}
    base.update(kwargs)
    return validate(Post(**base), FULL, provider="fake", now=NOW)


# -- YouTube: snippet.tags, 500 characters, commas and a spaced tag's quotation marks count -----------


def test_a_tag_with_a_space_counts_its_quotes() -> None:
    tags = ["cat videos", "x" * 489]  # 10 + 1 + 489 = 500, but "cat videos" counts as 12: 502
    found = problems(targets=["youtube:a"], youtube=YouTubeOptions(tags=tags))
    assert [p.field for p in found] == ["youtube.tags"]


def test_tags_without_spaces_fill_500_exactly() -> None:
    assert problems(targets=["youtube:a"], youtube=YouTubeOptions(tags=["foo-baz", "x" * 492])) == []
    assert problems(targets=["youtube:a"], youtube=YouTubeOptions(tags=["foo baz", "x" * 490])) == []


# -- Threads: 500 characters, emoji as their UTF-8 bytes --------------------------------------------


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("\U00020bb7", 1),  # 𠮷, a CJK ideograph of plane 2 (Japanese names): a letter, not an emoji
        ("\U0002a6a5", 1),
        ("\u25b6\ufe0f", 6),  # ▶️: an emoji by its VS16, 6 UTF-8 bytes
        ("\u2194\ufe0f", 6),  # ↔️
        ("\u2122\ufe0f", 6),  # ™️
        ("1\ufe0f\u20e3", 7),  # 1️⃣, a keycap
        ("\u25fe", 3),  # ◾, shown as emoji without VS16
        ("\U0001f600", 4),
        ("\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 28),  # England's flag
        ("\u2764\ufe0f", 6),  # ❤️
        ("é", 1),
    ],
)
def test_threads_counts_emoji_as_bytes_and_other_characters_as_one(text: str, n: int) -> None:
    assert count(text, TextUnit.THREADS) == n


def test_a_threads_post_of_500_plane_2_ideographs_passes() -> None:
    assert problems(targets=["threads:a"], media=[], text="\U00020bb7" * 500) == []


def test_a_vs16_emoji_past_500_is_refused_for_threads() -> None:
    found = problems(targets=["threads:a"], media=[], text="a" * 495 + "\u25b6\ufe0f")  # 501
    assert [p.field for p in found] == ["text"]


# -- Threads: at most 5 unique links ----------------------------------------------------------------


def test_six_unique_links_are_refused_for_threads() -> None:
    text = " ".join(f"https://site{i}.example/page" for i in range(6))
    found = problems(targets=["threads:a"], media=[], text=text)
    assert [(p.field, "5 unique links" in p.message) for p in found] == [("text", True)]


def test_five_unique_links_repeated_pass_for_threads() -> None:
    links = [f"https://site{i}.example/page" for i in range(5)]
    text = " ".join(links) + ". See " + links[0] + "/ and " + links[1].upper() + "!"
    assert problems(targets=["threads:a"], media=[], text=text) == []
    assert problems(targets=["facebook:a"], media=[], text=" ".join(links * 3) + " https://x.test") == []


# -- Instagram: 20 distinct @ tags --------------------------------------------------------------------


def test_a_mention_at_the_end_of_a_sentence_is_the_same_account() -> None:
    text = " ".join(f"@u{i}" for i in range(20)) + ". Thanks again, @u0."
    assert problems(targets=["instagram:a"], text=text) == []


def test_twenty_one_mentions_are_still_refused() -> None:
    text = " ".join(f"@u{i}." for i in range(21))
    found = problems(targets=["instagram:a"], text=text)
    assert [p.field for p in found] == ["text"]


# -- YouTube: videos.insert takes any video/* type ------------------------------------------------------


@pytest.mark.parametrize("name", ["clip.wmv", "clip.flv", "clip.3gp", "clip.mts"])
def test_youtube_takes_a_video_of_any_format(name: str) -> None:
    media = [Media(url=f"https://cdn.example.com/{name}", kind="video", mime_type="video/x-any")]
    assert problems(targets=["youtube:a"], title="A title", media=media) == []
