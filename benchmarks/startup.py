"""Import and first publisher, in fresh interpreters, against ``import httpx; httpx.Client()``.

Each round starts two new processes (alternating which goes first); each
times, from its first line, the import and the making of one client: a
Wahdx publisher (plugin discovery through entry points included) or a bare
``httpx.Client``. Interpreter start-up itself is the same for both and left out.

Bytecode caches are allowed (and warmed once), as an installed wheel has them:
an editable checkout run with ``PYTHONDONTWRITEBYTECODE`` would recompile
postmux on every run and inflate its figure.

Two rows. The development environment has click and rich (postmux's ``cli``
extra), and with them installed ``import httpx`` loads httpx's own command line
too (``httpx._main``: click, rich, pygments), which is ~200 M instructions of
the baseline's ~840 M. A plain ``pip install postmux postmux-wahdx`` has
neither, so its ``import httpx`` is that much cheaper and postmux's share of the
start-up larger: the ``startup-plain`` row makes both programs see click, rich
and pygments as not installed (``sys.modules[name] = None``, so importing one
raises ``ImportError`` as a missing package does).
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial

from benchmarks.measure import Row, interleaved, ratio_row
from benchmarks.server import ROOT

__all__ = ["figures"]

GOAL = 1.3
_OURS = "import postmux; postmux.publisher('wahdx', api_key='sk_bench').close()"
_BARE = "import httpx; httpx.Client().close()"
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_PLAIN = "import sys\nsys.modules.update(dict.fromkeys(('click', 'rich', 'pygments')))\n"
"""As if the ``cli`` extra (and so httpx's command line) were not installed."""


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
    """Two rows: import + first publisher, in the development environment and as a plain install."""
    rows = []
    for name, prefix, where in (
        ("startup", "", "fresh process, click and rich installed"),
        ("startup-plain", _PLAIN, "fresh process, a plain install: no click, rich or pygments"),
    ):
        ours, bare = prefix + _OURS, prefix + _BARE
        _time(ours), _time(bare)  # write the bytecode caches and warm the OS file cache for both
        mine, theirs, ratios = interleaved(partial(_time, ours), partial(_time, bare), 5 if quick else 9)
        what = f"import postmux + first publisher ({where})"
        rows.append(ratio_row(name, what, mine, theirs, ratios, unit="s", goal=GOAL))
    return rows
