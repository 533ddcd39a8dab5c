"""Upload throughput and peak memory: Wonda multipart and PostPeer presigned PUT vs a bare streamed PUT.

A sparse file (no disk blocks, reads as zeros) is published through the
plugin, sync and async, and in the same rounds two baselines send the same
bytes with bare ``httpx``, both streaming the file in 1 MiB chunks from a
generator with a ``Content-Length``:

* **by hand** (the goal's baseline): the publish's own requests made by hand,
  the upload among them: Wonda's multipart upload (one part, framed by the
  generator) and its publish; PostPeer's upload-URL ask, the presigned PUT and
  its post. The JSON bodies are the ones postmux sent (the server keeps the
  last body of each path), so both sides make the same requests with the same
  bytes, and the ratio is what postmux costs to upload and publish;
* **the PUT alone** (the first passes' baseline, kept as a figure with no
  goal): only the upload, so its ratio also holds the requests the vendor's
  protocol adds, which no client can leave out (see ``README.md``, seventh
  pass).

The async baselines make an ``AsyncClient`` a round as postmux makes a
publisher a round; by hand its SSL context is made once a process, as
postmux's is, while the PUT alone keeps httpx's default (a context per
client, ~50 ms). Each (vendor, mode) runs in a fresh child process so the
figures do not carry the parent's heap; within it the rounds alternate the
sides. Peak memory is the growth of the process's peak RSS (``VmHWM``, reset
before each run through ``/proc/self/clear_refs`` where the kernel allows it)
over its RSS before the run. This absorbs the old ``upload_memory.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import Row, summary
from benchmarks.server import ROOT, BenchServer

__all__ = ["figures"]

THROUGHPUT_GOAL = 0.9
RSS_GOAL_MIB = 16.0
CHUNK = 1 << 20
ROUNDS = 15
"""Rounds of the full run: a 256 MiB round lasts ~0.2 s, and five of them read 0.86 and 1.00 on one
idle machine an hour apart (a single slow round moves a median of five); fifteen cost ~30 s more."""
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


SIDES = ("ours", "bare", "hand")
"""The sides of a round, in the order ``timed_rounds`` is given them (postmux first)."""


def timed_rounds(
    mode: str,
    rounds: int,
    sync: Sequence[Callable[[], None]],
    asynchronous: Sequence[Callable[[], Coroutine[Any, Any, None]]],
) -> dict[str, list[float]]:
    """Seconds and peak RSS growth (KiB) of ours and each baseline, interleaved, after a warm-up.

    ``sync`` and ``asynchronous`` are (ours, bare[, hand]) tuples, named by
    :data:`SIDES`; ``mode`` says which runs. Even rounds run them in that
    order, odd ones in reverse. Each run resets the kernel's peak-RSS mark
    where it can, so the growth is that run's own.
    """
    names = SIDES[: len(sync)]

    def run(index: int) -> tuple[float, int]:
        reset = _reset_peak()
        before = _status_kib("VmRSS") if reset else _status_kib("VmHWM")
        t0 = time.perf_counter()
        if mode == "sync":
            sync[index]()
        else:
            asyncio.run(asynchronous[index]())
        return time.perf_counter() - t0, _status_kib("VmHWM") - before

    for index in range(len(names)):
        run(index)  # warm up: imports, first connections
    out: dict[str, list[float]] = {f"{n}_{u}": [] for n in names for u in ("s", "kib")}
    order = list(range(len(names)))
    for i in range(rounds):
        for index in reversed(order) if i % 2 else order:
            seconds, kib = run(index)
            out[f"{names[index]}_s"].append(seconds)
            out[f"{names[index]}_kib"].append(kib)
    return out


def _chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


async def _achunks(path: str) -> AsyncIterator[bytes]:
    for chunk in _chunks(path):
        yield chunk


AUTH = {"wonda": ("Authorization", "Bearer "), "postpeer": ("x-access-key", "")}
"""Each vendor's key header and what precedes the key, as a by-hand client sends it."""

UPLOAD_PATHS = {"wonda": "/media/upload", "postpeer": "/v1/media/upload"}
"""Where each vendor's upload (Wonda) or upload-URL ask (PostPeer) goes, below its base path."""


