"""The scaling recipe, run for real: 1,000 targets, 4 Celery workers on Redis, one PostgreSQL ledger.

One worker process is killed with SIGKILL mid-run: while it uploads the media
for its share of targets, so it holds claims on which nothing was sent. Its
task goes back to the queue (acks-late), finds those targets claimed by the
dead worker, waits out the lease and takes them over. The emulator's own count
must show every target published exactly once.
"""

from __future__ import annotations

import importlib
import os
import queue
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from postmux.sandbox import Sandbox, Timing

from .servers import PostgresServer, RedisServer
from .test_cross_process import link_accounts

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "docs" / "recipes"
TARGETS = 1000
KILL_AT_UPLOAD = 6
"""The upload during which a worker is killed (the workers are warm by then)."""


def socket_owner(port: int, pids: list[int]) -> int | None:
    """Which of ``pids`` holds the loopback client socket on ``port`` (Linux ``/proc``)."""
    names: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[9] != "0":
                    names.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in names:
                    return pid
        except OSError:
            continue
    return None


def children_of(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rpartition(")")[2].split()[1]) == parent:
                        found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.fixture
def sandbox_watching_uploads() -> Iterator[tuple[Sandbox, queue.Queue[Any]]]:
    """A Wonda sandbox whose media uploads announce their client address; one of them is slow."""
    sandbox = Sandbox(
        ["wonda"],
        timing=Timing.instant(),
        faults=f"wonda:POST /media/upload=latency=4000:after={KILL_AT_UPLOAD - 1},times=1",
    )
    uploads: queue.Queue[Any] = queue.Queue()
    emulator = sandbox.emulator("wonda")
    make_app = emulator.app

    def app() -> Any:
        inner = make_app()

        async def announcing(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"].endswith("/media/upload"):
                uploads.put(scope["client"])
            await inner(scope, receive, send)

        return announcing

    emulator.app = app  # type: ignore[method-assign]
    with sandbox:
        yield sandbox, uploads


def test_a_thousand_targets_over_four_celery_workers_one_killed_each_sent_once(
    sandbox_watching_uploads: tuple[Sandbox, queue.Queue[Any]],
    redis_server: RedisServer,
    postgres_server: PostgresServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, uploads = sandbox_watching_uploads
    accounts = link_accounts(sandbox, "wonda", TARGETS)
    env = {
        "POSTMUX_BROKER": redis_server.url,
        "POSTMUX_LEDGER": postgres_server.new_database(),
        "POSTMUX_PROVIDER": "wonda",
        "POSTMUX_BASE_URL": sandbox.url("wonda"),
        "WONDA_API_KEY": sandbox.key("wonda"),
        "POSTMUX_LEASE": "3",
        "POSTMUX_MEDIA_HOSTS": urlsplit(sandbox.sample_url("clip.mp4")).netloc,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(RECIPE))
    sys.modules.pop("celery_crosspost", None)
    recipe = importlib.import_module("celery_crosspost")

    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_crosspost", "worker", "--pool=prefork",
         "--concurrency=4", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-n", f"postmux-{redis_server.port}@localhost"],
        cwd=RECIPE,
        env={**os.environ, **env, "PYTHONPATH": str(RECIPE)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        post = {
            "text": "one cross-post, many workers",
            "media": [sandbox.sample_url("clip.mp4")],
            "targets": [f"tiktok:{a}" for a in accounts],
            "key": "campaign-scaling-test",
        }
        started = time.monotonic()
        result = recipe.cross_post(post)
        for _ in range(KILL_AT_UPLOAD):
            client = uploads.get(timeout=60)
        victim = None
        deadline = time.monotonic() + 3
        while victim is None and time.monotonic() < deadline:
            victim = socket_owner(client[1], children_of(worker.pid))
        assert victim is not None, "no worker process holds the slow upload's connection"
        os.kill(victim, signal.SIGKILL)  # mid-run: it holds claims on 25 targets and sent none of them
        answers = result.get(timeout=90)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
        recipe.app.close()

    worker_log = (tmp_path / "worker.log").read_text()
    assert "WorkerLostError" in worker_log or "signal 9" in worker_log, worker_log[-2000:]
    emulator = sandbox.emulator("wonda")
    counts: dict[str, int] = {}
    for record in emulator.records:
        counts[record.account_id] = counts.get(record.account_id, 0) + 1
    twice = [a for a in accounts if counts.get(a, 0) > 1]
    never = [a for a in accounts if counts.get(a, 0) == 0]
    assert not twice, f"{len(twice)} targets published twice"
    assert not never, f"{len(never)} targets never published"
    publications = [p for chunk in answers for p in chunk]
    assert sorted(p["account"] for p in publications) == sorted(accounts)
    assert all(p["status"] in ("queued", "processing", "published") for p in publications)
    assert elapsed < 60


def test_the_scaling_guide_shows_the_tested_recipe_as_it_is() -> None:
    guide = (ROOT / "docs" / "scaling.md").read_text()
    recipe = (RECIPE / "celery_crosspost.py").read_text()
    assert f"```python\n{recipe}```" in guide
