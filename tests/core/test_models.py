"""Media, Post, options, Status and PublishReport: the neutral model."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from postmux import (
    InstagramOptions,
    Media,
    MediaKind,
    Post,
    Publication,
    PublishReport,
    Status,
    Target,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from postmux.status import FINAL_STATUSES


@pytest.mark.parametrize(
    ("location", "kind", "ext"),
    [
        ("https://cdn.example.com/a/clip.mp4", MediaKind.VIDEO, "mp4"),
        ("https://cdn.example.com/clip.MOV?sig=abc.jpg", MediaKind.VIDEO, "mov"),
        ("https://cdn.example.com/photo.jpg#frag.mp4", MediaKind.PHOTO, "jpg"),
        ("https://cdn.example.com/photo.webp?x=1&y=2#top", MediaKind.PHOTO, "webp"),
        ("https://cdn.example.com/download?file=clip.mp4", None, ""),
        ("https://cdn.example.com/noext", None, ""),
        ("https://cdn.example.com/file.txt", None, "txt"),
    ],
)
def test_media_kind_from_url_ignores_query_and_fragment(
    location: str, kind: MediaKind | None, ext: str
) -> None:
    media = Media(url=location)
    assert media.kind is kind
    assert media.extension == ext


@pytest.mark.parametrize(
    ("path", "kind", "mime"),
    [
        ("/tmp/a.jpeg", MediaKind.PHOTO, "image/jpeg"),
        ("clips/b.webm", MediaKind.VIDEO, "video/webm"),
        ("C:\\videos\\c.mov", MediaKind.VIDEO, "video/quicktime"),
        ("pic.PNG", MediaKind.PHOTO, "image/png"),
        ("weird", None, None),
    ],
)
def test_media_kind_and_mime_from_path(path: str, kind: MediaKind | None, mime: str | None) -> None:
    media = Media(path=path)
    assert media.kind is kind
    assert media.mime_type == mime
    assert media.is_local


def test_explicit_kind_wins_and_strings_become_kinds() -> None:
    assert Media(url="https://x.test/file?id=1", kind=MediaKind.VIDEO).kind is MediaKind.VIDEO
    assert Media(url="https://x.test/a.jpg", kind="video").kind is MediaKind.VIDEO
    # a bad kind is kept for validation to name, not raised here
    assert Media(url="https://x.test/a.jpg", kind="gif").kind == "gif"  # type: ignore[arg-type]
    assert Media(url="https://x.test/a", mime_type="video/mp4").mime_type == "video/mp4"


def test_media_filename_and_size(tmp_path: Path) -> None:
    f = tmp_path / "clip.mp4"
    f.write_bytes(b"x" * 10)
    assert Media(path=f).size() == 10
    assert Media(path=f).filename == "clip.mp4"
    assert Media(url="https://x.test/dir/a.jpg?q=1").filename == "a.jpg"
    with pytest.raises(ValueError, match="local file"):
        Media(url="https://x.test/a.jpg").size()


def test_post_converts_media_and_targets(tmp_path: Path) -> None:
    post = Post(
        media=[
            "https://x.test/a.jpg",
            tmp_path / "b.jpg",
            Media(path=str(tmp_path / "c.jpg")),
            Media(url="https://x.test/d"),
        ],
        targets=["tiktok:acc-1", Target("instagram", "@brand"), ("threads", "t-1"), "threads:a:b"],
    )
    assert all(isinstance(m, Media) for m in post.media)
    assert post.media[0].url == "https://x.test/a.jpg"
    assert post.media[1].path == str(tmp_path / "b.jpg")
    assert post.media[2].path == str(tmp_path / "c.jpg")
    assert post.targets == (
        Target("tiktok", "acc-1"),
        Target("instagram", "@brand"),
        Target("threads", "t-1"),
        Target("threads", "a:b"),
    )
    assert post.targets[1].is_username
    assert str(post.targets[0]) == "tiktok:acc-1"


def test_a_string_without_a_scheme_is_never_taken_for_a_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "private.mp4"
    secret.write_bytes(b"another tenant's video")
    post = Post(media=[str(secret)], targets=["tiktok:acc-1"])
    kept: object = post.media  # not the declared tuple of Media: what validation is left to refuse
    assert kept == (str(secret),)  # left for validation to refuse, never Media(path=…)


def test_post_single_values_become_tuples() -> None:
    post = Post(media="https://x.test/a.mp4", targets=Target("tiktok", "a"))
    assert post.media == (Media(url="https://x.test/a.mp4"),)
    assert post.targets == (Target("tiktok", "a"),)


def test_post_keeps_bad_values_for_validation() -> None:
    post = Post(media=42, targets=["no-colon"])
    media: object = post.media  # kept as given, not the declared types: validation names them
    targets: object = post.targets
    assert media == 42
    assert targets == ("no-colon",)


def _post(**kwargs: object) -> Post:
    base: dict[str, object] = {"text": "hi", "media": ["https://x.test/a.mp4"], "targets": ["tiktok:a"]}
    base.update(kwargs)
    return Post(**base)  # type: ignore[arg-type]


def test_ledger_key_stable_and_ignores_targets() -> None:
    a = _post()
    assert a.ledger_key == _post().ledger_key
    assert a.ledger_key.startswith("sha256:")
    assert a.ledger_key == _post(targets=["instagram:b", "tiktok:c"]).ledger_key
    assert _post(key="mine").ledger_key == "mine"


@pytest.mark.parametrize(
    "change",
    [
        {"text": "hi!"},
        {"media": ["https://x.test/b.mp4"]},
        {"title": "t"},
        {"tiktok": TikTokOptions(privacy="PUBLIC_TO_EVERYONE")},
        {"instagram": InstagramOptions(share_to_feed=False)},
        {"schedule_at": datetime(2030, 1, 1, tzinfo=UTC)},
        {"extras": {"fake": {"x": 1}}},
    ],
)
def test_ledger_key_changes_with_content(change: dict[str, object]) -> None:
    assert _post(**change).ledger_key != _post().ledger_key


def test_tiktok_resolved_neutral_defaults() -> None:
    r = TikTokOptions().resolved()
    assert r.privacy == "SELF_ONLY"
    assert (r.allow_comment, r.allow_duet, r.allow_stitch) == (True, True, True)
    assert (r.ai_generated, r.draft, r.brand_organic, r.branded_content) == (False, False, False, False)
    assert r.cover_index is None
    assert r.cover_timestamp_ms is None
    assert r.auto_add_music is None
    given = TikTokOptions(privacy="PUBLIC_TO_EVERYONE", allow_comment=False).resolved()
    assert given.privacy == "PUBLIC_TO_EVERYONE"
    assert given.allow_comment is False


def test_tiktok_resolved_for_photos_and_video() -> None:
    photo = TikTokOptions().resolved_for(photos=True)
    assert photo.privacy == "SELF_ONLY"
    assert photo.cover_index == 0
    assert photo.auto_add_music is True
    assert photo.allow_duet is None
    assert photo.allow_stitch is None
    assert photo.cover_timestamp_ms is None
    video = TikTokOptions().resolved_for(photos=False)
    assert video.cover_timestamp_ms == 1000
    assert video.allow_duet is True
    assert video.allow_stitch is True
    assert video.cover_index is None
    assert video.auto_add_music is None
    assert TikTokOptions(cover_index=2).resolved_for(photos=True).cover_index == 2


def test_other_options_defaults() -> None:
    assert InstagramOptions().resolved().share_to_feed is True
    assert InstagramOptions().resolved().story is False
    assert ThreadsOptions().resolved().reply_control == "everyone"
    assert YouTubeOptions().resolved().visibility == "private"
    assert YouTubeOptions(tags=["a", "b"]).tags == ("a", "b")
    assert TikTokOptions(privacy="SELF_ONLY").given() == {"privacy": "SELF_ONLY"}
    assert TikTokOptions(brand_organic=True).commercial
    assert not TikTokOptions().commercial


def test_options_for() -> None:
    post = _post(tiktok=TikTokOptions())
    assert post.options_for("tiktok") == TikTokOptions()
    assert post.options_for("instagram") is None
    assert post.options_for("myspace") is None


def test_status_is_final() -> None:
    assert {s for s in Status if s.is_final} == {
        Status.PUBLISHED,
        Status.INBOX,
        Status.FAILED,
        Status.CANCELLED,
    }
    assert {s for s in Status if s.is_final} == FINAL_STATUSES
    assert not Status.UNKNOWN.is_final
    assert Status("published") is Status.PUBLISHED


def _pub(status: Status) -> Publication:
    return Publication(target=Target("tiktok", "a"), provider="fake", status=status)


def test_publish_report_ok_failed_succeeded() -> None:
    report = PublishReport(
        tuple(_pub(s) for s in (Status.PUBLISHED, Status.PROCESSING, Status.FAILED, Status.UNKNOWN))
    )
    assert not report.ok
    assert [p.status for p in report.failed] == [Status.FAILED, Status.UNKNOWN]
    assert [p.status for p in report.succeeded] == [Status.PUBLISHED, Status.PROCESSING]
    assert not report.is_final
    assert len(report) == 4
    assert report[2].status is Status.FAILED
    assert [p.status for p in report] == [Status.PUBLISHED, Status.PROCESSING, Status.FAILED, Status.UNKNOWN]
    good = PublishReport((_pub(Status.PUBLISHED), _pub(Status.INBOX)))
    assert good.ok
    assert good.is_final
    assert good.failed == ()
    assert not _pub(Status.CANCELLED).ok


def test_raise_for_error() -> None:
    from postmux import ServerError

    err = ServerError("boom", provider="fake", status_code=500)
    p = Publication(target=Target("tiktok", "a"), provider="fake", status=Status.UNKNOWN, exception=err)
    with pytest.raises(ServerError):
        p.raise_for_error()
    _pub(Status.PUBLISHED).raise_for_error()
