"""A target named by ``@username`` whose account list cannot be read: every target failed, nothing sent.

The listing comes before any claim or post byte, so ``publish()`` gives each
target its outcome (with the error's facts) rather than raising and losing the
report, and a re-run resolves and sends them.
"""

from __future__ import annotations

import asyncio

import pytest

import postmux
from postmux import Post, Status, Target
from postmux.sandbox import Sandbox, Timing

VENDORS = ("postpeer", "wahdx", "wonda")


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", VENDORS)
def test_an_unreadable_account_list_fails_each_target_and_a_re_run_sends(name: str, mode: str) -> None:
    sandbox = Sandbox([name], faults="*:accounts=500", timing=Timing.instant())
    post = Post(
        text="resolve me",
        media=[sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok"), Target("instagram", "@sandbox_instagram")],
    )
    ledger = postmux.MemoryLedger()
    if mode == "sync":
        report = sandbox.publisher(name, ledger=ledger).publish(post)
    else:

        async def run() -> postmux.PublishReport:
            async with sandbox.async_publisher(name, ledger=ledger) as apub:
                return await apub.publish(post)

        report = asyncio.run(run())
    assert [p.status for p in report] == [Status.FAILED, Status.FAILED]
    assert all(p.status_code == 500 and "not sent" in (p.error or "") for p in report)
    assert all(isinstance(p.exception, postmux.ServerError) for p in report)
    assert sandbox.emulator(name).received() == 0
    sandbox.emulator(name).faults.clear()
    again = sandbox.publisher(name, ledger=ledger).publish(post)
    assert all(p.ok for p in again), again
