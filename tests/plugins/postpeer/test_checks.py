"""PostPeer's own checks: each one a spec constraint or documented refusal caught before any I/O."""

from __future__ import annotations

import pytest

from postmux import (
    FacebookOptions,
    InstagramOptions,
    Media,
    Post,
    ThreadsOptions,
    YouTubeOptions,
)
from postmux.portable import vendor_problems
from postmux_postpeer import PostPeerAdapter, checks

from .support import PHOTOS, VIDEO


def _fields(post: Post) -> list[str]:
    """Every problem validation finds at PostPeer: the tables (and vocabulary), then ``check()``."""
    return [p.field for p in vendor_problems(PostPeerAdapter(), post)]


@pytest.mark.parametrize(
    ("post", "field"),
    [
        pytest.param(
            Post(
                text="x",
                media=[VIDEO],
                targets=["youtube:a"],
                youtube=YouTubeOptions(first_comment="a" * 10001),
            ),
            "youtube.first_comment",
            id="youtube-first-comment-over-spec-maxLength",
        ),
        pytest.param(
            Post(
                text="x",
                media=[VIDEO],
                targets=["instagram:a"],
                instagram=InstagramOptions(cover_url="cover.jpg"),
            ),
            "instagram.cover_url",
            id="instagram-cover-url-not-a-uri",
        ),
        pytest.param(
            Post(
                text="x",
                media=[VIDEO],
                targets=["facebook:a"],
                facebook=FacebookOptions(thumbnail_url="t.jpg"),
            ),
            "facebook.thumbnail_url",
            id="facebook-thumbnail-not-a-uri",
        ),
        pytest.param(
            Post(text="x", targets=["facebook:a"], facebook=FacebookOptions(link="https://")),
            "facebook.link",
            id="facebook-link-without-host",
        ),
        pytest.param(
            Post(text="x", targets=["facebook:a"], facebook=FacebookOptions(link="http:///launch")),
            "facebook.link",
            id="facebook-link-http-without-host",
        ),
        pytest.param(
            Post(
                text="x",
                media=[VIDEO],
                targets=["instagram:a"],
                instagram=InstagramOptions(cover_url="https://"),
            ),
            "instagram.cover_url",
            id="instagram-cover-url-without-host",
        ),
        pytest.param(
            Post(text="x", media=PHOTOS, targets=["threads:a"], threads=ThreadsOptions(alt_text=[1, 2])),
            "threads.alt_text",
            id="threads-alt-text-not-strings",
        ),
        pytest.param(
            Post(text="x", media=[VIDEO], targets=["threads:a"], threads=ThreadsOptions(alt_text=["a clip"])),
            "threads.alt_text",
            id="threads-alt-text-on-a-video",
        ),
        pytest.param(
            Post(
                text="x",
                media=[Media(path="/tmp/clip.mp4", mime_type="application/octet-stream")],
                targets=["tiktok:a"],
            ),
            "media[0]",
            id="upload-of-a-non-image-non-video-type",
        ),
    ],
)
def test_refused_before_io(post: Post, field: str) -> None:
    assert field in _fields(post)


@pytest.mark.parametrize(
    "post",
    [
        Post(
            text="x", media=[VIDEO], targets=["youtube:a"], youtube=YouTubeOptions(first_comment="a" * 10000)
        ),
        Post(
            text="x",
            media=[VIDEO],
            targets=["instagram:a", "facebook:b"],
            instagram=InstagramOptions(cover_url="https://cdn.example.com/c.jpg"),
            facebook=FacebookOptions(thumbnail_url="https://cdn.example.com/t.jpg"),
        ),
        Post(text="x", media=PHOTOS, targets=["threads:a"], threads=ThreadsOptions(alt_text=["a", "b"])),
        Post(text="x", targets=["facebook:a"], facebook=FacebookOptions(link="https://example.com/launch")),
        Post(text="x", media=[Media(path="/tmp/clip.mp4")], targets=["tiktok:a"]),
    ],
    ids=["first-comment-at-limit", "cover-urls", "threads-alt-on-photos", "facebook-link", "upload-mp4"],
)
def test_what_the_spec_takes_passes(post: Post) -> None:
    assert checks.check(post) == []


