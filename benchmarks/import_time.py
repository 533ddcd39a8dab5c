"""What it costs to start using postmux: ``import postmux`` plus the first publisher.

Measured against ``import httpx; httpx.Client()`` — the least an app that talks
HTTP pays anyway — each in a fresh interpreter (``python -c``), alternating the
two so both see the same machine load, in the same run. Prints the median of
the rounds with min and max, and the ratio of the medians. Target <= 1.3x.

The warm-up runs write bytecode caches (as pip does when it installs a wheel).
The publisher is made with an explicit key and no network; the provider is the
first installed one unless given (``--provider wahdx``).

Run: ``.venv/bin/python benchmarks/import_time.py [--rounds 9] [--provider NAME]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

TARGET = 1.3

_TIMED = """
import time
t0 = time.perf_counter()
{body}
print(time.perf_counter() - t0)
"""

BASELINE = "import httpx\nhttpx.Client()"
POSTMUX = "import postmux\npostmux.publisher({provider!r}, api_key='sk_bench_0123456789')"


_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Bytecode caches allowed, as an installed wheel has them (pip compiles every module):
an editable checkout run with PYTHONDONTWRITEBYTECODE would recompile postmux every time."""


def _once(body: str) -> float:
    """Seconds one fresh interpreter spends on ``body`` (interpreter start-up excluded)."""
    out = subprocess.run(
        [sys.executable, "-c", _TIMED.format(body=body)],
        check=True,
        capture_output=True,
        text=True,
        env=_ENV,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _first_provider() -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import postmux; print(postmux.providers()[0])"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def _line(label: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    median = statistics.median(ms)
    return f"    {label:<44} median {median:6.1f} ms   (min {min(ms):6.1f}, max {max(ms):6.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="fresh interpreters per variant (>= 5)")
    parser.add_argument("--provider", help="provider to make a publisher for (default: first installed)")
    args = parser.parse_args()
    rounds = max(5, args.rounds)
    provider = args.provider or _first_provider()
    body = POSTMUX.format(provider=provider)
    _once(BASELINE), _once(body)  # warm the OS file cache for both
    base: list[float] = []
    ours: list[float] = []
    for _ in range(rounds):
        base.append(_once(BASELINE))
        ours.append(_once(body))
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"import + first publisher vs import httpx + httpx.Client(), {rounds} fresh interpreters each:")
    print(_line("import httpx; httpx.Client()", base))
    print(_line(f"import postmux; postmux.publisher({provider!r})", ours))
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"    ratio {ratio:.2f}   target <= {TARGET}   {verdict}")
    print(f"    (ratio of the minimums, less swayed by a busy machine: {min(ours) / min(base):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
