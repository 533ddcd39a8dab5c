"""How much memory uploading a 1 GiB video through the Wonda plugin takes.

Wonda publishes only media it holds, so a local file is uploaded as multipart
before the post is made. The plugin hands httpx an open file, which its
multipart encoder reads in 64 KiB chunks; this benchmark checks that claim end
to end: it makes a sparse 1 GiB file, starts a stdlib HTTP server on
127.0.0.1 that answers like Wonda (reading and discarding the upload in 1 MiB
chunks), publishes the file through ``postmux.publisher("wonda")`` and reports
the growth of the process's peak resident memory (``VmHWM``), once with the
sync publisher and once with the async one, each in a fresh subprocess.

    python benchmarks/upload_memory.py            # both modes, prints the figures
    python benchmarks/upload_memory.py --size-mib 256

Loopback only; the file is deleted afterwards; every run is bounded by a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TARGET_MIB = 64
"""The budget: peak RSS growth for a 1 GiB upload."""
TIMEOUT_S = 300
CHUNK = 1 << 20
JOB_ID = "019e1b76-74d7-8c7e-a927-6bd34bfaa114"


class WondaLike(BaseHTTPRequestHandler):
    """Answers ``/media/upload`` and ``/publish/tiktok`` as Wonda's docs show, discarding bodies."""

    received = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        left = length
        while left:
            chunk = self.rfile.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
        type(self).received += length - left
        if self.path.endswith("/media/upload"):
            body: dict[str, object] = {
                "mediaId": "bench-media",
                "url": "https://example.invalid/m",
                "mimeType": "video/mp4",
            }
            body["uploads"] = {"file": dict(body)}
        elif self.path.endswith("/publish/tiktok"):
            body = {"outputJobId": JOB_ID, "status": "queued"}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        """Quiet: the benchmark prints its own figures."""


def peak_rss_kib() -> int:
    """The process's peak resident set size so far, in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def reset_peak() -> bool:
    """Reset ``VmHWM`` to the current RSS where the kernel allows it (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_once(mode: str, size: int) -> dict[str, object]:
    """Publish one ``size``-byte file in ``mode`` (sync/async); the measured figures."""
    import httpx

    import postmux
    import postmux_wonda
    from postmux.plugins import PluginManager

    plugins = PluginManager(load_entry_points=False)
    plugins.register(postmux_wonda, "wonda")
    server = ThreadingHTTPServer(("127.0.0.1", 0), WondaLike)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    timeout = httpx.Timeout(60.0)
    with tempfile.TemporaryDirectory(prefix="postmux-bench-") as tmp:
        path = os.path.join(tmp, "big.mp4")
        with open(path, "wb") as fh:
            fh.truncate(size)  # sparse: no disk blocks, reads as zeros
        post = postmux.Post(text="benchmark", media=[postmux.Media(path=path)], targets=["tiktok:acc-1"])
        was_reset = reset_peak()
        before = peak_rss_kib()
        started = time.perf_counter()
        if mode == "sync":
            with postmux.publisher(
                "wonda", api_key="sk_bench", base_url=base_url, plugins=plugins, timeout=timeout
            ) as pub:
                report = pub.publish(post)
        else:

            async def go() -> postmux.PublishReport:
                async with postmux.async_publisher(
                    "wonda", api_key="sk_bench", base_url=base_url, plugins=plugins, timeout=timeout
                ) as apub:
                    return await apub.publish(post)

            report = asyncio.run(go())
        elapsed = time.perf_counter() - started
        after = peak_rss_kib()
    server.shutdown()
    server.server_close()
    return {
        "mode": mode,
        "ok": report.ok and report[0].id == JOB_ID,
        "bytes_received": WondaLike.received,
        "growth_kib": after - before,
        "seconds": round(elapsed, 2),
        "peak_reset": was_reset,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--mode", choices=["sync", "async"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = args.size_mib << 20
    if args.mode:
        print(json.dumps(run_once(args.mode, size)))
        return 0
    failed = False
    print(f"upload of a {args.size_mib} MiB file through postmux-wonda")
    print(f"target: peak RSS growth ≤ {TARGET_MIB} MiB")
    for mode in ("sync", "async"):
        done = subprocess.run(
            [sys.executable, __file__, "--mode", mode, "--size-mib", str(args.size_mib)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            print(f"{mode}: failed\n{done.stderr[-2000:]}")
            failed = True
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        growth_mib = int(result["growth_kib"]) / 1024
        complete = result["ok"] and int(result["bytes_received"]) >= size
        verdict = "PASS" if complete and growth_mib <= TARGET_MIB else "FAIL"
        failed |= verdict == "FAIL"
        print(
            f"{mode:5}: peak RSS growth {growth_mib:6.1f} MiB for {args.size_mib} MiB uploaded "
            f"in {result['seconds']} s; received {int(result['bytes_received']) >> 20} MiB; {verdict}"
            + ("" if result["peak_reset"] else " (VmHWM not reset: growth is against the prior peak)")
        )
        print(
            f"{mode:5}: ratio growth/file = {growth_mib / args.size_mib:.4f}; "
            f"growth/target = {growth_mib / TARGET_MIB:.2f}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
