"""The ledger: what was sent where, so a re-run — or another worker — never posts twice.

Before any byte for a target leaves (media upload included), the publisher
*claims* ``(post key, target)``: one atomic insert-if-absent that records the
owner (host, pid, run id) and a lease. Whoever does not win the claim sends
nothing. After sending it *records* the outcome, and ``status()``/``wait()``
keep that outcome current. A later run of the same post then returns what is
recorded instead of sending again:

* recorded ``published``/``queued``/… — returned as it is;
* recorded ``failed`` — the vendor refused it, so it may be claimed and sent again;
* claimed, lease live, no outcome — another worker is on it: ``unknown`` with
  ``error_code="claimed_elsewhere"``, its owner and lease in the reason;
* claimed, lease expired, nothing of the post sent — its owner died while
  staging: taken over and sent;
* sent but never recorded (a crash mid-request), or recorded ``unknown`` — in
  doubt: returned as ``unknown``, never sent again on its own; a human (or
  :meth:`Ledger.release`) decides.

Backends, all with the same semantics: :class:`MemoryLedger` (one process),
:class:`SQLiteLedger` (a file: many processes on one machine),
:class:`PostgresLedger` (many machines). :func:`open_ledger` makes one from a
path or URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ..errors import LedgerError
from .base import (
    DEFAULT_LEASE,
    SCHEMA_VERSION,
    Ledger,
    LedgerEntry,
    Owner,
    dump_publication,
    load_publication,
)
from .memory import MemoryLedger

if TYPE_CHECKING:
    from .postgres import PostgresLedger
    from .sqlite import SQLiteLedger

__all__ = [
    "DEFAULT_LEASE",
    "SCHEMA_VERSION",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "MemoryLedger",
    "Owner",
    "PostgresLedger",
    "SQLiteLedger",
    "dump_publication",
    "load_publication",
    "open_ledger",
]

_BACKENDS = {"PostgresLedger": "postgres", "SQLiteLedger": "sqlite"}
"""Imported on first use: a publisher without a file or database ledger never loads their SQL."""


__getattr__ = lazy_names(__name__, _BACKENDS, globals())


_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SQLITE_SCHEME = "sqlite:///"


def open_ledger(value: Ledger | str | Path | None) -> Ledger | None:
    """A ledger from what an app passed: an object, a file path, ``sqlite:///path``, ``postgresql://…``.

    ``sqlite:///ledger.db`` is relative to the working directory and
    ``sqlite:////var/lib/ledger.db`` absolute, as in SQLAlchemy.
    """
    if value is None:
        return None
    from .postgres import PostgresLedger
    from .sqlite import SQLiteLedger

    if isinstance(value, Path):
        return SQLiteLedger(value)
    if isinstance(value, str):
        if value.startswith(_POSTGRES_SCHEMES):
            return PostgresLedger(value)
        if value.startswith(_SQLITE_SCHEME):
            return SQLiteLedger(value[len(_SQLITE_SCHEME) :])
        if "://" in value:
            scheme = value.partition("://")[0]
            raise LedgerError(
                f"ledger: unknown scheme {scheme!r}; use a file path, sqlite:///path or postgresql://…"
            )
        return SQLiteLedger(value)
    return value
