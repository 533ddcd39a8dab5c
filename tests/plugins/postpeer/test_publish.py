"""Publishing through the sync and async publishers over a scripted, spec-checking PostPeer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from postmux import (
    FacebookOptions,
    InstagramOptions,
    Media,
    MediaKind,
    Post,
    Status,
    Target,
    ThreadsOptions,
    TikTokOptions,
    UnsupportedError,
    ValidationError,
    YouTubeOptions,
)

from .conftest import KEY
from .fake import FakePostPeer, answer
from .support import PHOTOS, VIDEO, Either, created, entry, ok, post_detail

CROSS_POST = Post(
    text="New tutorial out now!",
    media=[VIDEO],
    targets=[Target("tiktok", "tt_321"), Target("youtube", "yt_789"), Target("instagram", "ig_456")],
    youtube=YouTubeOptions(title="New Tutorial", visibility="public"),
)
"""The cross-post example of ``postpeer-tiktok.txt``; ``visibility`` where the docs say ``privacyStatus``."""


async def test_three_platforms_go_out_in_one_valid_request(either: Either, fake: FakePostPeer) -> None:
    fake.on(
        "POST",
        "/v1/posts",
        answer(
            202,
            created(
                "post_x1",
                "published",
                ok("tiktok", "https://www.tiktok.com/@user/video/7123456789"),
                ok("youtube", "https://youtube.com/shorts/abc"),
                ok("instagram", "https://www.instagram.com/reel/xyz/"),
            ),
        ),
    )
    report = await either("publish", CROSS_POST)
    assert fake.calls == 1
    (body,) = fake.bodies("POST", "/v1/posts")
    assert [p["platform"] for p in body["platforms"]] == ["tiktok", "youtube", "instagram"]
    assert body["platforms"][0]["platformSpecificData"]["privacyLevel"] == "SELF_ONLY"
    assert body["platforms"][1]["platformSpecificData"]["visibility"] == "public"
    assert body["publishNow"] is True
    assert len(report.results) == 3
    assert [p.status for p in report] == [Status.PUBLISHED] * 3
    assert [p.target for p in report] == list(CROSS_POST.targets)
    assert report.results[1].url == "https://youtube.com/shorts/abc"
    assert all(p.id == "post_x1" for p in report)


async def test_partial_keeps_each_targets_own_outcome(either: Either, fake: FakePostPeer) -> None:
    fake.on(
        "POST",
        "/v1/posts",
        answer(
            202,
            created(
                "post_p",
                "partial",
                ok("tiktok", "https://www.tiktok.com/@user/video/1"),
                {"platform": "youtube", "success": False, "error": "YouTube quota exceeded"},
                {"platform": "instagram", "success": True, "warningMessage": "cover ignored"},
            ),
        ),
    )
    report = await either("publish", CROSS_POST)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.FAILED, Status.PUBLISHED]
    assert report.results[1].error == "YouTube quota exceeded"
    assert report.results[2].state["warning"] == "cover ignored"
    assert not report.ok


async def test_every_platform_failed(either: Either, fake: FakePostPeer) -> None:
    failed = created("post_f", "failed", {"platform": "tiktok", "success": False, "error": "bad video"})
    failed["success"] = False
    fake.on("POST", "/v1/posts", answer(202, failed))
    post = Post(text="x", media=[VIDEO], targets=[Target("tiktok", "tt")])
    (result,) = (await either("publish", post)).results
    assert result.status is Status.FAILED
    assert result.error == "bad video"


async def test_two_accounts_on_one_platform_match_in_order(either: Either, fake: FakePostPeer) -> None:
    fake.on(
        "POST",
        "/v1/posts",
        answer(
            202,
            created(
                "p2", "partial", {"platform": "tiktok", "success": False, "error": "e1"}, ok("tiktok", "u2")
            ),
        ),
    )
    post = Post(text="x", media=[VIDEO], targets=[Target("tiktok", "one"), Target("tiktok", "two")])
    report = await either("publish", post)
    assert [(p.account_id, p.status, p.state["index"]) for p in report] == [
        ("one", Status.FAILED, "0"),
        ("two", Status.PUBLISHED, "1"),
    ]


async def test_a_target_the_answer_leaves_out_is_unknown(either: Either, fake: FakePostPeer) -> None:
    fake.on("POST", "/v1/posts", answer(202, created("p3", "published", ok("tiktok"))))
    report = await either("publish", CROSS_POST)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.UNKNOWN, Status.UNKNOWN]


async def test_scheduling_sends_scheduled_for_and_timezone(either: Either, fake: FakePostPeer) -> None:
    at = datetime.now(ZoneInfo("Europe/Paris")).replace(microsecond=0) + timedelta(days=2)
    fake.on(
        "POST",
        "/v1/posts",
        answer(
            202,
            created("post_xyz789", "scheduled", ok("tiktok"), scheduledFor=at.astimezone(UTC).isoformat()),
        ),
    )
    post = Post(text="later", media=[VIDEO], targets=[Target("tiktok", "tt")], schedule_at=at)
    (result,) = (await either("publish", post)).results
    (body,) = fake.bodies("POST", "/v1/posts")
    assert "publishNow" not in body
    assert body["timezone"] == "Europe/Paris"
    assert datetime.fromisoformat(body["scheduledFor"]) == at
    assert result.status is Status.SCHEDULED
    assert result.scheduled_for == at


async def test_a_scheduled_time_echoed_without_offset_is_read_in_the_posts_zone(
    either: Either, fake: FakePostPeer
) -> None:
    """The docs write ``scheduledFor`` as a wall-clock time beside ``timezone`` (``2026-07-01T09:00:00``).

    Before: the create answer's echo was read as UTC, so a post for 09:00 in Paris was reported as
    scheduled two hours late (the status, list and reschedule reads already use the zone).
    """
    at = datetime.now(ZoneInfo("Europe/Paris")).replace(microsecond=0) + timedelta(days=2)
    wall = at.replace(tzinfo=None).isoformat()  # as the docs' example writes it: no offset
    fake.on("POST", "/v1/posts", answer(202, created("post_w", "scheduled", ok("tiktok"), scheduledFor=wall)))
    post = Post(text="later", media=[VIDEO], targets=[Target("tiktok", "tt")], schedule_at=at)
    (result,) = (await either("publish", post)).results
    assert result.status is Status.SCHEDULED
    assert result.scheduled_for == at


async def test_wait_polls_one_get_for_all_targets_of_the_post(either: Either, fake: FakePostPeer) -> None:
    fake.on(
        "POST",
        "/v1/posts",
        answer(202, created("post_w", "publishing", ok("tiktok"), ok("youtube"), ok("instagram"))),
    )
    fake.on(
        "GET",
        "/v1/posts/post_w",
        answer(
            200,
            post_detail(
                "post_w",
                "partial",
                entry("tiktok", "published", platformPostUrl="https://www.tiktok.com/@u/video/9"),
                entry("youtube", "failed", errorMessage="Video too long for Shorts"),
                entry("instagram", "published", platformPostUrl="https://www.instagram.com/reel/r/"),
            ),
        ),
    )
    report = await either("publish", CROSS_POST)
    assert [p.status for p in report] == [Status.PROCESSING] * 3
    done = await either("wait", report, timeout=5, interval=0)
    assert [p.status for p in done] == [Status.PUBLISHED, Status.FAILED, Status.PUBLISHED]
    assert done.results[1].error == "Video too long for Shorts"
    assert len([r for r in fake.requests if r.method == "GET"]) == 1


async def test_local_file_is_uploaded_once_and_the_key_stays_home(
    either: Either, fake: FakePostPeer, tmp_path: Path
) -> None:
    photo = tmp_path / "launch-banner.jpg"
    photo.write_bytes(b"\xff\xd8jpeg-bytes")
    upload_url = "https://bucket.s3.amazonaws.com/uploads/launch-banner.jpg?X-Amz-Signature=abc"
    public = "https://assets.postpeer.dev/uploads/u1/launch-banner.jpg"
    fake.on(
        "POST",
        "/v1/media/upload",
        answer(200, {"success": True, "data": {"uploadUrl": upload_url, "publicUrl": public}}),
    )
    fake.on("PUT", upload_url, answer(200, ""))
    fake.on("POST", "/v1/posts", answer(202, created("p", "published", ok("instagram"), ok("facebook"))))
    post = Post(
        text="Launch!",
        media=[Media(path=photo), PHOTOS[0]],
        targets=[Target("instagram", "ig"), Target("facebook", "fb")],
    )
    report = await either("publish", post)
    assert report.ok
    methods = [(r.method, r.url.host) for r in fake.requests]
    assert methods == [
        ("POST", "api.postpeer.dev"),
        ("PUT", "bucket.s3.amazonaws.com"),
        ("POST", "api.postpeer.dev"),
    ]
    put = fake.requests[1]
    assert "x-access-key" not in put.headers
    assert put.headers["Content-Length"] == str(len(b"\xff\xd8jpeg-bytes"))
    assert put.content == b"\xff\xd8jpeg-bytes"
    assert all(r.headers["x-access-key"] == KEY for r in fake.requests if r.url.host == "api.postpeer.dev")
    (body,) = fake.bodies("POST", "/v1/posts")
    assert body["mediaItems"] == [{"type": "image", "url": public}, {"type": "image", "url": PHOTOS[0]}]


async def test_extras_are_merged_into_the_request(either: Either, fake: FakePostPeer) -> None:
    fake.on("POST", "/v1/posts", answer(202, created("p", "published", ok("youtube"))))
    post = Post(
        text="x",
        media=[VIDEO],
        targets=[Target("youtube", "yt")],
        extras={"postpeer": {"platformSpecificData": {"youtube": {"categoryId": "10"}}}},
    )
    await either("publish", post)
    (body,) = fake.bodies("POST", "/v1/posts")
    assert body["platforms"][0]["platformSpecificData"]["categoryId"] == "10"


BAD_POSTS = [
    pytest.param(
        Post(text="x", media=[VIDEO], targets=["tiktok:a"], schedule_at=datetime(2030, 1, 1)),
        "schedule_at",
        id="naive-schedule",
    ),
    pytest.param(
        Post(text="x", media=PHOTOS, targets=["instagram:a"], instagram=InstagramOptions(alt_text="a cat")),
        "instagram.alt_text",
        id="instagram-alt-text-unsupported",
    ),
    pytest.param(
        Post(
            text="x",
            media=[VIDEO],
            targets=["threads:a"],
            threads=ThreadsOptions(reply_control="followers_only"),
        ),
        "threads.reply_control",
        id="threads-reply-control-outside-spec",
    ),
    pytest.param(
        Post(text="x", media=PHOTOS, targets=["tiktok:a"], tiktok=TikTokOptions(ai_generated=True)),
        "tiktok.ai_generated",
        id="tiktok-photo-aigc",
    ),
    pytest.param(Post(text="x", media=PHOTOS, targets=["youtube:a"]), "media", id="youtube-photos"),
    pytest.param(Post(text="x", media=[VIDEO, PHOTOS[0]], targets=["tiktok:a"]), "media", id="mixed-media"),
    pytest.param(
        Post(text="x", media=["https://cdn.example.com/clip.mov"], targets=["tiktok:a"]),
        "media[0]",
        id="tiktok-mov-not-documented",
    ),
    pytest.param(
        Post(text="x", media=[Media(path="/tmp/blob", kind=MediaKind.VIDEO)], targets=["tiktok:a"]),
        "media[0]",
        id="local-file-without-mime-type",
    ),
    pytest.param(
        Post(
            text="x",
            media=[VIDEO],
            targets=["instagram:a"],
            instagram=InstagramOptions(collaborators=["no spaces!"]),
        ),
        "instagram.collaborators",
        id="bad-collaborator",
    ),
    pytest.param(
        Post(text="x", media=PHOTOS, targets=["facebook:a"], facebook=FacebookOptions(link="https://e.com")),
        "facebook.link",
        id="facebook-link-ignored-with-media",
    ),
    pytest.param(
        Post(
            text="x", media=[VIDEO], targets=["youtube:a"], youtube=YouTubeOptions(first_comment="c" * 10001)
        ),
        "youtube.first_comment",
        id="youtube-first-comment-too-long",
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
        Post(text="x", media=[VIDEO], targets=["threads:a"], threads=ThreadsOptions(alt_text=["a clip"])),
        "threads.alt_text",
        id="threads-alt-text-on-a-video",
    ),
]


@pytest.mark.parametrize(("post", "field"), BAD_POSTS)
async def test_bad_input_sends_nothing(either: Either, fake: FakePostPeer, post: Post, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        await either("publish", post)
    assert field in caught.value.fields
    assert fake.calls == 0


async def test_an_option_postpeer_lacks_is_unsupported(either: Either, fake: FakePostPeer) -> None:
    post = Post(text="x", media=PHOTOS, targets=["instagram:a"], instagram=InstagramOptions(alt_text="cat"))
    with pytest.raises(UnsupportedError):
        await either("publish", post)
    assert fake.calls == 0


def test_the_body_is_the_one_the_flow_built(fake: FakePostPeer) -> None:
    """Sanity for :func:`FakePostPeer.bodies`: it decodes exactly what was sent."""
    from .conftest import sync_pub

    fake.on("POST", "/v1/posts", answer(202, created("p", "published", ok("threads"))))
    with sync_pub(fake) as pub:
        pub.publish(Post(text="text only", targets=["threads:th"]))
    assert json.loads(fake.requests[0].content) == {
        "content": "text only",
        "platforms": [
            {"platform": "threads", "accountId": "th", "platformSpecificData": {"replyControl": "everyone"}}
        ],
        "publishNow": True,
    }
