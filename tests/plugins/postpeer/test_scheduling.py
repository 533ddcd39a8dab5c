"""Scheduled posts: listing every page, cancelling (404/409 mapped) and rescheduling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from postmux import ConflictError, NotFoundError, Publication, Status, Target, ValidationError

from .fake import FakePostPeer, answer
from .support import Either

SCHEDULED = Publication(
    target=Target("tiktok", "tt_321"),
    provider="postpeer",
    status=Status.SCHEDULED,
    id="post_xyz789",
    state={"platform": "tiktok", "index": "0"},
)


def _scheduled(
    post_id: str, *platforms: str, when: str | None = "2026-07-01T09:00:00.000Z"
) -> dict[str, object]:
    """A post of ``GET /v1/posts`` in the spec's shape, its request naming one account per entry."""
    return {
        "postId": post_id,
        "content": "later",
        "status": "scheduled",
        "scheduledFor": when,
        "timezone": "America/New_York",
        "mediaItems": [],
        "platforms": [
            {
                "platform": p,
                "status": "scheduled",
                "content": None,
                "platformPostId": None,
                "platformPostUrl": None,
                "publishedAt": None,
                "errorMessage": None,
                "warningMessage": None,
            }
            for p in platforms
        ],
        "crosspostingEnabled": False,
        "rawRequestBody": {
            "content": "later",
            "platforms": [{"platform": p, "accountId": f"{p}_{n}"} for n, p in enumerate(platforms)],
        },
        "createdAt": "2026-04-15T14:30:00.000Z",
        "updatedAt": "2026-04-15T14:30:00.000Z",
    }


async def test_scheduled_lists_every_page(either: Either, fake: FakePostPeer) -> None:
    first = [_scheduled(f"p{n}", "tiktok") for n in range(100)]
    second = [_scheduled("last", "tiktok", "instagram", when="2026-07-01T09:00:00")]
    fake.on(
        "GET",
        "/v1/posts",
        answer(200, {"success": True, "total": 101, "posts": first}),
        answer(200, {"success": True, "total": 101, "posts": second}),
    )
    listed = await either("scheduled")
    assert [r.url.params["offset"] for r in fake.requests] == ["0", "100"]
    assert {r.url.params["status"] for r in fake.requests} == {"scheduled"}
    assert len(listed) == 102
    last = listed[-2:]
    assert [(p.id, p.target, p.account_id, p.status) for p in last] == [
        ("last", Target("tiktok", "tiktok_0"), "tiktok_0", Status.SCHEDULED),
        ("last", Target("instagram", "instagram_1"), "instagram_1", Status.SCHEDULED),
    ]
    assert last[0].scheduled_for == datetime(2026, 7, 1, 9, tzinfo=ZoneInfo("America/New_York"))
    assert listed[0].scheduled_for == datetime(2026, 7, 1, 9, tzinfo=UTC)


async def test_cancel_moves_the_post_to_draft(either: Either, fake: FakePostPeer) -> None:
    fake.on(
        "DELETE",
        "/v1/posts/scheduled/post_xyz789",
        answer(200, {"success": True, "message": "Post cancelled and moved to draft."}),
    )
    moved = {**_scheduled("post_xyz789", "tiktok", when="2026-07-02T10:00:00.000Z"), "status": "draft"}
    fake.on("GET", "/v1/posts/post_xyz789", answer(200, {"success": True, "post": moved}))
    cancelled = await either("cancel", SCHEDULED)
    assert cancelled.status is Status.CANCELLED
    assert cancelled.id == "post_xyz789"
    assert cancelled.scheduled_for == datetime(2026, 7, 2, 10, tzinfo=UTC)  # PostPeer's, not a stale one


async def test_cancel_leaves_no_stale_time_when_the_read_back_fails(
    either: Either, fake: FakePostPeer
) -> None:
    fake.on(
        "DELETE",
        "/v1/posts/scheduled/post_xyz789",
        answer(200, {"success": True, "message": "Post cancelled and moved to draft."}),
    )
    fake.on("GET", "/v1/posts/post_xyz789", answer(404, {"success": False, "message": "Post not found"}))
    stale = attrs.evolve(SCHEDULED, scheduled_for=datetime(2026, 7, 1, 9, tzinfo=UTC))
    cancelled = await either("cancel", stale)
    assert cancelled.status is Status.CANCELLED
    assert cancelled.scheduled_for is None


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (404, NotFoundError, "Scheduled post not found"),
        (409, ConflictError, "Post is already publishing"),
    ],
)
async def test_cancel_errors_are_mapped(
    either: Either, fake: FakePostPeer, status: int, error: type[Exception], message: str
) -> None:
    fake.on(
        "DELETE", "/v1/posts/scheduled/post_xyz789", answer(status, {"success": False, "message": message})
    )
    with pytest.raises(error, match=message):
        await either("cancel", SCHEDULED)


async def test_reschedule_patches_time_and_zone(either: Either, fake: FakePostPeer) -> None:
    at = datetime.now(ZoneInfo("Asia/Tokyo")).replace(microsecond=0) + timedelta(days=3)
    fake.on(
        "PATCH",
        "/v1/posts/scheduled/post_xyz789",
        answer(200, {"success": True, "message": "Post rescheduled.", "scheduledFor": at.isoformat()}),
    )
    moved = await either("reschedule", SCHEDULED, at)
    (body,) = fake.bodies("PATCH", "/v1/posts/scheduled/post_xyz789")
    assert body["timezone"] == "Asia/Tokyo"
    assert datetime.fromisoformat(body["scheduledFor"]) == at
    assert moved.status is Status.SCHEDULED
    assert moved.scheduled_for == at


@pytest.mark.parametrize(
    "at",
    [datetime(2030, 1, 1), datetime(2000, 1, 1, tzinfo=UTC)],
    ids=["naive", "past"],
)
async def test_reschedule_refuses_bad_times_without_a_request(
    either: Either, fake: FakePostPeer, at: datetime
) -> None:
    with pytest.raises(ValidationError):
        await either("reschedule", SCHEDULED, at)
    assert fake.calls == 0


async def test_a_publication_without_post_id_is_refused(either: Either, fake: FakePostPeer) -> None:
    blank = Publication(target=Target("tiktok", "a"), provider="postpeer", status=Status.FAILED)
    for method in ("cancel", "status"):
        with pytest.raises(ValidationError):
            await either(method, blank)
    assert fake.calls == 0
