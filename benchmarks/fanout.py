"""Fan-out: one post to 10, 100 or 1,000 targets at 100 ms a request, sync and async.

Wahdx takes one target per request, so a post to *n* accounts is *n* POSTs;
``max_concurrency`` (8, 32, 100) bounds how many are in flight. The baseline
is bare httpx with the same limit, as an app would write it: a thread pool
of that size over one ``httpx.Client`` (sync), or an ``asyncio.Semaphore`` of
that size over one ``httpx.AsyncClient`` (async), each posting the very bodies
postmux sends. The ideal is ``ceil(n / concurrency) × latency``.

Against two servers: the raw asyncio one (:mod:`benchmarks.server`) and the
sandbox's uvicorn emulator (:mod:`benchmarks.emulator_server`), each in its
own process. Each run makes its publisher and client afresh, so both sides
open their connections inside the timing.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

import postmux
from benchmarks import answers
from benchmarks.emulator_server import EmulatorServer
from benchmarks.measure import Row, interleaved, ratio_row, summary
from benchmarks.server import BenchServer
from postmux import Route
from postmux.flow import step

__all__ = ["figures", "run_async", "run_sync"]

LATENCY = 0.1
GOAL = 1.05
WALL_GOAL_S = 3.0
"""1,000 targets at concurrency 100 should finish within this wall time."""


def _requests(url: str, key: str, n: int) -> tuple[str, list[object], dict[str, str]]:
    """The URL, the ``n`` bodies and the auth header postmux sends."""
    pub = postmux.publisher("wahdx", api_key=key, base_url=url)
    post = answers.tiktok_post(n)
    bodies = []
    for target in post.targets:
        request = step(pub.adapter.publish(post, [Route(target, target.account)], (answers.VIDEO_URL,)))
        bodies.append(json.loads(request.content))
    pub.close()
    return f"{url}/api/content/post", bodies, {"X-API-Key": key}


def run_async(
    url: str, key: str, n: int, limit: int, bare: bool, one_pool: bool = False
) -> tuple[float, float]:
    """(wall s, CPU s) of one async fan-out, through postmux or bare httpx.

    ``one_pool`` gives postmux a plain ``httpx.AsyncClient()`` (one default
    pool), as it made for itself before ``postmux.pool``: the before figure.
    """
    post = answers.tiktok_post(n)
    target, bodies, headers = _requests(url, key, n)

    async def ours() -> None:
        client = httpx.AsyncClient(timeout=30) if one_pool else None
        async with postmux.async_publisher(
            "wahdx", api_key=key, base_url=url, max_concurrency=limit, client=client
        ) as pub:
            report = await pub.publish(post)
        if client is not None:
            await client.aclose()
        _note_failures(report)

    async def baseline() -> None:
        gate = asyncio.Semaphore(limit)
        async with httpx.AsyncClient() as client:

            async def one(body: object) -> None:
                async with gate:
                    try:
                        r = await client.post(target, json=body, headers=headers)
                        r.raise_for_status()
                        r.json()
                    except httpx.HTTPError as exc:
                        BARE_FAILURES.append(repr(exc))

            await asyncio.gather(*(one(b) for b in bodies))

    c0, t0 = time.process_time(), time.perf_counter()
    asyncio.run(baseline() if bare else ours())
    return time.perf_counter() - t0, time.process_time() - c0


def run_sync(url: str, key: str, n: int, limit: int, bare: bool) -> tuple[float, float]:
    """(wall s, CPU s) of one sync fan-out, through postmux or bare httpx."""
    post = answers.tiktok_post(n)
    target, bodies, headers = _requests(url, key, n)

    def ours() -> None:
        with postmux.publisher("wahdx", api_key=key, base_url=url, max_concurrency=limit) as pub:
            report = pub.publish(post)
        _note_failures(report)

    def baseline() -> None:
        with httpx.Client() as client:

            def one(body: object) -> None:
                try:
                    r = client.post(target, json=body, headers=headers)
                    r.raise_for_status()
                    r.json()
                except httpx.HTTPError as exc:
                    BARE_FAILURES.append(repr(exc))

            with ThreadPoolExecutor(max_workers=limit) as pool:
                list(pool.map(one, bodies))

    c0, t0 = time.process_time(), time.perf_counter()
    baseline() if bare else ours()
    return time.perf_counter() - t0, time.process_time() - c0


FAILURES: list[str] = []
"""Errors of targets not published in this cell: a benchmark reports them, never hides them."""
BARE_FAILURES: list[str] = []
"""The same for the bare httpx baseline."""


def _note_failures(report: postmux.PublishReport) -> None:
    FAILURES.extend(p.error or p.status.value for p in report.failed)


Runner = Callable[[str, str, int, int, bool], tuple[float, float]]


def one_cell(
    server: str, url: str, key: str, mode: str, n: int, limit: int, rounds: int, one_pool: bool = False
) -> Row:
    """The row for one (server, mode, targets, concurrency); ``one_pool``: postmux as before the fix."""

    def async_runner(url: str, key: str, n: int, limit: int, bare: bool) -> tuple[float, float]:
        return run_async(url, key, n, limit, bare, one_pool)

    runner: Runner = async_runner if mode == "async" else run_sync
    cpu: dict[bool, list[float]] = {False: [], True: []}

    def measure(bare: bool) -> float:
        wall, used = runner(url, key, n, limit, bare)
        cpu[bare].append(used)
        return wall

    FAILURES.clear()
    BARE_FAILURES.clear()
    mine, theirs, ratios = interleaved(lambda: measure(False), lambda: measure(True), rounds)
    ideal = math.ceil(n / limit) * LATENCY
    before = ", one httpx pool (before)" if one_pool else ""
    row = ratio_row(
        f"fanout-{server}-{mode}-{n}-c{limit}{'-onepool' if one_pool else ''}",
        f"{n} targets, {mode}, concurrency {limit}, {server} server{before} (ideal {ideal:.1f} s)",
        mine,
        theirs,
        ratios,
        unit="s",
        goal=GOAL,
    )
    row.notes.append(
        f"CPU per request: postmux {summary(cpu[False]).median / n * 1000:.2f} ms, "
        f"bare {summary(cpu[True]).median / n * 1000:.2f} ms; wall {summary(mine).median / ideal:.1f}× ideal"
    )
    if FAILURES:
        row.notes.append(f"{len(FAILURES)} target(s) not published through postmux, e.g. {FAILURES[0]}")
        row.met = False
    if BARE_FAILURES:
        row.notes.append(f"{len(BARE_FAILURES)} bare httpx request(s) failed, e.g. {BARE_FAILURES[0]}")
    if n == 1000 and limit == 100:
        within = summary(mine).median <= WALL_GOAL_S
        row.goal += f", ≤ {WALL_GOAL_S:g} s"
        row.met = bool(row.met) and within
    return row


CELLS_FULL = [(10, 8), (100, 8), (100, 32), (100, 100), (1000, 100)]
"""(targets, concurrency) on the raw server, sync and async; 1,000 at 32 is left out for time."""


def figures(quick: bool) -> list[Row]:
    """Rows for the raw server's cells, postmux on one httpx pool (before), and the uvicorn emulator.

    ``quick``: 300 targets at concurrency 100 (async; sync 100 at 32) instead of the whole grid.
    """
    rounds = 5
    wide = 300 if quick else 1000
    full = dict.fromkeys(("async", "sync"), CELLS_FULL)
    cells = {"async": [(wide, 100)], "sync": [(100, 32)]} if quick else full
    rows: list[Row] = []
    with BenchServer() as server:
        server.control("config", latency=LATENCY)
        url = server.url("wahdx")
        for mode, grid in cells.items():
            for n, limit in grid:
                rows.append(one_cell("raw", url, answers.KEY, mode, n, limit, rounds))
        rows.append(one_cell("raw", url, answers.KEY, "async", wide, 100, rounds, one_pool=True))
    with EmulatorServer(LATENCY * 1000, wide) as emulator:
        for mode in ("async",) if quick else ("async", "sync"):
            rows.append(one_cell("uvicorn", emulator.url, emulator.key, mode, wide, 100, rounds))
    return rows
