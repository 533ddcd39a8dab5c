"""Scheduling through the PostPeer emulator, end to end: listed accounts, cancel answers, the window."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import postmux
from postmux import ConflictError, Post, Publication, Status, Target
from postmux.sandbox import Sandbox

pytestmark = pytest.mark.postmux_sandbox(providers=["postpeer"])


def _schedule(sandbox: Sandbox, pub: postmux.Publisher, at: datetime) -> list[Publication]:
    post = Post(
        text="later",
        media=[sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok"), Target("instagram", "@sandbox_instagram")],
        schedule_at=at,
    )
    return list(pub.publish(post).results)


def _later(sandbox: Sandbox, **delta: float) -> datetime:
    return sandbox.clock.datetime().replace(microsecond=0) + timedelta(**delta)


def test_scheduled_names_the_account_of_every_target(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("postpeer")
    sent = _schedule(postmux_sandbox, pub, _later(postmux_sandbox, hours=1))
    listed = [p for p in pub.scheduled() if p.id == sent[0].id]
    assert [(p.target, p.account_id) for p in listed] == [
        (Target(s.target.platform, s.account_id or "?"), s.account_id) for s in sent
    ]
    assert all(p.account_id for p in listed)


def test_cancel_reports_the_time_the_vendor_had_not_the_stale_one(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("postpeer")
    at = _later(postmux_sandbox, hours=1)
    first, _ = _schedule(postmux_sandbox, pub, at)
    pub.reschedule(first, at + timedelta(hours=1))
    cancelled = pub.cancel(first)  # the publication from before the move
    assert cancelled.status is Status.CANCELLED
    assert cancelled.scheduled_for == at + timedelta(hours=1)


def test_cancelling_twice_is_a_conflict(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("postpeer")
    first, _ = _schedule(postmux_sandbox, pub, _later(postmux_sandbox, hours=1))
    pub.cancel(first)
    with pytest.raises(ConflictError, match="no longer scheduled"):
        pub.cancel(first)


def test_no_scheduling_window_is_assumed_and_the_emulator_agrees(postmux_sandbox: Sandbox) -> None:
    """PostPeer documents no window (see the plugin README): 400 days ahead is sent and held."""
    pub = postmux_sandbox.publisher("postpeer")
    at = _later(postmux_sandbox, days=400)
    post = Post(
        text="much later",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok")],
        schedule_at=at,
    )
    assert pub.validate(post) == []
    (p,) = pub.publish(post).results
    assert p.status is Status.SCHEDULED
    assert pub.status(p).scheduled_for == at