def test_a_value_outside_the_spec_s_enum_is_unsupported_and_a_wrong_type_is_left_to_validation() -> None:
    reply = Post(text="x", targets=["threads:a"], threads=ThreadsOptions(reply_control="followers_only"))
    assert [(p.field, p.unsupported) for p in checks.check(reply)] == [("threads.reply_control", True)]
    tags = Post(text="x", media=[VIDEO], targets=["youtube:a"], youtube=YouTubeOptions(tags=["a", 3]))
    assert checks.check(tags) == []  # "expected a string or a list of strings" is validation's


@pytest.mark.parametrize(
    ("post", "field"),
    [
        (
            Post(text="x", media=[VIDEO], targets=["youtube:a"], youtube=YouTubeOptions(title="t" * 101)),
            "youtube.title",
        ),
        (
            Post(
                text="x",
                media=[VIDEO],
                targets=["instagram:a"],
                instagram=InstagramOptions(collaborators=["a", "b", "c", "d"]),
            ),
            "instagram.collaborators",
        ),
    ],
    ids=["youtube-title-over-100", "four-collaborators"],
)
def test_a_field_the_platform_s_rules_refuse_is_not_named_again_by_the_spec(post: Post, field: str) -> None:
    assert _fields(post) == [field]


@pytest.mark.parametrize(
    ("options", "media", "field"),
    [
        (InstagramOptions(story=True, collaborators=["ana"]), [VIDEO], "instagram.collaborators"),
        (InstagramOptions(story=True, share_to_feed=False), [VIDEO], "instagram.share_to_feed"),
        (InstagramOptions(story=True, share_to_feed=True), [VIDEO], "instagram.share_to_feed"),
        (
            InstagramOptions(story=True, cover_url="https://cdn.example.com/c.jpg"),
            [VIDEO],
            "instagram.cover_url",
        ),
        (InstagramOptions(story=True, thumb_offset_ms=5), [VIDEO], "instagram.thumb_offset_ms"),
        (  # the spec: thumbOffset goes unused once coverUrl is given
            InstagramOptions(cover_url="https://cdn.example.com/c.jpg", thumb_offset_ms=2000),
            [VIDEO],
            "instagram.thumb_offset_ms",
        ),
        (InstagramOptions(collaborators=["Ana", "@ana"]), [VIDEO], "instagram.collaborators"),
        (FacebookOptions(link="https://example.com"), PHOTOS, "facebook.link"),
        (FacebookOptions(thumbnail_url="https://cdn.example.com/t.jpg"), PHOTOS, "facebook.thumbnail_url"),
        (FacebookOptions(thumbnail_url="https://cdn.example.com/t.jpg"), [], "facebook.thumbnail_url"),
    ],
)
def test_what_postpeer_documents_as_ignored_is_refused(options: object, media: list[str], field: str) -> None:
    platform = field.split(".")[0]
    post = Post(text="x", media=media, targets=[f"{platform}:a"], **{platform: options})  # type: ignore[arg-type]
    assert _fields(post) == [field]


@pytest.mark.parametrize(
    ("post", "field"),
    [
        (
            Post(text="x", targets=["facebook:a"], facebook=FacebookOptions(link="https://[::1/launch")),
            "facebook.link",
        ),
        (
            Post(
                text="x",
                media=[VIDEO],
                targets=["instagram:a"],
                instagram=InstagramOptions(cover_url="https://[::1/cover.jpg"),
            ),
            "instagram.cover_url",
        ),
    ],
)
def test_a_url_urlsplit_cannot_read_is_named_by_its_field(post: Post, field: str) -> None:
    # the spec's "uri" check raised ValueError there: "postpeer could not check this post"
    assert _fields(post) == [field]
