"""``ConnectSession.wait`` uses its whole timeout, as ``Publisher.wait()`` does: a poll at the deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

import postmux
from postmux import Account, ConnectPoll, ConnectStart, ConnectStatus
from postmux.connect import AsyncConnectSession, ConnectSession

LINKED = Account(id="acc-1", platform="tiktok", provider="fake")


def _polls(confirm_at: int) -> tuple[list[float], Callable[[Any], ConnectPoll]]:
    """A vendor confirming at poll ``confirm_at`` (1-based), and the times it was asked."""
    asked: list[float] = []

    def run(flow: Any) -> ConnectPoll:
        asked.append(time.monotonic())
        if len(asked) >= confirm_at:
            return ConnectPoll(status=ConnectStatus.CONFIRMED, account=LINKED)
        return ConnectPoll(status=ConnectStatus.PENDING)

    return asked, run


START = ConnectStart(platform="tiktok", url="https://vendor.test/link")


def test_a_link_confirmed_at_the_deadline_poll_is_returned() -> None:
    # interval 0.3 s, timeout 0.4 s: polls at 0, 0.3 and the deadline, 0.4; the third confirms
    asked, run = _polls(confirm_at=3)
    session = ConnectSession(START, run, lambda start: iter(()), interval=0.3)  # type: ignore[arg-type, return-value]
    assert session.wait(timeout=0.4) == LINKED
    assert len(asked) == 3
    assert asked[2] - asked[0] == pytest.approx(0.4, abs=0.08)  # the last one at the deadline


def test_a_link_not_confirmed_by_the_deadline_poll_is_a_timeout() -> None:
    asked, run = _polls(confirm_at=99)
    session = ConnectSession(START, run, lambda start: iter(()), interval=0.3)  # type: ignore[arg-type, return-value]
    with pytest.raises(postmux.TimeoutError, match=r"not linked within 0\.4 s"):
        session.wait(timeout=0.4)
    assert len(asked) == 3


async def test_async_a_link_confirmed_at_the_deadline_poll_is_returned() -> None:
    asked, sync_run = _polls(confirm_at=3)

    async def run(flow: Any) -> ConnectPoll:
        return sync_run(flow)

    session = AsyncConnectSession(START, run, lambda start: iter(()), interval=0.3)  # type: ignore[arg-type, return-value]
    assert await session.wait(timeout=0.4) == LINKED
    assert len(asked) == 3
