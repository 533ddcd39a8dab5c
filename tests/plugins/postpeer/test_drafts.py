"""A TikTok draft read back as it was sent: `Post.extras` can set or undo it."""

from __future__ import annotations

from postmux import Post, Status, Target, TikTokOptions

from .fake import FakePostPeer, answer
from .support import VIDEO, Either, created, entry, ok, post_detail


async def test_a_draft_given_in_extras_is_in_the_inbox_and_stays_there(
    either: Either, fake: FakePostPeer
) -> None:
    extras = {"postpeer": {"platformSpecificData": {"tiktok": {"draft": True}}}}
    post = Post(text="x", media=[VIDEO], targets=[Target("tiktok", "tt_1")], extras=extras)
    fake.on("POST", "/v1/posts", answer(202, created("p1", "published", ok("tiktok"))))
    fake.on("GET", "/v1/posts/p1", answer(200, post_detail("p1", "published", entry("tiktok", "published"))))
    report = await either("publish", post)
    (body,) = fake.bodies("POST", "/v1/posts")
    assert body["platforms"][0]["platformSpecificData"]["draft"] is True
    (result,) = report.results
    assert result.status is Status.INBOX
    now = await either("status", result)
    assert now.status is Status.INBOX


async def test_a_draft_undone_in_extras_is_published(either: Either, fake: FakePostPeer) -> None:
    extras = {"postpeer": {"platformSpecificData": {"tiktok": {"draft": False}}}}
    post = Post(
        text="x",
        media=[VIDEO],
        targets=[Target("tiktok", "tt_1")],
        tiktok=TikTokOptions(draft=True),
        extras=extras,
    )
    fake.on("POST", "/v1/posts", answer(202, created("p1", "published", ok("tiktok"))))
    report = await either("publish", post)
    (body,) = fake.bodies("POST", "/v1/posts")
    assert body["platforms"][0]["platformSpecificData"]["draft"] is False
    (result,) = report.results
    assert result.status is Status.PUBLISHED
