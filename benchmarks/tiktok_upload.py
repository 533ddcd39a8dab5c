"""TikTok ``FILE_UPLOAD`` of a large local video: peak RSS growth and time against bare httpx doing the same.

The TikTok emulator runs in this process (the sandbox, served on loopback); each mode (sync, async)
runs in a fresh child process that publishes a sparse file (reads as zeros, no disk blocks) through
``postmux.publisher("tiktok")``: creator info, init, then the chunked ``Content-Range`` PUTs. The
baseline, in the same child, makes the same init by hand and PUTs the same chunks from generators
with httpx. Peak memory is the growth of the child's peak RSS (``VmHWM``, reset before each run
where the kernel allows) over its RSS before the run. Goal: ≤ 64 MiB for 1 GiB (the issue's).

    python -m benchmarks.tiktok_upload [--mib 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator

import httpx

from benchmarks.measure import Row, print_table, summary
from benchmarks.server import ROOT
from benchmarks.uploads import _reset_peak, rss_row, timed_rounds

__all__ = ["figures"]

RSS_GOAL_MIB = 64.0
TIMEOUT = httpx.Timeout(300.0)
INIT = "/v2/post/publish/video/init/"


def _pieces(path: str, offset: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        fh.seek(offset)
        while length > 0 and (piece := fh.read(min(1 << 20, length))):
            length -= len(piece)
            yield piece


async def _apieces(path: str, offset: int, length: int) -> AsyncIterator[bytes]:
    for piece in _pieces(path, offset, length):
        yield piece


def _child(mode: str, base: str, key: str, size: int, rounds: int) -> dict[str, object]:
    import postmux
    from postmux_tiktok.chunks import plan

    chunks = plan(size)
    with tempfile.TemporaryDirectory(prefix="postmux-bench-") as tmp:
        path = os.path.join(tmp, "big.mp4")
        with open(path, "wb") as fh:
            fh.truncate(size)
        post = postmux.Post(
            text="Benchmark",
            media=[postmux.Media(path=path)],
            targets=[postmux.Target("tiktok", "@sandbox_tiktok")],
        )
        with httpx.Client(trust_env=False) as client:
            tokens = client.get(
                base + "/v2/postmux/sandbox/creators/", headers={"Authorization": f"Bearer {key}"}
            )
        token = next(iter(tokens.json()["data"]["creators"].values()))["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        init = {
            "post_info": {"title": "Benchmark", "privacy_level": "SELF_ONLY"},
            "source_info": chunks.source_info(),
        }

        def headers(offset: int, length: int) -> dict[str, str]:
            span = f"bytes {offset}-{offset + length - 1}/{size}"
            return {"Content-Type": "video/mp4", "Content-Length": str(length), "Content-Range": span}

        def ours_sync() -> None:
            with postmux.publisher("tiktok", api_key=key, base_url=base, timeout=TIMEOUT) as pub:
                (p,) = pub.publish(post)
            assert p.status is postmux.Status.PROCESSING, p.error

        def bare_sync() -> None:
            with httpx.Client(timeout=TIMEOUT, trust_env=False) as client:
                url = client.post(base + INIT, json=init, headers=auth).json()["data"]["upload_url"]
                for offset, length in chunks.ranges():
                    body = _pieces(path, offset, length)
                    client.put(url, content=body, headers=headers(offset, length)).raise_for_status()

        async def ours_async() -> None:
            async with postmux.async_publisher("tiktok", api_key=key, base_url=base, timeout=TIMEOUT) as pub:
                (p,) = await pub.publish(post)
            assert p.status is postmux.Status.PROCESSING, p.error

        async def bare_async() -> None:
            async with httpx.AsyncClient(timeout=TIMEOUT, trust_env=False) as client:
                url = (await client.post(base + INIT, json=init, headers=auth)).json()["data"]["upload_url"]
                for offset, length in chunks.ranges():
                    body = _apieces(path, offset, length)
                    (await client.put(url, content=body, headers=headers(offset, length))).raise_for_status()

        out = timed_rounds(mode, rounds, (ours_sync, bare_sync), (ours_async, bare_async))
    return {**out, "peak_reset": _reset_peak(), "chunks": chunks.count}


def figures(quick: bool, size_mib: int | None = None, rounds: int = 3) -> list[Row]:
    """Time and peak-RSS rows for a chunked TikTok upload, sync and async."""
    from postmux.sandbox import Sandbox, Timing

    size = (size_mib or (256 if quick else 1024)) << 20
    rows: list[Row] = []
    with Sandbox(providers=["tiktok"], timing=Timing.instant()) as sandbox:
        for mode in ("sync", "async"):
            argv = [mode, sandbox.url("tiktok"), sandbox.key("tiktok"), str(size), str(rounds)]
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.tiktok_upload", "--child", *argv],
                capture_output=True,
                text=True,
                timeout=1800,
                check=False,
                cwd=ROOT,
            )
            if done.returncode != 0:
                raise RuntimeError(f"tiktok upload benchmark {mode} failed:\n{done.stderr[-3000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            what = f"{size >> 20} MiB TikTok upload ({result['chunks']} chunks), {mode}"
            ratios = [o / b for o, b in zip(result["ours_s"], result["bare_s"], strict=True)]
            speed = Row(
                f"tiktok-time-{mode}",
                f"{what}: time",
                summary(result["ours_s"]),
                summary(result["bare_s"]),
                summary(ratios),
                unit="s",
            )
            speed.note_noise()  # for scale: the goal is the memory
            memory = rss_row(f"tiktok-rss-{mode}", what, result, RSS_GOAL_MIB, bare="bare httpx")
            rows += [speed, memory]
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        m, b, k, s, r = sys.argv[2:7]
        print(json.dumps(_child(m, b, k, int(s), int(r))))
    else:
        parser = argparse.ArgumentParser(prog="python -m benchmarks.tiktok_upload")
        parser.add_argument("--mib", type=int, default=1024)
        parser.add_argument("--rounds", type=int, default=3)
        args = parser.parse_args()
        print_table(figures(False, args.mib, args.rounds))
