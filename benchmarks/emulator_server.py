"""The sandbox's uvicorn Wahdx emulator in its own process, for the fan-out comparison.

The raw asyncio server of :mod:`benchmarks.server` is one kind of vendor; the
sandbox emulator (uvicorn, h11) is another, and httpx's async pool behaved
differently against the two (see ``benchmarks/README.md``). This child serves
the emulator with ``latency=<ms>`` on every request and the TikTok accounts
``acc-0`` … ``acc-<n-1>`` linked, prints its base URL and key as one JSON line,
and exits when its stdin closes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from types import TracebackType
from typing import Self

from benchmarks.server import ROOT, stop_child

__all__ = ["EmulatorServer"]


def _main(latency_ms: float, accounts: int) -> None:
    from postmux.sandbox import Sandbox
    from postmux.sandbox.lifecycle import SandboxAccount

    with Sandbox(["wahdx"], faults=f"latency={latency_ms:g}ms") as sandbox:
        emulator = sandbox.emulator("wahdx")
        for i in range(accounts):
            emulator.link(
                SandboxAccount(id=f"acc-{i}", platform="tiktok", username=f"user{i}", display_name=f"U{i}")
            )
        print(json.dumps({"url": sandbox.url("wahdx"), "key": sandbox.key("wahdx")}), flush=True)
        sys.stdin.read()


class EmulatorServer:
    """The emulator child; ``url`` and ``key`` once entered."""

    def __init__(self, latency_ms: float = 100, accounts: int = 1000) -> None:
        self.args = [str(latency_ms), str(accounts)]
        self.proc: subprocess.Popen[str] | None = None
        self.url = self.key = ""

    def __enter__(self) -> Self:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.emulator_server", *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        info = json.loads(self.proc.stdout.readline())
        self.url, self.key = info["url"], info["key"]
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            stop_child(self.proc, 15)


if __name__ == "__main__":
    _main(float(sys.argv[1]), int(sys.argv[2]))
