"""A worker whose clock disagrees with the PostgreSQL server's: leases are the server's to judge."""

from __future__ import annotations

import time
from datetime import datetime, tzinfo

import pytest

from core.fakes import KEY, FakeAdapter, Vendor, published, video_post
from postmux import Post, Publisher, Secret, Status, Target, core, reconcile
from postmux.ledger import Owner, PostgresLedger

SKEW = 600.0
"""Ten minutes: a machine whose clock drifted, or was never synced."""


def skewed(monkeypatch: pytest.MonkeyPatch, by: float) -> None:
    """This machine's clock off by ``by`` seconds (``time.time`` and ``datetime.now`` alike)."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + by)

    class Skewed(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Skewed:
            return datetime.fromtimestamp(real() + by, tz)  # type: ignore[return-value]

    for module in (core, reconcile):
        monkeypatch.setattr(module, "datetime", Skewed)


def test_a_client_clock_behind_still_takes_over_a_dead_owners_expired_claim(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = video_post("tiktok:a")
    dead = Owner("gone", 1, "dead-run")
    seed = PostgresLedger(pg_url)
    try:
        assert seed.claim(post.ledger_key, "fake:tiktok:a", owner=dead, lease=0.0)  # expired, unsent
    finally:
        seed.close()
    skewed(monkeypatch, -SKEW)
    vendor = Vendor({"POST /posts": published})
    with Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=PostgresLedger(pg_url)) as pub:
        (result,) = pub.publish(post)
    # the server's clock says the lease ended: the claim is taken over and sent, as on a synced machine
    assert vendor.count("POST /posts") == 1, result
    assert result.status is Status.PROCESSING  # sent: the vendor is making it


def test_a_client_clock_ahead_reads_a_live_claim_as_live(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = video_post("tiktok:a")
    alive = Owner("busy", 2, "live-run")
    seed = PostgresLedger(pg_url)
    try:
        assert seed.claim(post.ledger_key, "fake:tiktok:a", owner=alive, lease=300.0)  # still uploading
    finally:
        seed.close()
    skewed(monkeypatch, SKEW)
    vendor = Vendor({"POST /posts": published})
    with Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=PostgresLedger(pg_url)) as pub:
        (result,) = pub.publish(post)
    assert vendor.count("POST /posts") == 0
    # the owner is alive and will send it: not an in-doubt claim for reconcile() to settle
    assert result.error_code == "claimed_elsewhere", result.error
    assert result.attempt is None


def test_a_client_clock_ahead_does_not_believe_an_absence_before_its_time(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send a crashed run marked a moment ago, read by a worker whose clock runs ten minutes ahead.

    ``sent_at`` is the server's; judging its age by the worker's clock would call it ten minutes
    old, believe the vendor's "not listed yet" and let a re-run send it again.
    """
    from postmux.sandbox import Sandbox, Timing

    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    ledger = PostgresLedger(pg_url)
    pub = sandbox.publisher("postpeer", ledger=ledger)
    try:
        post = Post(
            text="just sent",
            media=[sandbox.sample_url("clip.mp4")],
            targets=[Target("tiktok", "@sandbox_tiktok")],
        )
        (route,) = pub.routes(post, pub.accounts())
        dead = Owner("elsewhere", 1, "crashed")
        key = pub.target_key(route)
        assert ledger.claim(post.ledger_key, key, owner=dead, lease=0.0)
        assert ledger.sending(post.ledger_key, key, dead)  # its request left just now, then it died
        skewed(monkeypatch, SKEW + 100)
        (in_doubt,) = pub.publish(post)
        assert in_doubt.status is Status.UNKNOWN
        assert in_doubt.attempt is not None
        (settled,) = pub.reconcile([in_doubt])  # the vendor's own wait (absent_after), by the right clock
        assert settled.status is Status.UNKNOWN, settled.error
        assert "reconcile again after" in (settled.error or "")
    finally:
        pub.close()
