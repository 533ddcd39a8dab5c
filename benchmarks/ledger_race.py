"""Many processes, one ledger, one job: does every target go out exactly once, and what does it cost?

A job is 100 posts, each cross-posted to 5 Wonda accounts (500 targets), sent
through the sandbox with 10 ms of latency on every request. For 2, 4 and 8
processes and each shared ledger (one SQLite file; one PostgreSQL database on
a server this script starts on loopback):

race
    every process runs the *whole* job against the shared ledger at once. The
    sandbox's own records are then counted: duplicates (a target published
    more than once, must be 0) and lost (a target with no publication, must be
    0). Its wall time is divided by the baseline's: the same processes each
    sending a fixed share of the job with no ledger at all (goal <= 1.10).
    Baseline and race run back to back, three times; the median of the three
    ratios is printed (on a shared machine the load changes between pairs).
killed
    the same race, with one process killed with SIGKILL a third of the way
    through; once its lease has ended the job is run again by as many fresh
    processes. Duplicates and lost are counted over both runs; "in doubt" are
    targets whose request was in flight when the process died, reported
    ``unknown`` by the re-run (never resent on their own).

Loopback only; bounded; stops by itself. Needs PostgreSQL's ``initdb``/``pg_ctl``
(``/usr/lib/postgresql/*/bin``). Run: ``.venv/bin/python benchmarks/ledger_race.py``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import postmux
from postmux import Post, RetryPolicy, Target
from postmux.ledger import PostgresLedger, SQLiteLedger
from postmux.sandbox import Sandbox, SandboxAccount, Timing

ROOT = Path(__file__).resolve().parents[1]
POSTS = 100
ACCOUNTS = 5
PROCESSES = (2, 4, 8)
LATENCY = "latency=10ms"
LEASE = 1.0
RATIO_TARGET = 1.10
REPEATS = 3
"""Baseline-then-race pairs per case; the median of their ratios counts (each pair shares the load)."""
FAST = RetryPolicy(max_retries=2, backoff=0.01, max_backoff=0.02)
SPAWN = multiprocessing.get_context("spawn")


def job(tag: str, media: str, accounts: Sequence[str]) -> list[Post]:
    """The job: ``POSTS`` posts, each to every account; ``tag`` makes a run's posts its own."""
    return [
        Post(text=f"{tag} post {i}", media=[media], targets=[Target("tiktok", a) for a in accounts])
        for i in range(POSTS)
    ]


def worker(
    conf: dict[str, Any], indexes: Sequence[int], ready: Any, start: Any, progress: Any, out: Connection
) -> None:
    """Publish the job's posts ``indexes`` (in order) and send the statuses seen down ``out``.

    Nothing shared with the other processes takes a lock while the job runs
    (``progress`` is a lock-free value only this process writes), so a process
    killed mid-run cannot leave a lock held that the others wait on.
    """
    options: dict[str, Any] = {"retry": FAST, "media_fetch": conf["media_fetch"]}
    where = conf["ledger"]
    if where is not None:
        shared = PostgresLedger if where.startswith("postgresql://") else SQLiteLedger
        options["ledger"] = shared(where, lease=LEASE)
    posts = job(conf["tag"], conf["media"], conf["accounts"])
    seen: list[tuple[str, str, str, str | None]] = []
    with postmux.publisher("wonda", api_key=conf["key"], base_url=conf["url"], **options) as pub:
        ready.release()
        start.wait()
        for i in indexes:
            for p in pub.publish(posts[i]):
                seen.append((posts[i].text, p.target.account, p.status.value, p.error_code))
            progress.value += 1
    out.send(seen)
    out.close()


def run(conf: dict[str, Any], shares: list[list[int]], kill_after: int | None = None) -> dict[str, Any]:
    """One run: a process per share, started together; wall time, statuses seen, who was killed."""
    ready = SPAWN.Semaphore(0)
    start = SPAWN.Event()
    counters = [SPAWN.RawValue("i", 0) for _ in shares]
    pipes = [SPAWN.Pipe(duplex=False) for _ in shares]
    children = [
        SPAWN.Process(target=worker, args=(conf, share, ready, start, counters[n], pipes[n][1]), daemon=True)
        for n, share in enumerate(shares)
    ]
    for child in children:
        child.start()
    for _, sender in pipes:
        sender.close()
    for _ in children:
        ready.acquire()
    t0 = time.perf_counter()
    start.set()
    killed = None
    if kill_after is not None:
        while counters[0].value < kill_after and children[0].is_alive():
            time.sleep(0.001)
        assert children[0].pid is not None
        os.kill(children[0].pid, signal.SIGKILL)
        killed = children[0].pid
    seen: list[tuple[str, str, str, str | None]] = []
    for n, (receiver, _) in enumerate(pipes):
        if killed is not None and n == 0:
            continue
        if not receiver.poll(300):
            raise RuntimeError(f"process {n} of {len(children)} did not finish")
        seen += receiver.recv()
    wall = time.perf_counter() - t0
    for child in children:
        child.join(timeout=30)
    return {"wall": wall, "seen": seen, "killed": killed}


