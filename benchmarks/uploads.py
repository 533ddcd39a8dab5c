"""Upload throughput and peak memory: Wonda multipart and PostPeer presigned PUT vs a bare streamed PUT.

A sparse file (no disk blocks, reads as zeros) is published through the
plugin, sync and async, and the same bytes are sent by a bare streamed PUT in
1 MiB chunks (``httpx`` with a generator body and ``Content-Length``) to the
same server, which counts and drops them. Each (vendor, mode) runs in a fresh
child process so the figures do not carry the parent's heap; within it the
rounds alternate postmux and the bare PUT. Peak memory is the growth of the
process's peak RSS (``VmHWM``, reset before each run through
``/proc/self/clear_refs`` where the kernel allows it) over its RSS before the
run. This absorbs the old ``upload_memory.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import Row, summary
from benchmarks.server import ROOT, BenchServer

__all__ = ["figures"]

THROUGHPUT_GOAL = 0.9
RSS_GOAL_MIB = 16.0
CHUNK = 1 << 20
TIMEOUT = httpx.Timeout(120.0)


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def timed_rounds(
    mode: str,
    rounds: int,
    sync: tuple[Callable[[], None], Callable[[], None]],
    asynchronous: tuple[Callable[[], Coroutine[Any, Any, None]], Callable[[], Coroutine[Any, Any, None]]],
) -> dict[str, list[float]]:
    """Seconds and peak RSS growth (KiB) of ours and the bare baseline, interleaved, after a warm-up.

    ``sync`` and ``asynchronous`` are (ours, bare) pairs; ``mode`` says which
    pair runs. Each run resets the kernel's peak-RSS mark where it can, so the
    growth is that run's own.
    """

    def run(which: str) -> tuple[float, int]:
        reset = _reset_peak()
        before = _status_kib("VmRSS") if reset else _status_kib("VmHWM")
        index = 0 if which == "ours" else 1
        t0 = time.perf_counter()
        if mode == "sync":
            sync[index]()
        else:
            asyncio.run(asynchronous[index]())
        return time.perf_counter() - t0, _status_kib("VmHWM") - before

    run("ours")
    run("bare")  # warm up: imports, first connections
    out: dict[str, list[float]] = {"ours_s": [], "bare_s": [], "ours_kib": [], "bare_kib": []}
    for i in range(rounds):
        for which in ("bare", "ours") if i % 2 else ("ours", "bare"):
            seconds, kib = run(which)
            out[f"{which}_s"].append(seconds)
            out[f"{which}_kib"].append(kib)
    return out


def _chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


async def _achunks(path: str) -> AsyncIterator[bytes]:
    for chunk in _chunks(path):
        yield chunk


def _child(vendor: str, mode: str, origin: str, size: int, rounds: int) -> dict[str, object]:
    import postmux
    from benchmarks import answers

    base = origin + answers.BASE_PATHS[vendor]
    with tempfile.TemporaryDirectory(prefix="postmux-bench-") as tmp:
        path = os.path.join(tmp, "big.mp4")
        with open(path, "wb") as fh:
            fh.truncate(size)
        post = answers.tiktok_post(1, postmux.Media(path=path))
        headers = {"Content-Length": str(size), "Content-Type": "video/mp4"}
        put_url = f"{origin}/bare/big.mp4"
        sync_pub = postmux.publisher(vendor, api_key=answers.KEY, base_url=base, timeout=TIMEOUT)
        sync_raw = httpx.Client(timeout=TIMEOUT)

        def ours_sync() -> None:
            report = sync_pub.publish(post)
            assert report.ok, report.results

        def bare_sync() -> None:
            sync_raw.put(put_url, content=_chunks(path), headers=headers).raise_for_status()

        async def ours_async() -> None:
            async with postmux.async_publisher(
                vendor, api_key=answers.KEY, base_url=base, timeout=TIMEOUT
            ) as p:
                report = await p.publish(post)
            assert report.ok, report.results

        async def bare_async() -> None:
            async with httpx.AsyncClient(timeout=TIMEOUT) as client:
                (await client.put(put_url, content=_achunks(path), headers=headers)).raise_for_status()

        out = timed_rounds(mode, rounds, (ours_sync, bare_sync), (ours_async, bare_async))
        sync_pub.close()
        sync_raw.close()
    return {**out, "peak_reset": _reset_peak()}


def one_job(server: BenchServer, vendor: str, mode: str, size: int, rounds: int) -> list[Row]:
    """The throughput and memory rows for one vendor and mode."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.uploads", vendor, mode, server.origin, str(size), str(rounds)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"upload benchmark {vendor} {mode} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    mib = size / (1 << 20)
    ours = [mib / s for s in result["ours_s"]]
    bare = [mib / s for s in result["bare_s"]]
    ratios = [b / o for o, b in zip(result["ours_s"], result["bare_s"], strict=True)]
    how = "multipart" if vendor == "wonda" else "presigned PUT"
    speed = Row(
        f"upload-{vendor}-{mode}",
        f"{mib:.0f} MiB upload ({how}), {mode}: throughput",
        summary(ours),
        summary(bare),
        summary(ratios),
        unit="MiB/s",
        goal=f"≥ {THROUGHPUT_GOAL:g}×",
    )
    assert speed.ratio is not None
    speed.met = speed.ratio.median >= THROUGHPUT_GOAL
    speed.note_noise()
    what = f"{mib:.0f} MiB upload ({how}), {mode}"
    return [speed, rss_row(f"rss-{vendor}-{mode}", what, result, RSS_GOAL_MIB, bare="bare PUT")]


def rss_row(name: str, what: str, result: dict[str, Any], goal_mib: float, *, bare: str) -> Row:
    """The peak-RSS-growth row of a fresh-process run's ``result`` (KiB a round); the goal is on the worst."""
    ours = [k / 1024 for k in result["ours_kib"]]
    theirs = [k / 1024 for k in result["bare_kib"]]
    memory = Row(
        name,
        f"{what}: peak RSS growth",
        summary(ours),
        summary(theirs),
        None,
        unit="MiB",
        goal=f"≤ {goal_mib:g} MiB (worst round)",
        met=max(ours) <= goal_mib,
    )
    memory.notes.append(f"worst round: postmux {max(ours):.1f} MiB, {bare} {max(theirs):.1f} MiB")
    if not result["peak_reset"]:
        memory.notes.append("VmHWM could not be reset: growth is against the earlier peak")
    return memory


def figures(quick: bool, size_mib: int | None = None) -> list[Row]:
    """Throughput and memory rows for Wonda and PostPeer, sync and async."""
    size = (size_mib or (64 if quick else 256)) << 20
    rows: list[Row] = []
    with BenchServer() as server:
        for vendor in ("wonda", "postpeer"):
            for mode in ("sync", "async"):
                rows += one_job(server, vendor, mode, size, 5)
    return rows


if __name__ == "__main__":
    v, m, o, s, r = sys.argv[1:6]
    print(json.dumps(_child(v, m, o, int(s), int(r))))
