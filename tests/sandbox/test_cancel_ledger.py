"""A cancel or a move of a scheduled post is recorded in the ledger: a re-run returns the newest state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from postmux import MemoryLedger, Post, Status, Target
from postmux.sandbox import Sandbox, Timing


def _scheduled_post(sandbox: Sandbox, hours: float = 2) -> Post:
    return Post(
        text="later, maybe",
        media=[sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok")],
        schedule_at=sandbox.clock.datetime().replace(microsecond=0) + timedelta(hours=hours),
    )


@pytest.mark.parametrize("name", ["postpeer", "wonda"])
def test_a_rerun_after_cancel_returns_cancelled_not_the_stale_scheduled(name: str) -> None:
    sandbox = Sandbox([name], timing=Timing.instant())
    ledger = MemoryLedger()
    pub = sandbox.publisher(name, ledger=ledger)
    post = _scheduled_post(sandbox)
    (first,) = pub.publish(post).results
    assert first.status is Status.SCHEDULED
    assert pub.cancel(first).status is Status.CANCELLED
    (again,) = pub.publish(post).results
    assert again.status is Status.CANCELLED


def test_a_rerun_after_reschedule_returns_the_new_time() -> None:
    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    pub = sandbox.publisher("postpeer", ledger=MemoryLedger())
    post = _scheduled_post(sandbox)
    (first,) = pub.publish(post).results
    assert first.scheduled_for is not None
    moved_to = first.scheduled_for + timedelta(hours=3)
    assert pub.reschedule(first, moved_to).scheduled_for == moved_to
    (again,) = pub.publish(post).results
    assert again.scheduled_for == moved_to


def test_an_async_cancel_is_recorded_too() -> None:
    import asyncio

    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    ledger = MemoryLedger()
    post = _scheduled_post(sandbox)

    async def run() -> Status:
        async with sandbox.async_publisher("postpeer", ledger=ledger) as apub:
            (first,) = (await apub.publish(post)).results
            await apub.cancel(first)
            (again,) = (await apub.publish(post)).results
            return again.status

    assert asyncio.run(run()) is Status.CANCELLED
