"""``postmux faults list|add|clear``: change the faults of a running ``postmux sandbox``.

The sandbox serves a control route on its media host (``/_postmux/faults``,
see :mod:`postmux.sandbox.control`) and writes its address and token to its
state file; this command reads them from there, so it only works as the user
who started the sandbox. Rules are checked by the sandbox before any is
applied: a bad rule exits 2 and changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import click
import httpx

from . import exits
from .base import cli, json_option
from .output import Output
from .state import read_sandbox_state

__all__: list[str] = []


class _ControlError(Exception):
    """The sandbox refused the call, or none is running."""


def _call(method: str, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    state = read_sandbox_state()
    control = state.get("control") if state else None
    if not isinstance(control, dict):
        raise _ControlError("no postmux sandbox is running (start one with: postmux sandbox)")
    try:
        response = httpx.request(
            method,
            str(control["url"]).rstrip("/") + "/" + action,
            headers={"Authorization": f"Bearer {control['token']}"},
            content=json.dumps(body).encode() if body is not None else None,
            timeout=10,
        )
    except httpx.HTTPError as exc:
        raise _ControlError(f"the sandbox did not answer at {control['url']}: {type(exc).__name__}") from None
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200:
        raise _ControlError(str(answer.get("error") or f"the sandbox answered HTTP {response.status_code}"))
    return answer if isinstance(answer, dict) else {}


def _run(out: Output, method: str, action: str, body: dict[str, Any] | None = None) -> None:
    try:
        answer = _call(method, action, body)
    except _ControlError as exc:
        out.error(str(exc))
        if out.as_json:
            out.emit({"ok": False, "error": str(exc)})
        raise click.exceptions.Exit(exits.USAGE) from None
    if out.as_json:
        out.emit({"ok": True, **answer})
        return
    faults = answer.get("faults", [])
    if faults:
        out.print(out.table("Faults in force", ["rule"], [[f] for f in faults]))
    else:
        out.print("No faults in force.")


@cli.group("faults")
def faults_group() -> None:
    """Add, list and clear the fault rules of a running ``postmux sandbox``.

    Rules are in the sandbox's syntax: '*:publish=drop-after', 'wonda:upload=503:times=1',
    'wahdx:POST /api/content/post=500:after=2'.
    """


@faults_group.command("list")
@json_option
def faults_list(as_json: bool) -> None:
    """The rules in force."""
    _run(Output(as_json), "GET", "faults")


@faults_group.command("add")
@click.argument("rules", nargs=-1, required=True)
@json_option
def faults_add(rules: tuple[str, ...], as_json: bool) -> None:
    """Add RULES (each one rule, or several separated by ';')."""
    _run(Output(as_json), "POST", "faults", {"rules": list(rules)})


@faults_group.command("clear")
@click.argument("rules", nargs=-1)
@json_option
def faults_clear(rules: tuple[str, ...], as_json: bool) -> None:
    """Remove RULES (as listed), or every rule when none is given."""
    _run(Output(as_json), "DELETE", "faults", {"rules": list(rules)} if rules else None)
