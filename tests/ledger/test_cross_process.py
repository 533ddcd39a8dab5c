"""The issue's reproduction: two processes, one ledger, the same cross-post — every target sent once.

Before claims were atomic this published 64 of these 80 targets twice on SQLite.
"""

from __future__ import annotations

import pytest

from postmux.sandbox import Sandbox, SandboxAccount

from .conftest import Store
from .workers import publish_job, run_processes


def link_accounts(sandbox: Sandbox, provider: str, count: int) -> list[str]:
    """``count`` fresh TikTok accounts linked at the emulator; their ids."""
    emulator = sandbox.emulator(provider)
    ids = []
    for i in range(count):
        account = emulator.link(
            SandboxAccount(
                id=f"race-{i:04d}",
                platform="tiktok",
                username=f"race_{i:04d}",
                display_name=f"Race {i}",
                extra={"user_id": str(7_000_000_000 + i)},
            )
        )
        ids.append(account.id)
    return ids


def sent_per_account(sandbox: Sandbox, provider: str, accounts: list[str]) -> dict[str, int]:
    """How many publications the emulator made for each account: its own truth."""
    emulator = sandbox.emulator(provider)
    return {a: len(emulator.records_for(a)) for a in accounts}


@pytest.mark.postmux_sandbox(providers=["wonda"], faults="wonda:POST /publish/*=latency=20ms")
def test_two_processes_one_ledger_send_each_target_once(
    postmux_sandbox: Sandbox, shared_store: Store
) -> None:
    assert shared_store.where is not None
    accounts = link_accounts(postmux_sandbox, "wonda", 80)
    answers = run_processes(
        2,
        publish_job,
        "wonda",
        postmux_sandbox.key("wonda"),
        postmux_sandbox.url("wonda"),
        shared_store.where,
        postmux_sandbox.sample_url("clip.mp4"),
        postmux_sandbox.media_fetch(),
        accounts,
    )
    sent = sent_per_account(postmux_sandbox, "wonda", accounts)
    twice = sorted(a for a, n in sent.items() if n > 1)
    assert not twice, f"{len(twice)} of {len(accounts)} targets published more than once"
    assert all(n == 1 for n in sent.values())
    assert len(answers) == 2
