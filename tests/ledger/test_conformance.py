"""One conformance suite for every ledger backend: memory, SQLite, PostgreSQL.

Each test runs against each backend; the multi-process ones against the
backends processes can share. PostgreSQL is a real server started by the
session (see ``servers.py``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from postmux import Publication, Status, Target
from postmux.ledger import Owner

from .conftest import Store
from .workers import claim_all, claim_forever, claim_in_batches, run_processes

SPAWN = multiprocessing.get_context("spawn")
KEYS = [f"t{i:03d}" for i in range(200)]


def pub(key: str, status: Status = Status.PUBLISHED) -> Publication:
    return Publication(
        target=Target("tiktok", key), provider="fake", status=status, id=f"id-{key}", url=f"https://t/{key}"
    )


def test_first_claim_wins_and_records_owner_and_lease(store: Store) -> None:
    ledger = store.open(lease=60)
    me, other = Owner.here(), Owner("elsewhere", 7, "run-7")
    before = time.time()
    assert ledger.claim("p", "t", owner=me)
    assert not ledger.claim("p", "t", owner=other)
    assert not ledger.claim("p", "t", owner=me)  # once owned, not owned "again" by anybody
    entry = ledger.lookup("p", "t")
    assert entry is not None
    assert entry.publication is None
    assert entry.phase == "claimed"
    assert entry.owner == me
    assert entry.expires_at is not None
    assert before + 59 < entry.expires_at < time.time() + 61
    assert entry.live(time.time())


def test_claims_are_exclusive_across_threads(store: Store) -> None:
    handles = [store.open() for _ in range(8)]

    def race(i: int) -> list[str]:
        owner = Owner.here()
        return [k for k in KEYS if handles[i].claim("post", k, owner=owner)]

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(race, range(8)))
    everything = [k for keys in won for k in keys]
    assert sorted(everything) == KEYS  # every key won, and by exactly one thread


def test_claims_are_exclusive_across_processes_opening_a_new_ledger_together(shared_store: Store) -> None:
    assert shared_store.where is not None
    won = run_processes(4, claim_all, shared_store.where, KEYS)  # the tables are created by the race too
    everything = [k for keys in won for k in keys]
    assert sorted(everything) == KEYS


def test_an_expired_claim_on_which_nothing_was_sent_is_taken_over(store: Store) -> None:
    ledger = store.open()
    dead, heir = Owner("a", 1, "run-a"), Owner("b", 2, "run-b")
    assert ledger.claim("p", "t", owner=dead, lease=0.2)
    assert not ledger.claim("p", "t", owner=heir)  # live: not yet
    time.sleep(0.3)
    assert ledger.claim("p", "t", owner=heir)
    assert not ledger.sending("p", "t", dead)  # the first owner lost it: it sends nothing
    assert ledger.sending("p", "t", heir)
    entry = ledger.lookup("p", "t")
    assert entry is not None
    assert entry.owner == heir
    assert entry.phase == "sending"


def test_an_expired_claim_being_sent_stays_in_doubt(store: Store) -> None:
    ledger = store.open()
    owner = Owner.here()
    assert ledger.claim("p", "t", owner=owner, lease=0.1)
    assert ledger.sending("p", "t", owner)
    time.sleep(0.2)
    assert not ledger.claim("p", "t", owner=Owner.here())
    entry = ledger.lookup("p", "t")
    assert entry is not None
    assert entry.phase == "sending"
    assert not entry.live(time.time())


def test_only_the_owner_marks_sending(store: Store) -> None:
    ledger = store.open()
    owner = Owner.here()
    assert not ledger.sending("p", "t", owner)  # nothing claimed
    assert ledger.claim("p", "t", owner=owner)
    assert not ledger.sending("p", "t", Owner.here())
    assert ledger.sending("p", "t", owner)
    assert not ledger.sending("p", "t", owner)  # once


def test_record_and_lookup(store: Store) -> None:
    ledger = store.open()
    owner = Owner.here()
    assert ledger.claim("p", "t", owner=owner)
    assert ledger.sending("p", "t", owner)
    ledger.record("p", "t", pub("t", Status.QUEUED))
    ledger.record("p", "t", pub("t", Status.PUBLISHED))  # the newest state wins
    entry = ledger.lookup("p", "t")
    assert entry is not None
    assert entry.publication == pub("t", Status.PUBLISHED)
    assert entry.phase == "recorded"
    assert entry.owner == owner
    assert not ledger.claim("p", "t", owner=Owner.here())
    assert ledger.lookup("p", "other") is None
    assert ledger.lookup("other", "t") is None


def test_a_failed_outcome_may_be_claimed_again_by_one_caller(store: Store) -> None:
    ledger = store.open()
    ledger.record("p", "t", pub("t", Status.FAILED))
    owners = [Owner.here() for _ in range(8)]
    handles = [store.open() for _ in owners]
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda i: handles[i].claim("p", "t", owner=owners[i]), range(8)))
    assert won.count(True) == 1
    entry = ledger.lookup("p", "t")
    assert entry is not None
    assert entry.publication is None
    assert entry.owner == owners[won.index(True)]


def test_release(store: Store) -> None:
    ledger = store.open()
    owner = Owner.here()
    ledger.record("p", "done", pub("done"))
    ledger.release("p", "done")  # a human checked: forget it
    assert ledger.lookup("p", "done") is None
    assert ledger.claim("p", "t", owner=owner)
    ledger.release("p", "t", owner=Owner.here())  # not that owner's: kept
    assert ledger.lookup("p", "t") is not None
    ledger.release("p", "t", owner=owner)  # the owner gives back a claim it never sent
    assert ledger.lookup("p", "t") is None
    assert ledger.claim("p", "s", owner=owner)
    assert ledger.sending("p", "s", owner)
    ledger.release("p", "s", owner=owner)  # being sent: no longer the owner's to give back
    assert ledger.lookup("p", "s") is not None
    ledger.release("p", "missing")  # nothing there: nothing happens


def test_reopening_sees_everything(shared_store: Store) -> None:
    first = shared_store.open()
    owner = Owner.here()
    assert first.claim("p", "a", owner=owner)
    first.record("p", "b", pub("b"))
    first.close()
    again = shared_store.open()
    entry = again.lookup("p", "a")
    assert entry is not None
    assert entry.owner == owner
    assert again.lookup("p", "b") is not None
    assert not again.claim("p", "a", owner=Owner.here())


def test_reopening_after_a_process_was_killed_mid_run(shared_store: Store) -> None:
    assert shared_store.where is not None
    shared_store.open()
    # no lock: the child is killed at any moment, maybe holding it, and a read would then wait forever
    progress = SPAWN.Value("i", 0, lock=False)  # one writer (the child), one reader
    child = SPAWN.Process(target=claim_forever, args=(shared_store.where, progress))
    child.start()
    try:
        deadline = time.monotonic() + 60
        while progress.value < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    done: int = progress.value
    assert done >= 50
    ledger = shared_store.open()
    for i in range(done):
        entry = ledger.lookup("crash", f"k{i:06d}")
        assert entry is not None, f"claim {i} of {done} lost"
        assert entry.owner is not None
        assert entry.owner.pid == child.pid
        if i % 2 == 0:
            assert entry.publication == Publication(
                target=Target("tiktok", f"k{i:06d}"), provider="fake", status=Status.PUBLISHED, id=f"k{i:06d}"
            )
        else:
            assert entry.phase == "sending"
            assert not ledger.claim("crash", f"k{i:06d}", owner=Owner.here())  # in doubt: never retaken
    owner = Owner.here()
    assert ledger.claim("crash", "after", owner=owner)  # and it goes on working
    assert ledger.sending("crash", "after", owner)


def test_claims_are_exclusive_between_handles_in_threads_and_a_ledger_shared_by_threads(store: Store) -> None:
    ledger = store.open()
    results: list[bool] = []
    lock = threading.Lock()

    def race() -> None:
        won = ledger.claim("p", "same", owner=Owner.here())
        with lock:
            results.append(won)

    threads = [threading.Thread(target=race) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1


def test_claims_in_batches_are_exclusive_across_processes(shared_store: Store) -> None:
    assert shared_store.where is not None
    shared_store.open()
    won = run_processes(4, claim_in_batches, shared_store.where, KEYS)
    assert sorted(k for keys in won for k in keys) == KEYS


def test_many_at_once(store: Store) -> None:
    ledger = store.open()
    keys = [f"k{i:04d}" for i in range(1200)]  # more than one statement's worth
    me, rival = Owner.here(), Owner("rival", 9, "run-9")
    assert ledger.claim("p", keys[7], owner=rival)
    ledger.record("p", keys[8], pub(keys[8], Status.FAILED))
    ledger.record("p", keys[9], pub(keys[9]))
    won = ledger.claim_many("p", [*keys, keys[0]], owner=me)  # a key twice is claimed once
    assert won == set(keys) - {keys[7], keys[9]}
    found = ledger.lookup_many("p", [*keys, "absent"])
    assert set(found) == set(keys)
    assert found[keys[7]].owner == rival
    assert found[keys[8]].owner == me
    assert found[keys[9]].publication == pub(keys[9])
    assert ledger.claim_many("p", keys[:10], owner=Owner.here()) == set()
    assert ledger.lookup_many("other", keys[:3]) == {}
