"""1,000 sequential publishes, sync and async, against bare httpx to the same server.

Each publish is one Wahdx TikTok video post to one account; the baseline posts
the same JSON body with the same header on a client of its own, reads the
answer and decodes it. Both go to the raw asyncio server in its own process
(:mod:`benchmarks.server`), so what differs is only what postmux does.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx

import postmux
from benchmarks import answers
from benchmarks.measure import Row, ainterleaved, interleaved, ratio_row
from benchmarks.server import BenchServer
from postmux import Route
from postmux.flow import step

__all__ = ["figures"]

GOAL = 1.05


def _body_and_url(pub: postmux.Publisher | postmux.AsyncPublisher, post: postmux.Post) -> tuple[object, str]:
    request = step(pub.adapter.publish(post, [Route(post.targets[0], "acc-0")], (answers.VIDEO_URL,)))
    return json.loads(request.content), str(request.url)


def sync_row(server: BenchServer, n: int, rounds: int) -> Row:
    post = answers.tiktok_post()
    pub = postmux.publisher("wahdx", api_key=answers.KEY, base_url=server.url("wahdx"))
    body, url = _body_and_url(pub, post)
    raw = httpx.Client()
    headers = {"X-API-Key": answers.KEY}

    def ours() -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            report = pub.publish(post)
        assert report.ok, report
        return time.perf_counter() - t0

    def bare() -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            r = raw.post(url, json=body, headers=headers)
            r.raise_for_status()
            r.json()
        return time.perf_counter() - t0

    ours()
    bare()  # warm both connections and code paths

    mine, theirs, ratios = interleaved(ours, bare, rounds)
    pub.close()
    raw.close()
    return ratio_row("seq-sync", f"{n} sequential publishes, sync", mine, theirs, ratios, unit="s", goal=GOAL)


async def _async_rounds(
    server: BenchServer, n: int, rounds: int
) -> tuple[list[float], list[float], list[float]]:
    post = answers.tiktok_post()
    pub = postmux.async_publisher("wahdx", api_key=answers.KEY, base_url=server.url("wahdx"))
    body, url = _body_and_url(pub, post)
    raw = httpx.AsyncClient()
    headers = {"X-API-Key": answers.KEY}

    async def ours() -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            report = await pub.publish(post)
        assert report.ok, report
        return time.perf_counter() - t0

    async def bare() -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            r = await raw.post(url, json=body, headers=headers)
            r.raise_for_status()
            r.json()
        return time.perf_counter() - t0

    try:
        return await ainterleaved(ours, bare, rounds)
    finally:
        await pub.aclose()
        await raw.aclose()


def async_row(server: BenchServer, n: int, rounds: int) -> Row:
    mine, theirs, ratios = asyncio.run(_async_rounds(server, n, rounds))
    return ratio_row(
        "seq-async", f"{n} sequential publishes, async", mine, theirs, ratios, unit="s", goal=GOAL
    )


def figures(quick: bool) -> list[Row]:
    """Sync and async rows."""
    n, rounds = (200, 5) if quick else (1000, 5)
    with BenchServer() as server:
        return [sync_row(server, n, rounds), async_row(server, n, rounds)]
