"""``postmux reconcile REPORT``: settle the ``unknown`` publications of a saved report.

REPORT is what ``postmux post --json`` printed (or ``-`` for stdin): its
publications keep what identifies each send (``attempt``), so the vendor can
be asked about them later, from another machine too. Found ones get their
status, id and URL (and are remembered for ``postmux status``); absent ones
become ``failed`` (a re-run sends them); the rest stay ``unknown``, with what
to check by hand. ``--ledger`` records the answers where ``post --ledger`` keeps
its claims. Exit codes as everywhere: 3 while anything is still unknown.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import Problem, ValidationError
from ..reconcile import NOT_FOUND
from ..results import Publication
from ..status import Status
from . import exits
from .base import ledger_option, vendor_command
from .output import Output, publication_json
from .session import Session

__all__ = ["verdict"]


def _read(source: str) -> list[Publication]:
    """The publications of a saved report: a ``--json`` document, or a plain list of publications."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        data: Any = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ValidationError([Problem("report", f"cannot read {source}: {exc}")]) from None
    items = data.get("publications") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValidationError([Problem("report", f"{source} holds no publications (write it with --json)")])
    out: list[Publication] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        try:
            out.append(Publication.from_dict(item))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(f"publications[{i}]", f"not a publication: {exc}"))
    if problems:
        raise ValidationError(problems)
    return out


def verdict(before: Publication, after: Publication) -> str:
    """What reconcile made of one publication: found, absent, check by hand, or not asked."""
    if before.status is not Status.UNKNOWN:
        return "not in doubt"
    if after.status is Status.UNKNOWN:
        return "check by hand"
    return "absent" if after.error_code == NOT_FOUND else "found"


@vendor_command("reconcile")
@click.argument("report", metavar="REPORT")
@click.option(
    "--ledger",
    metavar="FILE|URL",
    help="The ledger `post --ledger` used: found ones are recorded, absent ones released.",
)
@click.option(
    "--absent-after",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Believe 'not found' only for sends this old (default: the vendor's own delay).",
)
def reconcile_command(
    session: Session, out: Output, report: str, ledger: str | None, absent_after: float | None
) -> int:
    """Ask the vendor about every unknown publication of REPORT (`postmux post --json` output, or -)."""
    before = _read(report)
    after = list(before)
    for provider in dict.fromkeys(p.provider for p in before):
        pub = session.publisher(provider)
        if ledger is not None:
            pub.ledger = ledger_option(ledger)
        mine = [i for i, p in enumerate(before) if p.provider == provider]
        settled = pub.reconcile([before[i] for i in mine], absent_after=absent_after)
        for i, p in zip(mine, settled, strict=True):
            after[i] = p
    session.remember(after)
    code = exits.for_publications(after)
    verdicts = [verdict(b, a) for b, a in zip(before, after, strict=True)]
    if out.as_json:
        out.emit(
            {
                "ok": code == exits.OK,
                "exit_code": code,
                "counts": {v: verdicts.count(v) for v in dict.fromkeys(verdicts)},
                "publications": [
                    {**publication_json(p), "verdict": v} for p, v in zip(after, verdicts, strict=True)
                ],
            }
        )
        return code
    out.print(out.publications("Reconciled", after, verdicts, last="url / what to check"))
    return code