def _multipart(path: str, size: int) -> tuple[dict[str, str], Callable[[], Iterator[bytes]]]:
    """Headers and a body factory of a one-file ``multipart/form-data`` upload in 1 MiB chunks, by hand."""
    boundary = "postmuxbenchboundary0123456789ab"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from _chunks(path)
        yield tail

    length = len(head) + size + len(tail)
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)}
    return headers, body


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
        context = httpx.create_ssl_context()  # by hand, one a process, as postmux's
        name, scheme = AUTH[vendor]
        auth = {name: scheme + answers.KEY}
        upload_path, publish_path = UPLOAD_PATHS[vendor], answers.PUBLISH_PATHS[vendor]
        form_headers, form = _multipart(path, size)
        assert sync_pub.publish(post).ok  # the JSON bodies postmux sends, for the by-hand side
        sent = httpx.get(f"{origin}/_bench/bodies").json()
        ask = json.loads(sent.get(answers.BASE_PATHS[vendor] + upload_path, "null"))
        made = json.loads(sent[answers.BASE_PATHS[vendor] + publish_path])

        def ours_sync() -> None:
            report = sync_pub.publish(post)
            assert report.ok, report.results

        def bare_sync() -> None:
            sync_raw.put(put_url, content=_chunks(path), headers=headers).raise_for_status()

        def hand_sync() -> None:
            if vendor == "postpeer":
                asked = sync_raw.post(base + upload_path, json=ask, headers=auth)
                asked.raise_for_status()
                url = asked.json()["data"]["uploadUrl"]
                sync_raw.put(url, content=_chunks(path), headers=headers).raise_for_status()
            else:
                uploaded = sync_raw.post(base + upload_path, content=form(), headers={**auth, **form_headers})
                uploaded.raise_for_status()
                assert uploaded.json()["mediaId"]
            done = sync_raw.post(base + publish_path, json=made, headers=auth)
            done.raise_for_status()
            done.json()

        async def ours_async() -> None:
            async with postmux.async_publisher(
                vendor, api_key=answers.KEY, base_url=base, timeout=TIMEOUT
            ) as p:
                report = await p.publish(post)
            assert report.ok, report.results

        async def bare_async() -> None:
            async with httpx.AsyncClient(timeout=TIMEOUT) as client:
                (await client.put(put_url, content=_achunks(path), headers=headers)).raise_for_status()

        async def hand_async() -> None:
            async with httpx.AsyncClient(timeout=TIMEOUT, verify=context) as client:
                if vendor == "postpeer":
                    asked = await client.post(base + upload_path, json=ask, headers=auth)
                    asked.raise_for_status()
                    url = asked.json()["data"]["uploadUrl"]
                    (await client.put(url, content=_achunks(path), headers=headers)).raise_for_status()
                else:
                    body = _aiter(form())
                    uploaded = await client.post(
                        base + upload_path, content=body, headers={**auth, **form_headers}
                    )
                    uploaded.raise_for_status()
                    assert uploaded.json()["mediaId"]
                done = await client.post(base + publish_path, json=made, headers=auth)
                done.raise_for_status()
                done.json()

        out = timed_rounds(
            mode, rounds, (ours_sync, bare_sync, hand_sync), (ours_async, bare_async, hand_async)
        )
        sync_pub.close()
        sync_raw.close()
    return {**out, "peak_reset": _reset_peak()}


async def _aiter(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


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
    how = "multipart" if vendor == "wonda" else "presigned PUT"
    what = f"{mib:.0f} MiB upload ({how}), {mode}"
    speed = _throughput(
        f"upload-{vendor}-{mode}",
        f"{what}: throughput against the same requests by hand",
        result["ours_s"],
        result["hand_s"],
        mib,
    )
    speed.goal = f"≥ {THROUGHPUT_GOAL:g}×"
    assert speed.ratio is not None
    speed.met = speed.ratio.median >= THROUGHPUT_GOAL
    speed.note_noise()
    alone = _throughput(
        f"upload-{vendor}-{mode}-put",
        f"{what}: throughput against the PUT alone",
        result["ours_s"],
        result["bare_s"],
        mib,
    )
    alone.goal = f"(was ≥ {THROUGHPUT_GOAL:g}×)"
    ceiling = summary([b / h for h, b in zip(result["hand_s"], result["bare_s"], strict=True)])
    why = "the vendor's other requests" + (
        ", and the PUT alone's SSL context a round" if mode == "async" else ""
    )
    alone.notes.append(
        f"the first passes' method; the same requests by hand read {ceiling.median:.2f} "
        f"[{ceiling.low:.2f}–{ceiling.high:.2f}] of the PUT alone ({why})"
    )
    return [speed, alone, rss_row(f"rss-{vendor}-{mode}", what, result, RSS_GOAL_MIB, bare="bare PUT")]


def _throughput(name: str, what: str, ours_s: list[float], base_s: list[float], mib: float) -> Row:
    """A throughput row (MiB/s a side) whose ratio is each round's baseline time over postmux's."""
    ratios = [b / o for o, b in zip(ours_s, base_s, strict=True)]
    return Row(
        name,
        what,
        summary([mib / s for s in ours_s]),
        summary([mib / s for s in base_s]),
        summary(ratios),
        unit="MiB/s",
    )


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
    rounds = 5 if quick else ROUNDS
    rows: list[Row] = []
    with BenchServer() as server:
        for vendor in ("wonda", "postpeer"):
            for mode in ("sync", "async"):
                rows += one_job(server, vendor, mode, size, rounds)
    return rows


if __name__ == "__main__":
    v, m, o, s, r = sys.argv[1:6]
    print(json.dumps(_child(v, m, o, int(s), int(r))))