def count(sandbox: Sandbox, tag: str, accounts: Sequence[str]) -> dict[tuple[str, str], int]:
    """The sandbox's truth: publications per (post text, account) of one run."""
    counts = {(f"{tag} post {i}", a): 0 for i in range(POSTS) for a in accounts}
    for record in sandbox.emulator("wonda").records:
        key = (record.text, record.account_id)
        if key in counts:
            counts[key] += 1
    return counts


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # so the PostgreSQL server is stopped on the way out


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    # The test suite's own starter of a throwaway PostgreSQL (root-safe, loopback, removed after), not
    # a copy: ``ledger.servers`` as pytest and mypy see it (tests/ is a root of modules, pyproject.toml's
    # [tool.mypy]). Imported here, not at the top, so the spawned workers never import it or pytest.
    sys.path.insert(0, str(ROOT / "tests"))
    from ledger.servers import PostgresServer, postgres_bin

    bindir = postgres_bin()
    if bindir is None:
        print("ledger_race: PostgreSQL (initdb, pg_ctl) is not installed", file=sys.stderr)
        return 2
    server = PostgresServer(bindir).start()
    workdir = Path(tempfile.mkdtemp(prefix="postmux-race-"))
    failures = 0
    try:
        with Sandbox(["wonda"], timing=Timing.instant(), faults=LATENCY) as sandbox:
            emulator = sandbox.emulator("wonda")
            accounts = []
            for i in range(ACCOUNTS):
                account = SandboxAccount(
                    id=f"bench-{i}", platform="tiktok", username=f"bench_{i}", display_name=f"Bench {i}"
                )
                accounts.append(emulator.link(account).id)
            base = {
                "key": sandbox.key("wonda"),
                "url": sandbox.url("wonda"),
                "media": sandbox.sample_url("clip.mp4"),
                "media_fetch": sandbox.media_fetch(),
                "accounts": accounts,
            }
            print(
                f"{POSTS} posts x {ACCOUNTS} targets, Wonda sandbox,"
                f" {LATENCY} per request, lease {LEASE:g} s\n"
            )
            print(f"{'run':<30}{'base s':>8}{'race s':>8}{'ratio':>8}{'dupes':>7}{'lost':>6}{'doubt':>7}")
            serial = 0

            def tagged() -> str:
                nonlocal serial
                serial += 1
                return f"run{serial}"

            def race(n: int, backend: str, killing: bool) -> tuple[float, int, int, int]:
                """One race of ``n`` processes on a fresh ledger: wall time, dupes, lost, in doubt."""
                tag = tagged()
                where = str(workdir / f"{tag}.db") if backend == "sqlite" else server.new_database()
                conf = {**base, "tag": tag, "ledger": where}
                everything = [list(range(POSTS)) for _ in range(n)]
                first = run(conf, everything, kill_after=POSTS // 3 if killing else None)
                reported = {(t, a): s for t, a, s, _ in first["seen"]}
                doubt = 0
                if killing:
                    time.sleep(LEASE + 0.2)  # the dead process's unsent claims may now be taken over
                    again = run(conf, everything)
                    reported = {(t, a): s for t, a, s, _ in again["seen"]}
                    doubt = sum(1 for s in reported.values() if s == "unknown")
                counts = count(sandbox, tag, accounts)
                dupes = sum(1 for v in counts.values() if v > 1)
                lost = sum(1 for k, v in counts.items() if v == 0 and reported.get(k) != "unknown")
                return first["wall"], dupes, lost, doubt

            for n in PROCESSES:
                shares = [list(range(POSTS))[i::n] for i in range(n)]
                for backend in ("sqlite", "postgres"):
                    bases, races, ratios, dupes, lost = [], [], [], 0, 0
                    for _ in range(REPEATS):  # baseline and race back to back, under the same load
                        tag = tagged()
                        bases.append(run({**base, "tag": tag, "ledger": None}, shares)["wall"])
                        failures += sum(1 for v in count(sandbox, tag, accounts).values() if v != 1)
                        wall, d, lo, _ = race(n, backend, False)
                        races.append(wall)
                        ratios.append(wall / bases[-1])
                        dupes, lost = dupes + d, lost + lo
                    failures += dupes + lost
                    ratio = statistics.median(ratios)
                    flag = "" if ratio <= RATIO_TARGET else "  (above the goal)"
                    label = f"{n} processes, {backend}"
                    print(
                        f"{label:<30}{min(bases):>8.2f}{min(races):>8.2f}{ratio:>8.2f}"
                        f"{dupes:>7}{lost:>6}{'':>7}{flag}"
                    )
                    _, dupes, lost, doubt = race(n, backend, True)
                    failures += dupes + lost
                    label = f"{n} processes, {backend}, 1 killed"
                    print(f"{label:<30}{'':>8}{'':>8}{'':>8}{dupes:>7}{lost:>6}{doubt:>7}")
    finally:
        server.stop()
    print(
        f"\nbase/race s: fastest of {REPEATS}; ratio: median of race / baseline (goal <= {RATIO_TARGET:.2f});"
        " dupes and lost must be 0; doubt: in flight when the process died, reported unknown"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
