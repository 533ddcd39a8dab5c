"""What Wonda cannot carry is refused before any I/O: the schedule window, platforms, options, carousels."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from postmux import (
    FacebookOptions,
    InstagramOptions,
    Media,
    Post,
    Target,
    TikTokOptions,
    UnsupportedError,
    ValidationError,
    YouTubeOptions,
)

from .helpers import Recorder, async_publisher, sync_publisher, wonda_server

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
VIDEO = "https://cdn.example.com/clip.mp4"
JPEGS = ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder(wonda_server())


def problems(recorder: Recorder, post: Post, now: datetime = NOW) -> list[tuple[str, bool]]:
    with sync_publisher(recorder) as pub:
        found = [(p.field, p.unsupported) for p in pub.validate(post, now=now)]
    assert recorder.requests == []
    return found


def video(**changes: Any) -> Post:
    return Post(**({"text": "hi", "media": [VIDEO], "targets": ["tiktok:acc-1"]} | changes))


@pytest.mark.parametrize(
    ("ahead", "accepted"),
    [
        (timedelta(minutes=4, seconds=59), False),
        (timedelta(minutes=5), True),
        (timedelta(days=29), True),
        (timedelta(days=29, seconds=1), False),
    ],
)
def test_schedule_window_edges(recorder: Recorder, ahead: timedelta, accepted: bool) -> None:
    found = problems(recorder, video(schedule_at=NOW + ahead))
    assert found == ([] if accepted else [("schedule_at", False)])


def test_schedule_window_is_checked_for_instagram_too(recorder: Recorder) -> None:
    post = video(targets=["instagram:ig-1"], schedule_at=NOW + timedelta(days=30))
    assert problems(recorder, post) == [("schedule_at", False)]


def test_a_naive_schedule_is_refused(recorder: Recorder) -> None:
    assert problems(recorder, video(schedule_at=datetime(2026, 6, 2, 12, 0))) == [("schedule_at", False)]


@pytest.mark.parametrize(
    ("platform", "options"),
    [
        ("threads", {}),
        ("facebook", {"facebook": FacebookOptions(link="https://example.com")}),
        ("youtube", {"youtube": YouTubeOptions(title="t")}),
    ],
)
def test_platforms_wonda_lacks_are_unsupported(
    recorder: Recorder, platform: str, options: dict[str, Any]
) -> None:
    found = problems(recorder, video(targets=[f"{platform}:acc-1"], **options))
    assert found
    assert all(unsupported for _, unsupported in found)
    assert "targets[0].platform" in [field for field, _ in found]


@pytest.mark.parametrize(
    ("post", "field"),
    [
        (video(tiktok=TikTokOptions(cover_timestamp_ms=2500)), "tiktok.cover_timestamp_ms"),
        (
            Post(media=JPEGS, targets=["tiktok:acc-1"], tiktok=TikTokOptions(auto_add_music=False)),
            "tiktok.auto_add_music",
        ),
        (
            video(targets=["instagram:ig-1"], instagram=InstagramOptions(collaborators=["a"])),
            "instagram.collaborators",
        ),
        (
            video(
                targets=["instagram:ig-1"], instagram=InstagramOptions(cover_url="https://x.example/c.jpg")
            ),
            "instagram.cover_url",
        ),
        (
            video(targets=["instagram:ig-1"], instagram=InstagramOptions(thumb_offset_ms=10)),
            "instagram.thumb_offset_ms",
        ),
    ],
)
def test_options_wonda_cannot_carry_are_unsupported(recorder: Recorder, post: Post, field: str) -> None:
    assert problems(recorder, post) == [(field, True)]


@pytest.mark.parametrize("platform", ["tiktok", "instagram"])
def test_carousels_cannot_be_scheduled(recorder: Recorder, platform: str) -> None:
    post = Post(media=JPEGS, targets=[f"{platform}:acc-1"], schedule_at=NOW + timedelta(hours=1))
    assert problems(recorder, post) == [("schedule_at", True)]


def test_a_single_instagram_image_can_be_scheduled(recorder: Recorder) -> None:
    post = Post(media=JPEGS[:1], targets=["instagram:acc-1"], schedule_at=NOW + timedelta(hours=1))
    assert problems(recorder, post) == []


@pytest.mark.parametrize(
    ("options", "field", "unsupported"),
    [
        (InstagramOptions(alt_text="two cats"), "instagram.alt_text", True),  # Wonda's lack
        (InstagramOptions(story=True), "instagram.story", False),  # Instagram's: a story is one medium
    ],
)
def test_instagram_carousels_take_no_alt_text_or_story(
    recorder: Recorder, options: InstagramOptions, field: str, unsupported: bool
) -> None:
    post = Post(media=JPEGS, targets=["instagram:acc-1"], instagram=options)
    assert problems(recorder, post) == [(field, unsupported)]


def test_an_instagram_story_image_takes_no_alt_text(recorder: Recorder) -> None:
    # platform-rules.md §2.2: alt_text is for images, "Not for Reels or Stories"
    post = Post(
        media=JPEGS[:1], targets=["instagram:acc-1"], instagram=InstagramOptions(story=True, alt_text="a cat")
    )
    assert problems(recorder, post) == [("instagram.alt_text", False)]
    feed = Post(media=JPEGS[:1], targets=["instagram:acc-1"], instagram=InstagramOptions(alt_text="a cat"))
    assert problems(recorder, feed) == []


def test_a_story_has_no_share_to_feed(recorder: Recorder) -> None:
    post = video(targets=["instagram:acc-1"], instagram=InstagramOptions(story=True, share_to_feed=True))
    assert problems(recorder, post) == [("instagram.share_to_feed", True)]


def test_tiktok_carousel_limits(recorder: Recorder) -> None:
    one = Post(media=JPEGS[:1], targets=["tiktok:acc-1"])
    png = Post(media=[*JPEGS, "https://cdn.example.com/c.png"], targets=["tiktok:acc-1"])
    long_caption = Post(text="x" * 91, media=JPEGS, targets=["tiktok:acc-1"])
    too_many = Post(media=[f"https://cdn.example.com/{i}.jpg" for i in range(36)], targets=["tiktok:acc-1"])
    # TikTok takes one photo and 4000 characters; Wonda's own limits are its lack (unsupported)
    assert problems(recorder, one) == [("media", True)]
    assert problems(recorder, png) == [("media[2]", False)]
    assert problems(recorder, long_caption) == [("text", True)]
    assert problems(recorder, too_many) == [("media", False)]
    assert problems(recorder, Post(text="x" * 90, media=JPEGS, targets=["tiktok:acc-1"])) == []


def test_a_tiktok_carousel_draft_takes_no_privacy(recorder: Recorder) -> None:
    # Wonda's carousel endpoint disregards privacyLevel when postMode is inbox (VENDORS.md §2)
    draft = TikTokOptions(draft=True, privacy="PUBLIC_TO_EVERYONE")
    post = Post(media=JPEGS, targets=["tiktok:acc-1"], tiktok=draft)
    assert problems(recorder, post) == [("tiktok.privacy", True)]
    plain_draft = Post(media=JPEGS, targets=["tiktok:acc-1"], tiktok=TikTokOptions(draft=True))
    assert problems(recorder, plain_draft) == []
    direct = Post(media=JPEGS, targets=["tiktok:acc-1"], tiktok=TikTokOptions(privacy="PUBLIC_TO_EVERYONE"))
    assert problems(recorder, direct) == []


def test_a_tiktok_photo_title_cannot_be_carried(recorder: Recorder) -> None:
    post = Post(title="A title", media=JPEGS, targets=["tiktok:acc-1"])
    assert problems(recorder, post) == [("title", True)]


def test_local_files_are_accepted(recorder: Recorder) -> None:
    assert problems(recorder, video(media=[Media(path="/tmp/clip.mp4")])) == []


BAD_POSTS = [
    video(targets=[Target("threads", "acc-1")]),
    video(media=[VIDEO, "https://cdn.example.com/b.mp4"]),
    video(schedule_at=datetime.now(UTC) + timedelta(minutes=1)),
    Post(media=[*JPEGS, VIDEO], targets=["tiktok:acc-1"]),
    video(tiktok=TikTokOptions(privacy="EVERYONE")),  # type: ignore[arg-type]  # deliberately invalid
]


@pytest.mark.parametrize("post", BAD_POSTS)
def test_bad_input_sends_no_request_sync(recorder: Recorder, post: Post) -> None:
    with sync_publisher(recorder) as pub, pytest.raises(ValidationError):
        pub.publish(post)
    assert recorder.requests == []


@pytest.mark.parametrize("post", BAD_POSTS)
def test_bad_input_sends_no_request_async(recorder: Recorder, post: Post) -> None:
    async def go() -> None:
        async with async_publisher(recorder) as apub:
            await apub.publish(post)

    with pytest.raises(ValidationError):
        asyncio.run(go())
    assert recorder.requests == []


def test_an_unsupported_platform_raises_unsupported_error(recorder: Recorder) -> None:
    with sync_publisher(recorder) as pub, pytest.raises(UnsupportedError) as caught:
        pub.publish(video(targets=["youtube:chan-1"]))
    assert caught.value.fields == ("targets[0].platform",)
    assert recorder.requests == []
