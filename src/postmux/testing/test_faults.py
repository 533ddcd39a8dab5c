"""A publish the vendor made but whose answer was lost is ``unknown``, and a re-run never sends it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmux import Post, Status

from .support import CASES, Vendor

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
