"""Waiting for publications with a progress display, across one or several vendors.

Each round asks every vendor once (``Publisher.wait`` with no time left does
exactly one refresh, batched where the vendor can), updates the display, and
sleeps. The time each publication became final is kept for the demo's table.
Ctrl-C stops the waiting, not the command: it then reports where each
publication stood (still open, so exit 3), since what was sent must not be lost.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import attrs
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ..errors import PostmuxError
from ..errors import TimeoutError as PostmuxTimeout
from ..publisher import Publisher
from ..results import Publication, PublishReport
from ..status import Status
from .output import Output

__all__ = ["Group", "wait_all"]


@attrs.define
class Group:
    """The publications of one vendor, and when each became final (seconds since the start)."""

    publisher: Publisher
    publications: list[Publication]
    final_at: dict[int, float] = attrs.field(factory=dict)


def _pollable(p: Publication) -> bool:
    return not p.is_final and p.id is not None and p.status is not Status.UNKNOWN


def _refresh(group: Group) -> None:
    try:
        report = group.publisher.wait(PublishReport(tuple(group.publications)), timeout=0)
    except PostmuxTimeout as exc:
        if isinstance(exc.report, PublishReport):
            group.publications = list(exc.report.results)
        return
    except PostmuxError:
        return  # a failed poll leaves the publications as they were; the next round asks again
    group.publications = list(report.results)


def wait_all(
    groups: Sequence[Group],
    *,
    out: Output,
    timeout: float,
    interval: float | None,
    started: float | None = None,
) -> bool:
    """Poll every group until all its publications are final or ``timeout`` seconds pass.

    Ctrl-C ends the waiting early (the groups keep what the last round saw);
    the answer is whether it did.
    """
    start = started if started is not None else time.monotonic()
    deadline = time.monotonic() + timeout

    def mark() -> tuple[int, int]:
        done = total = 0
        for group in groups:
            for i, p in enumerate(group.publications):
                total += 1
                if not _pollable(p):
                    done += 1
                    group.final_at.setdefault(i, time.monotonic() - start)
        return done, total

    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out.err,
        transient=True,
        disable=out.as_json or not out.err.is_terminal,
    )
    try:
        with progress:
            done, total = mark()
            task = progress.add_task("waiting for the platforms", total=total, completed=done)
            while done < total and time.monotonic() < deadline:
                for group in groups:
                    if any(_pollable(p) for p in group.publications):
                        _refresh(group)
                done, total = mark()
                progress.update(task, completed=done)
                if done < total:
                    pause = (
                        interval
                        if interval is not None
                        else max(g.publisher.adapter.poll_interval for g in groups)
                    )
                    time.sleep(max(0.0, min(pause, deadline - time.monotonic())))
    except KeyboardInterrupt:  # the user stops waiting: what was sent is still reported
        out.error("interrupted: stopped waiting; each publication is shown as it last stood")
        return True
    return False
