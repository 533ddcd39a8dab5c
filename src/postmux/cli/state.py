"""Where the command keeps things between runs: the running sandbox, and publications it made.

``postmux sandbox`` writes a state file (base URLs, keys, accounts, its pid);
``--sandbox`` on any other command reads it to reach those emulators, and
falls back to in-process emulators for one command when none is running.
Publications a command makes are kept by id, so ``postmux status ID`` can find
what a vendor needs to look one up again (account, media kind, state).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the file is still read again before each write
    fcntl = None  # type: ignore[assignment]

from ..ledger import dump_publication, load_publication
from ..results import Publication

__all__ = [
    "STATE_ENV",
    "PublicationStore",
    "home",
    "read_sandbox_state",
    "sandbox_state_path",
    "write_private",
]

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


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``, readable by this user only (mode 0600) from its first byte.

    The file is created with that mode (``os.open``), not chmod-ed after, so
    another user never gets a moment to read the keys it holds; it is written
    beside ``path`` and renamed over it, so a reader never sees half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_sandbox_state(description: dict[str, Any]) -> Path:
    """Write the state file for a sandbox served by this process."""
    path = sandbox_state_path()
    state = {**description, "pid": os.getpid(), "store": str(path.with_suffix(".publications.json"))}
    write_private(path, json.dumps(state, indent=2))  # it holds the emulators' keys
    return path


def remove_sandbox_state() -> None:
    """Remove the state file if this process wrote it."""
    path = sandbox_state_path()
    state = read_sandbox_state()
    if state is not None and state.get("pid") == os.getpid():
        path.unlink(missing_ok=True)
        Path(str(state.get("store", ""))).unlink(missing_ok=True)


class PublicationStore:
    """Publications by ``provider:id``, in a JSON file (or only in memory when ``path`` is None).

    One vendor id may name several publications: a vendor that takes every
    target of a post in one request answers with one post id for all of them.
    So each id keeps a list, one entry per target (platform, account, and the
    vendor's place for it), and ``postmux status ID`` shows every target.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._items: dict[str, list[str]] = _read(path) if path is not None else {}

    def save(self, publications: list[Publication]) -> str | None:
        """Remember publications that have an id; a later one replaces the same target's entry.

        The file is read again just before it is written (under a lock where the
        system has one), so what another command saved meanwhile stays. A file
        that cannot be written is no failure of the publications: the answer is
        why (``None`` when they were kept), for the command to say.
        """
        with self._lock:
            try:
                with _locked(self.path):
                    if self.path is not None:
                        self._items = _read(self.path)  # another command may have saved since
                    self._add(publications)
                    if self.path is not None:  # raw vendor answers: the user's only
                        write_private(self.path, json.dumps(self._items))
            except OSError as exc:
                self._add(publications)  # still found by this command
                return f"{self.path}: {exc.strerror or exc}"
        return None

    def _add(self, publications: list[Publication]) -> None:
        for p in publications:
            if not p.id:
                continue
            kept = self._items.setdefault(f"{p.provider}:{p.id}", [])
            slot = _slot(p)
            for i, old in enumerate(kept):
                stored = _readable(old)
                if stored is None or _slot(stored) == slot:  # an entry no one can read is replaced
                    kept[i] = dump_publication(p)
                    break
            else:
                kept.append(dump_publication(p))

    def find(self, ref: str, provider: str | None) -> list[Publication]:
        """Publications whose id is ``ref`` (of ``provider`` when given), in the order they were saved."""
        with self._lock:
            items = {k: list(v) for k, v in self._items.items()}
        if provider is not None and f"{provider}:{ref}" in items:
            found = [_readable(v) for v in items[f"{provider}:{ref}"]]
        else:
            found = [_readable(v) for k, vs in items.items() if k.partition(":")[2] == ref for v in vs]
        return [p for p in found if p is not None]


def _read(path: Path) -> dict[str, list[str]]:
    """The stored ids of ``path``; none for a file that is missing or cannot be read."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): _entries(v) for k, v in data.items()} if isinstance(data, dict) else {}


@contextlib.contextmanager
def _locked(path: Path | None) -> Iterator[None]:
    """Hold an exclusive lock on ``path``'s directory (a no-op in memory, or where ``fcntl`` is missing).

    The directory, not the file: the file is replaced by a rename, and a lock on
    the one replaced would guard nothing; a lock file of its own would be left behind.
    """
    if path is None or fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _readable(entry: str) -> Publication | None:
    """A stored entry's publication; ``None`` for one a hand edit or another version left unreadable.

    The file is only this command's memory of ids: an entry that cannot be read is as good as
    none (``status`` then asks for ``PLATFORM:ACCOUNT_ID:ID``), never a traceback.
    """
    try:
        return load_publication(entry)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _entries(value: object) -> list[str]:
    """A stored id's entries; a file written before ids kept lists holds one string."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _slot(p: Publication) -> tuple[str, str, str | None]:
    """Which target of a post a publication is: platform, account, and the vendor's place for it."""
    return p.target.platform, p.account_id or p.target.account, p.state.get("index")
