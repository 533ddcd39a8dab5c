"""The shared conformance post publishes through Wahdx: one request and one Publication per target."""

from __future__ import annotations

from postmux import MediaKind, PublishReport, Status
from postmux.testing.posts import SAME_POST

from .support import Recorder, mock_apub, mock_pub, publish_answer


def check(report: PublishReport, recorder: Recorder) -> None:
    assert [p.target for p in report] == list(SAME_POST.targets)
    assert [p.provider for p in report] == ["wahdx", "wahdx"]
    tiktok, instagram = report
    assert (tiktok.status, tiktok.id, tiktok.media_kind) == (
        Status.PROCESSING,
        "v_pub_file~v2.1234567890",
        MediaKind.VIDEO,
    )
    assert (instagram.status, instagram.url) == (Status.PUBLISHED, "https://www.instagram.com/p/ABC123XYZ/")
    assert report.ok
    bodies = sorted(recorder.bodies(), key=lambda b: b["platform"])
    assert [(b["platform"], b["accountId"]) for b in bodies] == [
        ("instagram", "acc-instagram"),
        ("tiktok", "acc-tiktok"),
    ]
    instagram_body, tiktok_body = bodies
    assert instagram_body["instagramSettings"] == {"share_to_feed": True}
    assert tiktok_body["tiktokSettings"] == {
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "allow_comment": False,
        "allow_duet": True,
        "allow_stitch": True,
        "video_cover_timestamp_ms": 1000,
        "video_made_with_ai": True,
        "draft": False,
    }
    assert all(b["content"] == SAME_POST.text for b in bodies)
    assert all(b["mediaItems"] == [{"url": "https://cdn.example.com/clip.mp4"}] for b in bodies)


def test_same_post_sync() -> None:
    recorder = Recorder(publish_answer)
    with mock_pub(recorder) as pub:
        assert pub.validate(SAME_POST) == []
        report = pub.publish(SAME_POST)
    check(report, recorder)


async def test_same_post_async() -> None:
    recorder = Recorder(publish_answer)
    async with mock_apub(recorder) as pub:
        report = await pub.publish(SAME_POST)
    check(report, recorder)
