"""A publish the vendor made but whose answer was lost is ``unknown``, and a re-run never sends it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmux import Post, Status

from .support import CASES, Vendor, capabilities_of

pytestmark = pytest.mark.parametrize(("provider", "mode"), CASES)


def test_a_dropped_answer_is_unknown_and_the_ledger_never_resends(vendor: Vendor, tmp_path: Path) -> None:
    assert "publish" in vendor.emulator.roles(), f"{vendor.provider}'s emulator names no publish routes"
    vendor.sandbox.inject(f"{vendor.provider}:publish=drop-after")  # the vendor-neutral scope
    ledger = tmp_path / "ledger.db"
    post = Post(text="Lost answer", media=vendor.video(), targets=[vendor.target("tiktok")])
    account = vendor.seeded_id("tiktok")

    (first,) = vendor.publisher(ledger=ledger).publish(post)
    assert first.status is Status.UNKNOWN, first
    assert vendor.publish_requests() == 1, "a publish that may have reached the vendor was sent again"
    assert len(vendor.records(account)) == 1
    assert vendor.emulator.received() == 1
    vendor.sandbox.settle()  # whatever the vendor still had to do is done
    assert vendor.emulator.published(account) == 1

    vendor.sandbox.clear_faults()
    writes = vendor.writes()
    (again,) = vendor.publisher(ledger=ledger).publish(post)
    assert again.status is Status.UNKNOWN  # in doubt: left for a human, never resent
    assert vendor.writes() == writes, "the re-run sent something"
    assert vendor.publish_requests() == 1
    assert vendor.emulator.published(account) == 1
    assert len(vendor.records(account)) == 1


def test_reconcile_settles_what_the_vendor_can_check(vendor: Vendor, tmp_path: Path) -> None:
    """``reconcile()`` after a lost answer: found where ``Capabilities.reconcile`` says so, else a reason.

    The post was made (``drop-after``): a vendor that can reconcile must find it
    (recorded: a re-run sends nothing); one that cannot keeps it ``unknown``
    with a reason saying what to check, and never calls it absent.
    """
    vendor.sandbox.inject(f"{vendor.provider}:publish=drop-after")
    ledger = tmp_path / "ledger.db"
    post = Post(text="Reconcile me", media=vendor.video(), targets=[vendor.target("tiktok")])
    pub = vendor.publisher(ledger=ledger)
    (first,) = pub.publish(post)
    assert first.status is Status.UNKNOWN, first
    assert first.attempt is not None, "an unknown must keep what identifies its attempt"
    vendor.sandbox.clear_faults()
    vendor.sandbox.settle()
    (settled,) = pub.reconcile([first])
    assert settled.status is not Status.FAILED, "the post exists: never absent"
    if capabilities_of(vendor.provider).reconcile:
        assert settled.ok, settled
        assert settled.id, settled
        writes = vendor.writes()
        (again,) = vendor.publisher(ledger=ledger).publish(post)
        assert again.id == settled.id
        assert vendor.writes() == writes, "a found publication was sent again"
    elif settled.status is Status.UNKNOWN:
        assert settled.error, "an unknown reconcile cannot check must say what to check by hand"
    assert vendor.publish_requests() == 1
