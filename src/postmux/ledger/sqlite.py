"""The ledger in an SQLite file (standard library ``sqlite3``): many processes, one machine.

SQLite serialises writers on the file, so each single-statement claim is
exclusive across threads and processes; WAL journaling lets readers go on
while one writes, and a process killed mid-statement leaves the file as it was
before that statement. The file must be on a local disk: SQLite's locks are not
reliable over network file systems, so for many machines use PostgreSQL.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import LedgerError
from .base import DEFAULT_LEASE, SCHEMA_VERSION
from .sql import TABLES, Rows, SQLLedger, Statements, check_version, client_now

if TYPE_CHECKING:
    import sqlite3

__all__ = ["SQLiteLedger"]

BUSY_TIMEOUT = 30.0
"""Seconds a statement waits for another process's write to finish before it fails."""

_SQL = Statements.build(lambda name: f":{name}", ":now")

_V1_COLUMNS = (
    "phase TEXT NOT NULL DEFAULT 'recorded'",
    "status TEXT",
    "owner_host TEXT",
    "owner_pid INTEGER",
    "run_id TEXT",
    "claimed_at DOUBLE PRECISION",
    "expires_at DOUBLE PRECISION",
)


class SQLiteLedger(SQLLedger):
    """A ledger in an SQLite file, safe across threads, processes and crashes of one machine.

    Opening it creates the file and its tables (or upgrades a postmux 0.1 file);
    a missing directory, a file that is not a database, or one that cannot be
    written raises :class:`~postmux.LedgerError` here, before anything is sent.
    """

    _sql = _SQL

    def __init__(self, path: str | Path, *, lease: float = DEFAULT_LEASE) -> None:
        super().__init__(lease=lease)
        import sqlite3  # here, not at the top: only an app with an SQLite ledger pays for importing it

        self._sqlite3 = sqlite3
        self.path = str(path)
        self.name = self.path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        failure: str | None = None
        try:
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None
            )
            self._setup(self._db)
        except sqlite3.Error as exc:
            failure = _describe(exc)
        except LedgerError:
            self._close_quietly()
            raise
        if failure is not None:
            self._close_quietly()
            raise LedgerError(f"ledger {self.path}: cannot open: {failure}")

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.path!r})"

    def _wal(self, db: sqlite3.Connection) -> None:
        """Switch to WAL, waiting out other processes that open the same new file at once.

        Changing the journal mode takes a lock that SQLite's busy timeout does
        not always wait for, so several workers opening one fresh ledger
        together could see "database is locked"; retry until BUSY_TIMEOUT.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                return
            except self._sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _setup(self, db: sqlite3.Connection) -> None:
        self._wal(db)
        db.execute("PRAGMA synchronous=NORMAL")  # see _run(): the one write that must reach the disk
        db.execute("BEGIN IMMEDIATE")  # fails at once on a file that cannot be written
        try:
            columns = [row[1] for row in db.execute("PRAGMA table_info(postmux_ledger)")]
            for statement in TABLES:
                db.execute(statement)
            if columns and "phase" not in columns:
                _upgrade_v1(db)
            if check_version(self.path, db.execute("SELECT version FROM postmux_schema").fetchall()):
                db.execute("INSERT INTO postmux_schema (version) VALUES (?)", (SCHEMA_VERSION,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _now(self) -> dict[str, Any]:
        return client_now()

    def _run(self, what: str, sql: str, params: Mapping[str, Any], *, durable: bool = False) -> Rows:
        """One statement; ``durable`` syncs the write-ahead log before returning.

        Other writes may be lost with the machine (power, kernel) without harm: a
        lost claim reads as unclaimed and unsent, a lost outcome as in doubt. A
        lost *sending* mark would let a sent target be taken over, so that
        commit syncs the log, and every earlier commit with it.
        """
        failure: str
        with self._lock:
            if self._db is None:
                raise LedgerError(f"ledger {self.path}: cannot {what}: it is closed")
            try:
                if not durable:
                    return self._db.execute(sql, params).fetchall()
                self._db.execute("PRAGMA synchronous=FULL")
                try:
                    return self._db.execute(sql, params).fetchall()
                finally:
                    self._db.execute("PRAGMA synchronous=NORMAL")
            except (self._sqlite3.Error, UnicodeEncodeError) as exc:  # a key with a lone surrogate
                failure = _describe(exc)
        raise LedgerError(f"ledger {self.path}: cannot {what}: {failure}")

    def close(self) -> None:
        """Close the database file (later calls raise :class:`~postmux.LedgerError`)."""
        with self._lock:
            self._close_quietly()

    def _close_quietly(self) -> None:
        if self._db is not None:
            with contextlib.suppress(self._sqlite3.Error):
                self._db.close()
            self._db = None


def _upgrade_v1(db: sqlite3.Connection) -> None:
    """Give a postmux 0.1 table its owner and lease columns; its unrecorded claims stay in doubt."""
    for column in _V1_COLUMNS:
        db.execute(f"ALTER TABLE postmux_ledger ADD COLUMN {column}")
    db.execute(
        "UPDATE postmux_ledger SET"
        " phase = CASE WHEN publication IS NULL THEN 'sending' ELSE 'recorded' END,"
        " status = json_extract(publication, '$.status')"
    )


def _describe(exc: Exception) -> str:
    """sqlite3's own words, without the exception itself (it must not cross the API)."""
    return str(exc) or type(exc).__name__
