"""Rounds, ratios and the table: how every benchmark reports.

Each figure is measured in rounds; a round times postmux and its baseline
back to back (alternating which goes first), so both see the same machine at
the same moment, and the round's figure is their *ratio*. The table shows
the median ratio of at least five rounds with its min and max, the medians of
the two absolute values for scale, the goal, and a note when the machine was
noisy (the spread of the round ratios, max − min over the median, above 20 %).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["NOISY", "Row", "Summary", "ainterleaved", "interleaved", "print_table", "summary", "timed"]

NOISY = 0.20
"""A spread of the round ratios above this fraction of their median is flagged."""


@dataclass(frozen=True)
class Summary:
    """Median, min and max of a sample."""

    median: float
    low: float
    high: float

    @property
    def spread(self) -> float:
        """(max − min) / median: how much the rounds disagree."""
        return (self.high - self.low) / self.median if self.median else 0.0


def summary(values: Sequence[float]) -> Summary:
    """The median, min and max of ``values``."""
    return Summary(statistics.median(values), min(values), max(values))


@dataclass
class Row:
    """One line of the table."""

    name: str
    what: str
    postmux: Summary | None
    baseline: Summary | None
    ratio: Summary | None
    unit: str
    goal: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)

    def note_noise(self) -> None:
        """Flag a spread that makes the median less telling."""
        if self.ratio is not None and self.ratio.spread > NOISY:
            self.notes.append(f"noisy: ratio spread {self.ratio.spread:.0%}")


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn()`` took."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleaved(
    ours: Callable[[], float], base: Callable[[], float], rounds: int
) -> tuple[list[float], list[float], list[float]]:
    """``rounds`` pairs of measurements, alternating which goes first; (ours, base, ours/base)."""
    mine: list[float] = []
    theirs: list[float] = []
    for i in range(rounds):
        if i % 2:
            b = base()
            m = ours()
        else:
            m = ours()
            b = base()
        mine.append(m)
        theirs.append(b)
    return mine, theirs, [m / b for m, b in zip(mine, theirs, strict=True)]


async def ainterleaved(
    ours: Callable[[], Awaitable[float]], base: Callable[[], Awaitable[float]], rounds: int
) -> tuple[list[float], list[float], list[float]]:
    """:func:`interleaved` for coroutines, after one warm-up run of each."""
    await ours()
    await base()
    mine: list[float] = []
    theirs: list[float] = []
    for i in range(rounds):
        if i % 2:
            b = await base()
            m = await ours()
        else:
            m = await ours()
            b = await base()
        mine.append(m)
        theirs.append(b)
    return mine, theirs, [m / b for m, b in zip(mine, theirs, strict=True)]


def ratio_row(
    name: str,
    what: str,
    ours: Sequence[float],
    base: Sequence[float],
    ratios: Sequence[float],
    *,
    unit: str,
    goal: float | None = None,
    goal_text: str | None = None,
) -> Row:
    """A row whose verdict is the median ratio against ``goal`` (at most)."""
    row = Row(name, what, summary(ours), summary(base), summary(ratios), unit)
    if goal is not None:
        row.goal = goal_text or f"≤ {goal:g}×"
        row.met = row.ratio is not None and row.ratio.median <= goal
    row.note_noise()
    return row


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value >= 1 else f"{value * 1000:.1f} ms"
    if unit == "us":
        return f"{value * 1e6:.0f} µs"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if unit == "MiB/s":
        return f"{value:.0f} MiB/s"
    return f"{value:g} {unit}".strip()


def print_table(rows: Sequence[Row], out: Callable[[str], None] = print) -> None:
    """The table: figure, postmux, baseline, ratio median [min–max], goal and verdict, notes."""
    header = ("figure", "postmux", "baseline", "ratio [min–max]", "goal", "")
    lines = [header]
    for r in rows:
        pm = _fmt(r.postmux.median, r.unit) if r.postmux else "—"
        base = _fmt(r.baseline.median, r.unit) if r.baseline else "—"
        ratio = f"{r.ratio.median:.2f} [{r.ratio.low:.2f}–{r.ratio.high:.2f}]" if r.ratio else "—"
        verdict = "" if r.met is None else ("ok" if r.met else "MISSED")
        lines.append((f"{r.name}: {r.what}", pm, base, ratio, r.goal, verdict))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        out(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if n == 0:
            out("  ".join("-" * w for w in widths))
    notes = [(r.name, note) for r in rows for note in r.notes]
    if notes:
        out("")
        for name, note in notes:
            out(f"  {name}: {note}")
