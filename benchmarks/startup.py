"""Import and first publisher, in fresh interpreters, against ``import httpx; httpx.Client()``.

Each round starts two new processes (alternating which goes first); each
times, from its first line, the import and the making of one client: a
Wahdx publisher (plugin discovery through entry points included) or a bare
``httpx.Client``. Interpreter start-up itself is the same for both and left out.

Bytecode caches are allowed (and warmed once), as an installed wheel has them:
an editable checkout run with ``PYTHONDONTWRITEBYTECODE`` would recompile
postmux on every run and inflate its figure.
"""

from __future__ import annotations

import os
import subprocess
import sys

from benchmarks.measure import Row, interleaved, ratio_row
from benchmarks.server import ROOT

__all__ = ["figures"]

GOAL = 1.3
_OURS = "import postmux; postmux.publisher('wahdx', api_key='sk_bench').close()"
_BARE = "import httpx; httpx.Client().close()"
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(code: str) -> float:
    program = f"import time; t0 = time.perf_counter()\n{code}\nprint(time.perf_counter() - t0)"
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
        env=_ENV,
    )
    return float(done.stdout.strip().splitlines()[-1])


def figures(quick: bool) -> list[Row]:
    """One row: import + first publisher."""
    _time(_OURS), _time(_BARE)  # write the bytecode caches and warm the OS file cache for both
    mine, theirs, ratios = interleaved(lambda: _time(_OURS), lambda: _time(_BARE), 5 if quick else 9)
    return [
        ratio_row(
            "startup",
            "import postmux + first publisher (fresh process)",
            mine,
            theirs,
            ratios,
            unit="s",
            goal=GOAL,
        )
    ]
