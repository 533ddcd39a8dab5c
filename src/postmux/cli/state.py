"""Where the command keeps things between runs: the running sandbox, and publications it made.

``postmux sandbox`` writes a state file (base URLs, keys, accounts, its pid);
``--sandbox`` on any other command reads it to reach those emulators, and
falls back to in-process emulators for one command when none is running.
Publications a command makes are kept by id, so ``postmux status ID`` can find
what a vendor needs to look one up again (account, media kind, state).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from ..ledger import dump_publication, load_publication
from ..results import Publication

__all__ = ["STATE_ENV", "PublicationStore", "home", "read_sandbox_state", "sandbox_state_path"]

STATE_ENV = "POSTMUX_SANDBOX_STATE"
"""Overrides where the running sandbox's state file lives."""
HOME_ENV = "POSTMUX_HOME"
"""Overrides where the command keeps its files (default: the XDG state directory)."""


def home() -> Path:
    """The command's own directory."""
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "postmux"


def sandbox_state_path() -> Path:
    """Where ``postmux sandbox`` writes its state file."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    return home() / "sandbox.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def read_sandbox_state() -> dict[str, Any] | None:
    """The running sandbox's state, or ``None`` when there is none (or its process is gone)."""
    path = sandbox_state_path()
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not _alive(int(state.get("pid", 0) or 0)):
        return None
    return state


def write_sandbox_state(description: dict[str, Any]) -> Path:
    """Write the state file for a sandbox served by this process."""
    path = sandbox_state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {**description, "pid": os.getpid(), "store": str(path.with_suffix(".publications.json"))}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(path)
    return path


def remove_sandbox_state() -> None:
    """Remove the state file if this process wrote it."""
    path = sandbox_state_path()
    state = read_sandbox_state()
    if state is not None and state.get("pid") == os.getpid():
        path.unlink(missing_ok=True)
        Path(str(state.get("store", ""))).unlink(missing_ok=True)


class PublicationStore:
    """Publications by ``provider:id``, in a JSON file (or only in memory when ``path`` is None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._items: dict[str, str] = {}
        if path is not None:
            try:
                data = json.loads(path.read_text())
                if isinstance(data, dict):
                    self._items = {str(k): str(v) for k, v in data.items()}
            except (OSError, ValueError):
                pass

    def save(self, publications: list[Publication]) -> None:
        """Remember publications that have an id."""
        with self._lock:
            for p in publications:
                if p.id:
                    self._items[f"{p.provider}:{p.id}"] = dump_publication(p)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self._items))

    def find(self, ref: str, provider: str | None) -> list[Publication]:
        """Publications whose id is ``ref`` (of ``provider`` when given), newest record first."""
        with self._lock:
            items = dict(self._items)
        if provider is not None and f"{provider}:{ref}" in items:
            return [load_publication(items[f"{provider}:{ref}"])]
        return [load_publication(v) for k, v in items.items() if k.split(":", 1)[1] == ref]
