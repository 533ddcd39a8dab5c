"""``python -m benchmarks [--quick] [--upload-mib N] [FIGURE …]``: run the benchmarks, print the table.

FIGURE picks groups by name (``inproc``, ``seq``, ``fanout``, ``poll``, ``upload``,
``urlvideo``, ``startup``, ``soak``, ``tiktok``); none means all. ``--quick`` runs a smaller version of each
(fewer cells, smaller uploads, shorter loops) in about a minute. ``python3
dev.py bench …`` runs this in the project's ``.venv``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from benchmarks import fanout, inprocess, polling, sequential, soak, startup, tiktok_upload, uploads, urlvideo
from benchmarks.measure import NOISY, Row, print_table

GROUPS: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "inproc": lambda a: inprocess.figures(a.quick),
    "seq": lambda a: sequential.figures(a.quick),
    "fanout": lambda a: fanout.figures(a.quick),
    "poll": lambda a: polling.figures(a.quick),
    "upload": lambda a: uploads.figures(a.quick, a.upload_mib),
    "urlvideo": lambda a: urlvideo.figures(a.quick),
    "startup": lambda a: startup.figures(a.quick),
    "soak": lambda a: soak.figures(a.quick),
    "tiktok": lambda a: tiktok_upload.figures(a.quick, a.upload_mib),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast subset")
    parser.add_argument("--upload-mib", type=int, default=None, help="upload size (default 256, quick 64)")
    parser.add_argument("figures", nargs="*", metavar="FIGURE", help=f"any of: {', '.join(GROUPS)}")
    args = parser.parse_args(argv)
    unknown = [f for f in args.figures if f not in GROUPS]
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    chosen = args.figures or list(GROUPS)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"postmux benchmarks: {', '.join(chosen)}{' (quick)' if args.quick else ''}; "
        f"{os.cpu_count()} CPUs, load average {load:.2f} at the start",
        flush=True,
    )
    rows: list[Row] = []
    started = time.perf_counter()
    for name in chosen:
        t0 = time.perf_counter()
        print(f"  running {name} …", end="", flush=True)
        rows += GROUPS[name](args)
        print(f" {time.perf_counter() - t0:.0f} s", flush=True)
    print()
    print_table(rows)
    noisy = sum(1 for r in rows if r.ratio is not None and r.ratio.spread > NOISY)
    missed = [r.name for r in rows if r.met is False]
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print()
    print(
        f"{len(rows)} figures in {time.perf_counter() - started:.0f} s; "
        f"load average {load_end:.2f} at the end; "
        f"{noisy} noisy (round ratios spread > {NOISY:.0%}); goals missed: {', '.join(missed) or 'none'}"
    )
    print("every ratio is postmux over a baseline measured in the same rounds: median [min–max]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
