"""The ``postmux`` command invoked in-process, and its ``--json`` answer read: shared by every CLI test."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from postmux.cli.app import cli

__all__ = ["data", "run"]


def run(*args: str, stdin: str | None = None) -> Result:
    """``postmux ARGS`` through click's runner; an exception the command did not catch fails the test."""
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def data(result: Result) -> dict[str, Any]:
    """The one JSON object a ``--json`` answer prints on stdout."""
    value = json.loads(result.stdout)
    assert isinstance(value, dict), result.stdout  # every --json answer is one object
    return value
