"""Requests per ``wait()`` round for 1,000 pending publications, per vendor.

A post to 1,000 TikTok accounts is made through the benchmark server (each
vendor's documented "still working" answer), then ``wait()`` polls once and
every publication comes back final. The server counts the requests that
round took. The baseline is the fewest the vendor's API allows: Wahdx has a
batch status endpoint whose documents give no batch limit, so the fewest is
one request per batch the plugin may send (``status_batch_size``, 100 checks:
an assumption its README states and argues), Wonda only
``GET /jobs/publish/{id}`` (one request per job), PostPeer one
``GET /v1/posts/{postId}`` per post, whatever its number of targets. The
round's wall time is shown beside it for scale.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import postmux
from benchmarks import answers
from benchmarks.measure import Row, Summary
from benchmarks.server import BenchServer
from postmux.fetch import FetchPolicy
from postmux.plugins import plugin_manager

__all__ = ["figures"]

LOOPBACK_MEDIA = FetchPolicy(allow_private=True, schemes={"http"})
"""The benchmark's media host is plain HTTP on loopback, which the default policy rightly refuses."""


def _one(n: int) -> int:
    return 1


def _batches(n: int) -> int:
    size = plugin_manager().get("wahdx").status_batch_size or n
    return -(-n // size)


def _each(n: int) -> int:
    return n


MINIMUM: dict[str, Callable[[int], int]] = {"wahdx": _batches, "wonda": _each, "postpeer": _one}
"""The fewest requests a round can take for ``n`` pending publications of one post."""


def one_vendor(server: BenchServer, vendor: str, n: int) -> Row:
    """Publish to ``n`` targets, then count the requests of one ``wait()`` round."""
    media: str | postmux.Media = answers.VIDEO_URL
    if vendor == "wonda":  # Wonda downloads a URL medium to upload it: serve it
        server.control("config", media_size=1024)
        media = postmux.Media(url=f"{server.origin}/media/clip.mp4")
    server.control("config", postpeer_targets=n, postpeer_publishing=True)
    post = answers.tiktok_post(n, media)

    async def go() -> tuple[int, float, int]:
        async with postmux.async_publisher(
            vendor,
            api_key=answers.KEY,
            base_url=server.url(vendor),
            max_concurrency=100,
            media_fetch=LOOPBACK_MEDIA,
        ) as pub:
            report = await pub.publish(post)
            assert not report.failed, report.failed[:1]
            assert all(not p.is_final for p in report), report.results[:1]
            server.control("reset")
            t0 = time.perf_counter()
            done = await pub.wait(report, interval=0.0, timeout=60)
            elapsed = time.perf_counter() - t0
            assert all(p.is_final for p in done), done.results[:1]
            return server.control("stats")["requests"], elapsed, len(done.results)

    requests, elapsed, count = asyncio.run(go())
    assert count == n
    least = MINIMUM[vendor](n)
    row = Row(
        f"poll-{vendor}",
        f"requests per wait() round, {n} pending, {vendor}",
        Summary(requests, requests, requests),
        Summary(least, least, least),
        Summary(requests / least, requests / least, requests / least),
        unit="",
        goal="≤ 1× (fewest the API allows)",
        met=requests <= least,
    )
    if vendor == "wahdx":
        row.notes.append(
            "Wahdx documents no batch limit: the baseline is one request per batch of the "
            "plugin's assumed cap; with no cap it would be 1"
        )
    row.notes.append(f"one round took {elapsed * 1000:.0f} ms for {requests} request(s) (counts are exact)")
    return row


def figures(quick: bool) -> list[Row]:
    """One row per vendor."""
    n = 1000
    with BenchServer() as server:
        return [one_vendor(server, v, n) for v in ("wahdx", "wonda", "postpeer")]
