"""A Wonda publish of a URL video (download, upload, publish) against the same three requests by hand.

Wonda publishes only media it holds and has no URL ingest, so a
``Media(url=…)`` is downloaded, uploaded as multipart for a ``mediaId``, then
published. The baseline does the same three requests with bare httpx, as an
app would write them: the download streamed into a temporary file, that file
uploaded with ``files=``, the publish posted with the ``mediaId``. Both talk
to the benchmark server, which serves the medium (zeros) and answers like
Wonda; postmux's download runs under a fetch policy that allows the plain
HTTP loopback host (the default rightly refuses it). One post to one TikTok
account per round, sync and async, for a small and a large medium.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time

import httpx

import postmux
from benchmarks import answers
from benchmarks.measure import Row, ainterleaved, interleaved, ratio_row
from benchmarks.polling import LOOPBACK_MEDIA
from benchmarks.server import BenchServer
from postmux import Route
from postmux.flow import step

__all__ = ["figures"]

GOAL = 1.2
CHUNK = 1 << 20


def _by_hand_sync(client: httpx.Client, media_url: str, base: str, body: dict[str, object]) -> None:
    headers = {"Authorization": f"Bearer {answers.KEY}"}
    with tempfile.TemporaryFile() as fh:
        with client.stream("GET", media_url) as got:
            got.raise_for_status()
            for chunk in got.iter_bytes(CHUNK):
                fh.write(chunk)
        files = {"file": ("clip.mp4", fh, "video/mp4")}
        up = client.post(f"{base}/media/upload", files=files, headers=headers)
    up.raise_for_status()
    published = client.post(
        f"{base}/publish/tiktok", json={**body, "mediaId": up.json()["mediaId"]}, headers=headers
    )
    published.raise_for_status()
    published.json()


async def _by_hand_async(
    client: httpx.AsyncClient, media_url: str, base: str, body: dict[str, object]
) -> None:
    headers = {"Authorization": f"Bearer {answers.KEY}"}
    with tempfile.TemporaryFile() as fh:
        async with client.stream("GET", media_url) as got:
            got.raise_for_status()
            async for chunk in got.aiter_bytes(CHUNK):
                fh.write(chunk)
        files = {"file": ("clip.mp4", fh, "video/mp4")}
        up = await client.post(f"{base}/media/upload", files=files, headers=headers)
    up.raise_for_status()
    published = await client.post(
        f"{base}/publish/tiktok", json={**body, "mediaId": up.json()["mediaId"]}, headers=headers
    )
    published.raise_for_status()
    published.json()


def _body(base: str, post: postmux.Post) -> dict[str, object]:
    """The publish body postmux sends for ``post`` (the by-hand body adds the ``mediaId``)."""
    with postmux.publisher("wonda", api_key=answers.KEY, base_url=base) as pub:
        route = [Route(post.targets[0], "acc-0")]
        request = step(pub.adapter.publish(post, route, (answers.WONDA_UPLOAD["mediaId"],)))
    body: dict[str, object] = json.loads(request.content)
    body.pop("mediaId")
    return body


def one_row(server: BenchServer, mode: str, size: int, rounds: int, runs: int) -> Row:
    """postmux against the three requests by hand, ``runs`` publishes a round."""
    server.control("config", media_size=size, latency=0.0)
    media_url = f"{server.origin}/media/clip.mp4"
    post = answers.tiktok_post(1, postmux.Media(url=media_url))
    base = server.url("wonda")
    body = _body(base, post)
    kib = size // 1024
    label = f"{kib} KiB" if kib < 1024 else f"{kib // 1024} MiB"

    if mode == "sync":
        pub = postmux.publisher("wonda", api_key=answers.KEY, base_url=base, media_fetch=LOOPBACK_MEDIA)
        raw = httpx.Client()

        def ours() -> float:
            t0 = time.perf_counter()
            for _ in range(runs):
                report = pub.publish(post)
                assert report.ok, report.results
            return (time.perf_counter() - t0) / runs

        def bare() -> float:
            t0 = time.perf_counter()
            for _ in range(runs):
                _by_hand_sync(raw, media_url, base, body)
            return (time.perf_counter() - t0) / runs

        ours(), bare()  # warm both
        mine, theirs, ratios = interleaved(ours, bare, rounds)
        pub.close()
        raw.close()
    else:
        mine, theirs, ratios = asyncio.run(_async_rounds(base, media_url, post, body, rounds, runs))
    return ratio_row(
        f"urlvideo-wonda-{mode}-{label.replace(' ', '')}",
        f"Wonda URL video ({label}: download, upload, publish), {mode}",
        mine,
        theirs,
        ratios,
        unit="s",
        goal=GOAL,
    )


async def _async_rounds(
    base: str, media_url: str, post: postmux.Post, body: dict[str, object], rounds: int, runs: int
) -> tuple[list[float], list[float], list[float]]:
    made = postmux.async_publisher("wonda", api_key=answers.KEY, base_url=base, media_fetch=LOOPBACK_MEDIA)
    async with made as pub, httpx.AsyncClient() as raw:

        async def ours() -> float:
            t0 = time.perf_counter()
            for _ in range(runs):
                report = await pub.publish(post)
                assert report.ok, report.results
            return (time.perf_counter() - t0) / runs

        async def bare() -> float:
            t0 = time.perf_counter()
            for _ in range(runs):
                await _by_hand_async(raw, media_url, base, body)
            return (time.perf_counter() - t0) / runs

        return await ainterleaved(ours, bare, rounds)


def figures(quick: bool) -> list[Row]:
    """Sync and async rows for a 64 KiB and (not quick) a 64 MiB medium."""
    sizes = [(64 << 10, 40)] if quick else [(64 << 10, 100), (64 << 20, 2)]
    rows: list[Row] = []
    with BenchServer() as server:
        for size, runs in sizes:
            for mode in ("sync", "async"):
                rows.append(one_row(server, mode, size, 5, runs))
    return rows
