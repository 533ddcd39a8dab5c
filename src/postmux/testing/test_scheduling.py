"""Scheduling where the vendor supports it: scheduled, listed, then cancelled or published at its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postmux import Post, Status, ValidationError

from .support import CASES, Vendor, schedule_time

pytestmark = pytest.mark.parametrize(("provider", "mode"), CASES)


def _platform(vendor: Vendor) -> str:
    caps = vendor.capabilities
    seeded = {a.platform for a in vendor.emulator.accounts if a.active}
    for platform, support in caps.platforms.items():
        if caps.can_schedule(platform) and support.video and platform in seeded:
            return platform
    pytest.skip(f"{vendor.provider} schedules no video posts")


def _scheduled_post(vendor: Vendor, platform: str, text: str) -> tuple[Post, datetime]:
    at = schedule_time(vendor.capabilities, vendor.sandbox.clock.datetime())
    return Post(text=text, media=vendor.video(), targets=[vendor.target(platform)], schedule_at=at), at


def _past(vendor: Vendor, at: datetime) -> None:
    """Move the emulator's clock a minute past ``at``."""
    vendor.sandbox.advance((at - vendor.sandbox.clock.datetime()).total_seconds() + 60)


def test_a_scheduled_post_is_listed_and_can_be_cancelled(vendor: Vendor) -> None:
    platform = _platform(vendor)
    post, at = _scheduled_post(vendor, platform, "Later")
    (p,) = vendor.pub.publish(post)
    assert p.status is Status.SCHEDULED, p
    assert p.scheduled_for is not None
    assert abs((p.scheduled_for - at).total_seconds()) < 1
    assert p.id in {s.id for s in vendor.pub.scheduled()}
    account = vendor.seeded_id(platform)
    assert vendor.emulator.published(account) == 0
    if not vendor.capabilities.cancel:
        pytest.skip(f"{vendor.provider} cannot cancel a scheduled post")
    cancelled = vendor.pub.cancel(p)
    assert cancelled.status is Status.CANCELLED
    assert p.id not in {s.id for s in vendor.pub.scheduled()}
    _past(vendor, at)
    assert vendor.pub.status(p).status is Status.CANCELLED
    assert vendor.emulator.published(account) == 0


def test_a_scheduled_post_is_published_at_its_time(vendor: Vendor) -> None:
    platform = _platform(vendor)
    post, at = _scheduled_post(vendor, platform, "At its time")
    (p,) = vendor.pub.publish(post)
    assert p.status is Status.SCHEDULED
    assert vendor.pub.status(p).status is Status.SCHEDULED
    _past(vendor, at)
    (done,) = vendor.pub.wait(p)
    assert done.status is Status.PUBLISHED
    assert vendor.emulator.published(vendor.seeded_id(platform)) == 1


def test_a_time_outside_the_vendors_window_is_refused(vendor: Vendor) -> None:
    platform = _platform(vendor)
    caps = vendor.capabilities
    if caps.schedule_max is None and caps.schedule_min is None:
        pytest.skip(f"{vendor.provider} documents no scheduling window")
    now = datetime.now(UTC)
    too_far = now + (caps.schedule_max or timedelta()) + timedelta(days=1)
    too_soon = now + (caps.schedule_min or timedelta()) / 2
    for at in [t for t, bound in ((too_far, caps.schedule_max), (too_soon, caps.schedule_min)) if bound]:
        post = Post(
            text="Out of window", media=vendor.video(), targets=[vendor.target(platform)], schedule_at=at
        )
        with pytest.raises(ValidationError) as info:
            vendor.pub.publish(post)
        assert [p.field for p in info.value.problems] == ["schedule_at"]
    assert vendor.emulator.requests == []


def test_a_rescheduled_post_fires_at_its_new_time(vendor: Vendor) -> None:
    platform = _platform(vendor)
    if not vendor.capabilities.reschedule:
        pytest.skip(f"{vendor.provider} cannot reschedule")
    post, at = _scheduled_post(vendor, platform, "Moved")
    (p,) = vendor.pub.publish(post)
    later = at + timedelta(hours=2)
    moved = vendor.pub.reschedule(p, later)
    assert moved.status is Status.SCHEDULED
    account = vendor.seeded_id(platform)
    _past(vendor, at)
    assert vendor.pub.status(p).status is Status.SCHEDULED
    assert vendor.emulator.published(account) == 0
    _past(vendor, later)
    assert vendor.pub.wait(p)[0].status is Status.PUBLISHED
    assert vendor.emulator.published(account) == 1
