"""Wonda's documented examples, replayed through the sync and the async publisher.

Each cassette in ``cassettes/wonda/`` is built from a documented request and
answer (``cassettes/wonda/README.md`` names the document; job bodies are
labelled synthetic there). Publishing flows are driven with ``Publisher.run``
on a staged ``mediaId``, since the multipart upload before them is tested with
a mock transport instead (``test_upload.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import postmux
from postmux import (
    AccountStatus,
    ConflictError,
    InstagramOptions,
    InvalidRequestError,
    MediaKind,
    PermissionDeniedError,
    Post,
    Publication,
    Route,
    Status,
    Target,
    TikTokOptions,
)

from .conftest import CASSETTE_DIR
from .helpers import JOB_ID, KEY, MEDIA_ID, MEDIA_ID_2, PLUGINS, TIKTOK_ACCOUNT, no_sleep

IG_ACCOUNT = "7d1f3a52-0c8e-4b6a-9f21-3e5d7c9b1a04"
IG_MEDIA = (
    MEDIA_ID,
    MEDIA_ID_2,
    "019e1b73-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
    "019e1b74-2b3c-7d4e-9f5a-6b7c8d9e0f1a",
)

Action = Callable[[Any], Any]


@pytest.fixture(params=["sync", "async"])
def drive(request: pytest.FixtureRequest) -> Callable[[Action], Any]:
    """Run ``action(publisher)`` on a real httpx client (intercepted by the cassette), sync or async."""

    def sync(action: Action) -> Any:
        with postmux.publisher("wonda", api_key=KEY, plugins=PLUGINS, sleep=no_sleep) as pub:
            return action(pub)

    def run_async(action: Action) -> Any:
        async def go() -> Any:
            async with postmux.async_publisher("wonda", api_key=KEY, plugins=PLUGINS) as apub:
                return await action(apub)

        return asyncio.run(go())

    return sync if request.param == "sync" else run_async


def documented_tiktok_post(**changes: Any) -> Post:
    """The post whose body is the documented TikTok example."""
    fields: dict[str, Any] = {
        "text": "Made with AI #wonda",
        "media": ["https://cdn.example.com/clip.mp4"],
        "targets": [Target("tiktok", TIKTOK_ACCOUNT)],
        "tiktok": TikTokOptions(privacy="SELF_ONLY", ai_generated=True),
    }
    return Post(**(fields | changes))


def publishing(post: Post, media: tuple[str, ...]) -> Action:
    """Drive the adapter's publish flow for the post's first target on staged ``media``."""

    def action(pub: Any) -> Any:
        route = Route(post.targets[0], post.targets[0].account)
        return pub.run(pub.adapter.publish(post, [route], media))

    return action


def job(status: Status = Status.QUEUED, **changes: Any) -> Publication:
    """A publication of the documented job, as a publish would return it."""
    fields: dict[str, Any] = {
        "target": Target("tiktok", TIKTOK_ACCOUNT),
        "provider": "wonda",
        "status": status,
        "id": JOB_ID,
        "state": {"endpoint": "/publish/tiktok", "post_mode": "direct"},
    }
    return Publication(**(fields | changes))


@pytest.mark.vcr("tiktok_publish.yaml")
def test_tiktok_video_answers_a_queued_job(drive: Callable[[Action], Any], vcr: Any) -> None:
    (p,) = drive(publishing(documented_tiktok_post(), (MEDIA_ID,)))
    assert (p.status, p.id, p.url) == (Status.QUEUED, JOB_ID, None)
    assert p.media_kind is MediaKind.VIDEO
    assert p.raw == {"outputJobId": JOB_ID, "status": "queued"}
    assert vcr.all_played


@pytest.mark.vcr("tiktok_publish_scheduled.yaml")
def test_tiktok_scheduled_answer_is_scheduled_with_its_time(drive: Callable[[Action], Any], vcr: Any) -> None:
    at = datetime(2026, 6, 20, 14, 30, tzinfo=UTC)
    (p,) = drive(publishing(documented_tiktok_post(schedule_at=at), (MEDIA_ID,)))
    assert (p.status, p.id, p.scheduled_for) == (Status.SCHEDULED, JOB_ID, at)
    assert vcr.all_played


@pytest.mark.vcr("tiktok_carousel.yaml")
def test_tiktok_carousel_is_published_at_once(drive: Callable[[Action], Any], vcr: Any) -> None:
    post = Post(
        text="New carousel",
        media=["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"],
        targets=[Target("tiktok", TIKTOK_ACCOUNT)],
    )
    (p,) = drive(publishing(post, (MEDIA_ID, MEDIA_ID_2)))
    assert p.status is Status.PUBLISHED
    assert p.id == "c34a4b1f-b2ff-4f3f-a4fb-6cf2ca8f9e2c"
    assert p.url == "https://www.tiktok.com/@example/video/..."
    assert p.raw["imageCount"] == 2
    assert vcr.all_played


@pytest.mark.vcr("instagram_publish.yaml")
def test_instagram_reel_answers_a_queued_job(drive: Callable[[Action], Any], vcr: Any) -> None:
    post = Post(
        text="Made with AI #wonda",
        media=["https://cdn.example.com/clip.mp4"],
        targets=[Target("instagram", IG_ACCOUNT)],
        instagram=InstagramOptions(share_to_feed=True),
    )
    (p,) = drive(publishing(post, (MEDIA_ID,)))
    assert (p.status, p.id) == (Status.QUEUED, JOB_ID)
    assert vcr.all_played


@pytest.mark.vcr("instagram_carousel.yaml")
def test_instagram_carousel_is_published_at_once(drive: Callable[[Action], Any], vcr: Any) -> None:
    post = Post(
        text="Four looks",
        media=[f"https://cdn.example.com/{i}.jpg" for i in range(4)],
        targets=[Target("instagram", IG_ACCOUNT)],
    )
    (p,) = drive(publishing(post, IG_MEDIA))
    assert (p.status, p.id, p.url) == (Status.PUBLISHED, "<uuid>", "https://instagram.com/p/...")
    assert vcr.all_played


@pytest.mark.vcr("error_validation.yaml")
def test_documented_validation_error_raises_with_its_code(drive: Callable[[Action], Any]) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        drive(publishing(documented_tiktok_post(), (MEDIA_ID,)))
    error = caught.value
    assert (error.status_code, error.code, error.message) == (400, "validation_error", "'model' is required")
    assert KEY not in str(error)
    assert KEY not in repr(error)


@pytest.mark.vcr("accounts.yaml")
def test_accounts_merge_tiktok_and_instagram(drive: Callable[[Action], Any], vcr: Any) -> None:
    accounts = drive(lambda pub: pub.accounts())
    assert [(a.platform, a.id, a.username) for a in accounts] == [
        ("tiktok", TIKTOK_ACCOUNT, "wonda"),
        ("instagram", IG_ACCOUNT, "wonda.studio"),
    ]
    tiktok = accounts[0]
    assert tiktok.display_name == "Wonda Studio"
    assert tiktok.status is AccountStatus.ACTIVE
    assert tiktok.raw["grantedScopes"] == ["video.publish", "user.info.basic"]
    assert vcr.all_played


@pytest.mark.vcr("job_succeeded.yaml")
def test_status_of_a_succeeded_job_is_published(drive: Callable[[Action], Any]) -> None:
    p = drive(lambda pub: pub.status(job()))
    assert p.status is Status.PUBLISHED
    assert p.raw == {"status": "succeeded"}


@pytest.mark.vcr("job_succeeded.yaml")
def test_a_succeeded_draft_job_is_in_the_inbox(drive: Callable[[Action], Any]) -> None:
    draft = job(state={"endpoint": "/publish/tiktok", "post_mode": "inbox"})
    assert drive(lambda pub: pub.status(draft)).status is Status.INBOX


@pytest.mark.vcr("job_failed.yaml")
def test_status_of_a_failed_job_carries_its_error_message(drive: Callable[[Action], Any]) -> None:
    p = drive(lambda pub: pub.status(job()))
    assert p.status is Status.FAILED
    assert p.error == "TikTok rejected the video: duration exceeds the creator's maximum"


@pytest.mark.vcr("job_wait.yaml")
def test_wait_polls_the_job_until_it_succeeds(drive: Callable[[Action], Any], vcr: Any) -> None:
    report = drive(lambda pub: pub.wait(job(), timeout=60, interval=0))
    assert [p.status for p in report] == [Status.PUBLISHED]
    assert vcr.play_count == 3


@pytest.mark.vcr("scheduled_list.yaml")
def test_scheduled_lists_both_platforms(drive: Callable[[Action], Any]) -> None:
    items = drive(lambda pub: pub.scheduled())
    assert [(p.target, p.id, p.status) for p in items] == [
        (Target("tiktok", TIKTOK_ACCOUNT), JOB_ID, Status.SCHEDULED),
        (Target("instagram", IG_ACCOUNT), "019e1b77-0000-7000-8000-000000000001", Status.SCHEDULED),
    ]
    assert items[0].scheduled_for == datetime(2026, 6, 20, 14, 30, tzinfo=UTC)


@pytest.mark.vcr("cancel_scheduled.yaml")
def test_cancel_marks_the_publication_cancelled(drive: Callable[[Action], Any], vcr: Any) -> None:
    p = drive(lambda pub: pub.cancel(job(Status.SCHEDULED)))
    assert p.status is Status.CANCELLED
    assert vcr.all_played


@pytest.mark.vcr("cancel_conflict.yaml")
def test_cancel_of_a_started_job_is_a_conflict(drive: Callable[[Action], Any]) -> None:
    with pytest.raises(ConflictError) as caught:
        drive(lambda pub: pub.cancel(job(Status.SCHEDULED)))
    assert (caught.value.status_code, caught.value.code) == (409, "conflict")


@pytest.mark.vcr("cancel_forbidden.yaml")
def test_cancel_without_scheduling_enabled_is_permission_denied(drive: Callable[[Action], Any]) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        drive(lambda pub: pub.cancel(job(Status.SCHEDULED)))
    assert (caught.value.status_code, caught.value.code) == (403, "feature_disabled")


def test_no_cassette_carries_a_key_or_an_authorization_header() -> None:
    cassettes = sorted(CASSETTE_DIR.glob("*.yaml"))
    assert len(cassettes) >= 14
    for path in cassettes:
        text = path.read_text()
        assert "authorization" not in text.lower(), path.name
        assert "Bearer" not in text, path.name
        assert "sk_" not in text, path.name
        assert "headers:" in text, path.name
