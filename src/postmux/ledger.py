"""The ledger: what was sent where, so a re-run never posts twice.

Before a target is sent, the publisher *claims* ``(post key, target)``; after,
it *records* the outcome. A re-run of the same post (after a crash, or by a
retrying job) then returns what is recorded instead of sending again:

* recorded ``published``/``queued``/… — returned as it is;
* recorded ``failed`` — the vendor refused it, so it may be sent again;
* claimed but never recorded (a crash mid-request), or recorded ``unknown`` —
  in doubt: returned as ``unknown`` and left for a human or
  :meth:`Ledger.release` to decide.

:class:`SQLiteLedger` keeps this in a file with the standard library's
``sqlite3``; :class:`MemoryLedger` for tests and short-lived jobs.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Protocol

import attrs

from .results import Publication

__all__ = ["Ledger", "LedgerEntry", "MemoryLedger", "SQLiteLedger", "dump_publication", "load_publication"]


@attrs.frozen(slots=True)
class LedgerEntry:
    """A claim, with the outcome once recorded."""

    post_key: str
    target_key: str
    publication: Publication | None


class Ledger(Protocol):
    """Where claims and outcomes are kept."""

    def lookup(self, post_key: str, target_key: str) -> LedgerEntry | None:
        """The entry for a target of a post, if any."""
        ...

    def claim(self, post_key: str, target_key: str) -> None:
        """Mark the target as being sent (in doubt until recorded)."""
        ...

    def record(self, post_key: str, target_key: str, publication: Publication) -> None:
        """Store the outcome."""
        ...

    def release(self, post_key: str, target_key: str) -> None:
        """Forget a target so that it can be sent again (after a human checked)."""
        ...


def dump_publication(p: Publication) -> str:
    """A publication as JSON, without its exception and with ``raw`` kept."""
    return json.dumps(p.to_dict(), default=str)


def load_publication(text: str) -> Publication:
    """The inverse of :func:`dump_publication`."""
    return Publication.from_dict(json.loads(text))


class MemoryLedger:
    """A ledger in memory: guards against double sends within one process."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Publication | None] = {}
        self._lock = threading.Lock()

    def lookup(self, post_key: str, target_key: str) -> LedgerEntry | None:
        with self._lock:
            if (post_key, target_key) not in self._entries:
                return None
            return LedgerEntry(post_key, target_key, self._entries[(post_key, target_key)])

    def claim(self, post_key: str, target_key: str) -> None:
        with self._lock:
            self._entries[(post_key, target_key)] = None

    def record(self, post_key: str, target_key: str, publication: Publication) -> None:
        with self._lock:
            self._entries[(post_key, target_key)] = publication

    def release(self, post_key: str, target_key: str) -> None:
        with self._lock:
            self._entries.pop((post_key, target_key), None)


class SQLiteLedger:
    """A ledger in an SQLite file, safe across processes and crashes."""

    def __init__(self, path: str | Path) -> None:
        import sqlite3  # only an app with an SQLite ledger pays for importing it

        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS postmux_ledger ("
            " post_key TEXT NOT NULL, target_key TEXT NOT NULL,"
            " publication TEXT, updated_at TEXT DEFAULT CURRENT_TIMESTAMP,"
            " PRIMARY KEY (post_key, target_key))"
        )

    def lookup(self, post_key: str, target_key: str) -> LedgerEntry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT publication FROM postmux_ledger WHERE post_key = ? AND target_key = ?",
                (post_key, target_key),
            ).fetchone()
        if row is None:
            return None
        return LedgerEntry(post_key, target_key, load_publication(row[0]) if row[0] else None)

    def claim(self, post_key: str, target_key: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO postmux_ledger (post_key, target_key, publication)"
                " VALUES (?, ?, NULL)",
                (post_key, target_key),
            )

    def record(self, post_key: str, target_key: str, publication: Publication) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO postmux_ledger (post_key, target_key, publication) VALUES (?, ?, ?)",
                (post_key, target_key, dump_publication(publication)),
            )

    def release(self, post_key: str, target_key: str) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM postmux_ledger WHERE post_key = ? AND target_key = ?",
                (post_key, target_key),
            )

    def close(self) -> None:
        """Close the database file."""
        self._db.close()


def open_ledger(value: Ledger | str | Path | None) -> Ledger | None:
    """A ledger from what an app passed: an object, a file path, or nothing."""
    if value is None or isinstance(value, str | Path):
        return SQLiteLedger(value) if value is not None else None
    return value
