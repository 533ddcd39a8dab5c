"""Bad input: every rule that applies through Wahdx names its field, and nothing is sent.

Each case publishes through a publisher on a counting ``httpx.MockTransport``
(never a cassette) and checks the error class, the field, and that the
transport saw no request at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
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
    UnsupportedError,
    ValidationError,
    YouTubeOptions,
)

from .support import PLUGINS, Recorder, mock_apub, mock_pub

VIDEO = "https://cdn.example.com/clip.mp4"


def photos(n: int, ext: str = "jpg") -> list[str]:
    return [f"https://cdn.example.com/p{i}.{ext}" for i in range(n)]


def post(platform: str = "tiktok", media: Any = None, **kw: Any) -> Post:
    return Post(media=[VIDEO] if media is None else media, targets=[Target(platform, "acc-1")], **kw)


FUTURE = datetime.now(UTC) + timedelta(days=2)

# (id, post, error class, field named)
CASES: list[tuple[str, Post, type[ValidationError], str]] = [
    # media
    ("mixed photo and video", post(media=[VIDEO, *photos(2)]), ValidationError, "media"),
    ("two videos", post(media=[VIDEO, VIDEO.replace("clip", "clip2")]), ValidationError, "media"),
    ("no media", post(media=[]), ValidationError, "media"),
    ("tiktok one photo (wahdx: 2-35)", post(media=photos(1)), ValidationError, "media"),
    ("tiktok 36 photos", post(media=photos(36)), ValidationError, "media"),
    ("instagram 11 photos", post("instagram", photos(11)), ValidationError, "media"),
    ("tiktok png photo", post(media=photos(2, "png")), ValidationError, "media[0]"),
    ("tiktok avi video", post(media=["https://cdn.example.com/c.avi"]), ValidationError, "media[0]"),
    ("facebook mkv video", post("facebook", ["https://cdn.example.com/c.mkv"]), ValidationError, "media[0]"),
    (
        "facebook bmp photo (not a wahdx type)",
        post("facebook", photos(2, "bmp")),
        UnsupportedError,
        "media[0].url",
    ),
    ("not http", post(media=["ftp://cdn.example.com/c.mp4"]), ValidationError, "media[0].url"),
    ("unknown kind", post(media=["https://cdn.example.com/c.xyz"]), ValidationError, "media[0]"),
    (
        "no extension for wahdx",
        post(
            media=[Media(url="https://cdn.example.com/stream", kind=MediaKind.VIDEO, mime_type="video/mp4")]
        ),
        UnsupportedError,
        "media[0].url",
    ),
    ("local file", post(media=[Media(path="/tmp/clip.mp4")]), UnsupportedError, "media[0].path"),
    # text
    ("tiktok video caption > 2200", post(text="x" * 2201), ValidationError, "text"),
    ("tiktok photo description > 4000", post(media=photos(2), text="x" * 4001), ValidationError, "text"),
    ("tiktok photo title > 90", post(media=photos(2), title="t" * 91), ValidationError, "title"),
    ("threads text > 500", post("threads", text="x" * 501), ValidationError, "text"),
    ("facebook text > 4000 (wahdx content)", post("facebook", text="x" * 4001), ValidationError, "text"),
    (
        "facebook photo text > 4000 (wahdx content)",
        post("facebook", photos(2), text="x" * 4001),
        ValidationError,
        "text",
    ),
    (
        "instagram > 30 hashtags",
        post("instagram", text=" ".join(f"#t{i}" for i in range(31))),
        ValidationError,
        "text",
    ),
    ("text not a string", post(text=123), ValidationError, "text"),
    # targets
    ("no targets", Post(media=[VIDEO]), ValidationError, "targets"),
    ("unknown platform", post("myspace"), ValidationError, "targets[0].platform"),
    ("youtube through wahdx", post("youtube"), UnsupportedError, "targets[0].platform"),
    ("target twice", Post(media=[VIDEO], targets=["tiktok:a", "tiktok:a"]), ValidationError, "targets[1]"),
    # scheduling
    ("scheduling", post(schedule_at=FUTURE), UnsupportedError, "schedule_at"),
    ("naive schedule", post(schedule_at=datetime(2030, 1, 1)), ValidationError, "schedule_at"),
    # TikTok options
    ("privacy unknown", post(tiktok=TikTokOptions(privacy="FRIENDS")), ValidationError, "tiktok.privacy"),  # type: ignore[arg-type]  # deliberately invalid
    (
        "cover index out of range",
        post(media=photos(2), tiktok=TikTokOptions(cover_index=2)),
        ValidationError,
        "tiktok.cover_index",
    ),
    (
        "cover index on video",
        post(tiktok=TikTokOptions(cover_index=0)),
        ValidationError,
        "tiktok.cover_index",
    ),
    (
        "cover timestamp on photos",
        post(media=photos(2), tiktok=TikTokOptions(cover_timestamp_ms=1)),
        ValidationError,
        "tiktok.cover_timestamp_ms",
    ),
    (
        "negative cover timestamp",
        post(tiktok=TikTokOptions(cover_timestamp_ms=-1)),
        ValidationError,
        "tiktok.cover_timestamp_ms",
    ),
    (
        "duet on photos",
        post(media=photos(2), tiktok=TikTokOptions(allow_duet=True)),
        ValidationError,
        "tiktok.allow_duet",
    ),
    (
        "stitch on photos",
        post(media=photos(2), tiktok=TikTokOptions(allow_stitch=False)),
        ValidationError,
        "tiktok.allow_stitch",
    ),
    (
        "music on video",
        post(tiktok=TikTokOptions(auto_add_music=True)),
        ValidationError,
        "tiktok.auto_add_music",
    ),
    (
        "bool as string",
        post(tiktok=TikTokOptions(allow_comment="false")),  # type: ignore[arg-type]
        ValidationError,
        "tiktok.allow_comment",
    ),
    (
        "brand organic",
        post(tiktok=TikTokOptions(brand_organic=True)),
        UnsupportedError,
        "tiktok.brand_organic",
    ),
    (
        "branded content",
        post(tiktok=TikTokOptions(branded_content=True, privacy="PUBLIC_TO_EVERYONE")),
        UnsupportedError,
        "tiktok.branded_content",
    ),
    ("wrong options class", post(tiktok=InstagramOptions()), ValidationError, "tiktok"),
    # Instagram, Threads, Facebook options Wahdx cannot carry
    (
        "instagram story",
        post("instagram", instagram=InstagramOptions(story=True)),
        UnsupportedError,
        "instagram.story",
    ),
    (
        "instagram alt text",
        post("instagram", photos(2), instagram=InstagramOptions(alt_text="a")),
        UnsupportedError,
        "instagram.alt_text",
    ),
    (
        "instagram collaborators",
        post("instagram", instagram=InstagramOptions(collaborators=["a"])),
        UnsupportedError,
        "instagram.collaborators",
    ),
    (
        "instagram cover url",
        post("instagram", instagram=InstagramOptions(cover_url="https://x/c.jpg")),
        UnsupportedError,
        "instagram.cover_url",
    ),
    (
        "instagram thumb offset",
        post("instagram", instagram=InstagramOptions(thumb_offset_ms=5)),
        UnsupportedError,
        "instagram.thumb_offset_ms",
    ),
    (
        "share to feed on photos",
        post("instagram", photos(2), instagram=InstagramOptions(share_to_feed=False)),
        ValidationError,
        "instagram.share_to_feed",
    ),
    (
        "threads reply unknown",
        post("threads", threads=ThreadsOptions(reply_control="nobody")),  # type: ignore[arg-type]  # deliberately invalid
        ValidationError,
        "threads.reply_control",
    ),
    (
        "threads alt text",
        post("threads", photos(2), threads=ThreadsOptions(alt_text=["a"])),
        UnsupportedError,
        "threads.alt_text",
    ),
    (
        "facebook link",
        post("facebook", facebook=FacebookOptions(link="https://x")),
        UnsupportedError,
        "facebook.link",
    ),
    (
        "facebook draft",
        post("facebook", facebook=FacebookOptions(draft=True)),
        UnsupportedError,
        "facebook.draft",
    ),
    (
        "facebook thumbnail",
        post("facebook", facebook=FacebookOptions(thumbnail_url="https://x/t.jpg")),
        UnsupportedError,
        "facebook.thumbnail_url",
    ),
    (
        "youtube options to youtube",
        post("youtube", youtube=YouTubeOptions(title="t")),
        UnsupportedError,
        "targets[0].platform",
    ),
]


@pytest.mark.parametrize(("post", "error", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_before_any_request(
    post: Post, error: type[ValidationError], field: str
) -> None:
    recorder = Recorder()
    with mock_pub(recorder) as pub:
        with pytest.raises(error) as caught:
            pub.publish(post)
        assert field in caught.value.fields, caught.value
        assert pub.validate(post)  # the same problems, without raising
    assert recorder.calls == 0


@pytest.mark.parametrize(
    ("post", "error", "field"), [c[1:] for c in CASES[::7]], ids=[c[0] for c in CASES[::7]]
)
async def test_bad_input_is_refused_before_any_request_async(
    post: Post, error: type[ValidationError], field: str
) -> None:
    recorder = Recorder()
    async with mock_apub(recorder) as pub:
        with pytest.raises(error) as caught:
            await pub.publish(post)
        assert field in caught.value.fields
    assert recorder.calls == 0


def test_every_problem_comes_back_at_once() -> None:
    bad = Post(
        text="x" * 2201,
        media=[VIDEO],
        targets=["tiktok:a", "youtube:b"],
        tiktok=TikTokOptions(privacy="FRIENDS", brand_organic=True),  # type: ignore[arg-type]  # deliberately invalid
    )
    recorder = Recorder()
    with mock_pub(recorder) as pub, pytest.raises(ValidationError) as caught:
        pub.publish(bad)
    assert {"text", "targets[1].platform", "tiktok.privacy", "tiktok.brand_organic"} <= set(
        caught.value.fields
    )
    assert recorder.calls == 0


def test_unknown_username_is_refused_after_only_the_accounts_lookup() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"success": True, "data": [{"accountId": "1", "platform": "tiktok", "username": "known"}]},
        )

    recorder = Recorder(answer)
    with mock_pub(recorder) as pub, pytest.raises(ValidationError) as caught:
        pub.publish(Post(media=[VIDEO], targets=[Target("tiktok", "@stranger")]))
    assert caught.value.fields == ("targets[0].account",)
    assert "@known" in str(caught.value)
    assert [(r.method, r.url.path) for r in recorder.requests] == [("GET", "/api/content/accounts")]


@pytest.mark.parametrize(
    ("platform", "options", "error", "field"),
    [
        ("instagram", {}, UnsupportedError, "platform"),
        ("tiktok", {"unique_id": "short"}, ValidationError, "options.unique_id"),
        ("tiktok", {"scopes": "all"}, UnsupportedError, "options.scopes"),
    ],
)
def test_connect_refused_before_any_request(
    platform: str, options: dict[str, Any], error: type[ValidationError], field: str
) -> None:
    recorder = Recorder()
    with mock_pub(recorder) as pub, pytest.raises(error) as caught:
        pub.connect(platform, **options)
    assert caught.value.fields == (field,)
    assert recorder.calls == 0


def test_suite_uses_only_this_plugin() -> None:
    assert list(PLUGINS.providers()) == ["wahdx"]
