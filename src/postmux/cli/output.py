"""How the command speaks: rich tables for people, one JSON document for programs.

Results go to stdout; notes, problems and the progress display go to stderr,
so ``postmux … --json | jq`` always reads clean JSON. Colours appear only
where the terminal has them (rich decides, and honours ``NO_COLOR``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import Problem
from ..results import Publication
from ..status import Status

__all__ = ["STATUS_STYLES", "Output", "publication_json"]

STATUS_STYLES: Mapping[str, str] = {
    Status.PUBLISHED.value: "bold green",
    Status.INBOX.value: "cyan",
    Status.QUEUED.value: "yellow",
    Status.PROCESSING.value: "yellow",
    Status.SCHEDULED.value: "blue",
    Status.FAILED.value: "bold red",
    Status.CANCELLED.value: "dim",
    Status.UNKNOWN.value: "bold magenta",
    "unsupported": "dim",
}


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    return Console(
        file=stream,
        stderr=stderr,
        highlight=False,
        width=None if terminal else 200,
        soft_wrap=not terminal,
    )


def publication_json(p: Publication) -> dict[str, Any]:
    """The fields of a publication a script needs (``raw`` stays out: it can be large)."""
    return p.to_dict(raw=False)


class Output:
    """One command's output, in table or JSON form."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.out = _console(stderr=False)
        self.err = _console(stderr=True)

    def emit(self, payload: Any) -> None:
        """Write the command's JSON document."""
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        sys.stdout.flush()

    def note(self, message: str) -> None:
        """A remark for people (stderr), silent in JSON mode."""
        if not self.as_json:
            self.err.print(Text(message, style="dim"))

    def print(self, *items: Any) -> None:
        """Print to stdout in table mode."""
        if not self.as_json:
            self.out.print(*items)

    def error(self, message: str) -> None:
        """One error line on stderr (always, JSON mode included)."""
        self.err.print(Text("error: ", style="bold red") + Text(message))

    def warning(self, message: str) -> None:
        """One warning line on stderr (always): something went wrong beside the command's result."""
        self.err.print(Text("warning: ", style="bold yellow") + Text(message))

    def problems(self, problems: Sequence[Problem]) -> None:
        """Validation problems, one a line, on stderr; JSON mode also emits them on stdout."""
        for problem in problems:
            tag = "unsupported" if problem.unsupported else "invalid"
            self.err.print(Text(f"{tag}: ", style="bold red") + Text(str(problem)))
        if self.as_json:
            self.emit(
                {
                    "ok": False,
                    "problems": [
                        {"field": p.field, "message": p.message, "unsupported": p.unsupported}
                        for p in problems
                    ],
                }
            )

    @staticmethod
    def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
        """A rich table; ``Text`` cells keep their style, anything else is shown as text."""
        table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                *(cell if isinstance(cell, Text) else Text("" if cell is None else str(cell)) for cell in row)
            )
        return table

    @staticmethod
    def status(value: str) -> Text:
        """A status word in its colour."""
        return Text(value, style=STATUS_STYLES.get(value, ""))

    def publications(
        self,
        title: str | None,
        publications: Sequence[Publication],
        verdicts: Sequence[str] | None = None,
        last: str = "url / error",
    ) -> Table:
        """The standard table of publications (with a ``verdict`` column when given one per row)."""
        rows = [
            [
                p.provider,
                p.target.platform,
                p.target.account,
                self.status(p.status.value),
                *([verdicts[i]] if verdicts is not None else []),
                p.id or "",
                p.url or (p.error or ""),
            ]
            for i, p in enumerate(publications)
        ]
        verdict = ["verdict"] if verdicts is not None else []
        return self.table(title, ["provider", "platform", "account", "status", *verdict, "id", last], rows)
