"""What the SQLite and PostgreSQL ledgers share: one schema, one set of statements, one logic.

Each statement is atomic on its own, so no transaction spans a network round
trip: ``claim`` is an insert-if-absent whose ``ON CONFLICT`` branch takes a row
over only when it is claimable (a refused outcome, or a dead owner's claim on
which nothing was sent), and ``RETURNING`` says whether this caller won.
The backends differ only in how parameters are written, where "now" comes
from, and how their driver's errors become :class:`~postmux.LedgerError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .._eq import fields_eq, fields_hash
from .._repr import fields_repr
from ..errors import LedgerError
from ..results import Publication
from .base import (
    CLAIMED,
    DEFAULT_LEASE,
    RECORDED,
    SCHEMA_VERSION,
    SENDING,
    LedgerEntry,
    Owner,
    dump_publication,
    load_publication,
)

__all__ = ["SQLLedger", "Statements"]

Rows = list[tuple[Any, ...]]

TABLES = (
    "CREATE TABLE IF NOT EXISTS postmux_schema (version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS postmux_ledger ("
    " post_key TEXT NOT NULL, target_key TEXT NOT NULL, phase TEXT NOT NULL,"
    " status TEXT, publication TEXT, owner_host TEXT, owner_pid INTEGER, run_id TEXT,"
    " claimed_at DOUBLE PRECISION, expires_at DOUBLE PRECISION, updated_at DOUBLE PRECISION,"
    " PRIMARY KEY (post_key, target_key))",
)


@attrs.frozen(slots=True)
class Statements:
    """The ledger's statements in one dialect: ``param`` writes a named parameter, ``now`` the time."""

    claim: str
    sending: str
    record: str
    lookup: str
    release: str
    release_owned: str
    param: Callable[[str], str]
    now: str

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def claim_many(self, count: int) -> str:
        """One insert-if-absent for ``count`` targets (parameters ``t0``…), returning those won."""
        return _claim(self.param, self.now, [f"t{i}" for i in range(count)], "target_key")

    def lookup_many(self, count: int) -> str:
        """The rows of ``count`` targets of one post (parameters ``t0``…)."""
        keys = ", ".join(self.param(f"t{i}") for i in range(count))
        return (
            "SELECT target_key, phase, publication, owner_host, owner_pid, run_id, expires_at, updated_at"
            f" FROM postmux_ledger WHERE post_key = {self.param('post_key')} AND target_key IN ({keys})"
        )

    @classmethod
    def build(cls, param: Callable[[str], str], now: str) -> Statements:
        """Statements for a driver whose placeholders ``param(name)`` writes, with ``now`` in seconds."""
        key = f"post_key = {param('post_key')} AND target_key = {param('target_key')}"
        return cls(
            claim=_claim(param, now, ["target_key"], "run_id"),
            sending=(  # the claim's lease, as long again, from when the request leaves (base.SENDING)
                f"UPDATE postmux_ledger SET phase = '{SENDING}', updated_at = {now},"
                f" expires_at = {now} + (expires_at - claimed_at)"
                f" WHERE {key} AND phase = '{CLAIMED}' AND run_id = {param('run_id')} RETURNING run_id"
            ),
            record=(
                "INSERT INTO postmux_ledger (post_key, target_key, phase, status, publication, updated_at)"
                f" VALUES ({param('post_key')}, {param('target_key')}, '{RECORDED}', {param('status')},"
                f" {param('publication')}, {now})"
                f" ON CONFLICT (post_key, target_key) DO UPDATE SET phase = '{RECORDED}',"
                " status = excluded.status, publication = excluded.publication,"
                " updated_at = excluded.updated_at"
            ),
            lookup=(
                "SELECT phase, publication, owner_host, owner_pid, run_id, expires_at, updated_at"
                f" FROM postmux_ledger WHERE {key}"
            ),
            release=f"DELETE FROM postmux_ledger WHERE {key}",
            release_owned=(
                f"DELETE FROM postmux_ledger WHERE {key}"
                f" AND phase = '{CLAIMED}' AND run_id = {param('run_id')}"
            ),
            param=param,
            now=now,
        )


def _sent_at(phase: str, updated: Any) -> float | None:
    """When a ``sending`` row was marked so: its last update until its outcome is recorded.

    A row a postmux 0.1 file was upgraded from keeps that version's text
    timestamp: not known, then (``None``).
    """
    if phase != SENDING or isinstance(updated, bool) or not isinstance(updated, int | float):
        return None
    return float(updated)


def _claim(param: Callable[[str], str], now: str, keys: Sequence[str], returning: str) -> str:
    """Insert-if-absent of the targets named by parameters ``keys``; an existing row is taken over
    only when claimable (a refused outcome, or an expired claim on which nothing was sent)."""
    rows = ", ".join(
        f"({param('post_key')}, {param(key)}, '{CLAIMED}', NULL, NULL, {param('host')}, {param('pid')},"
        f" {param('run_id')}, {now}, {now} + {param('lease')}, {now})"
        for key in keys
    )
    return (
        "INSERT INTO postmux_ledger (post_key, target_key, phase, status, publication,"
        " owner_host, owner_pid, run_id, claimed_at, expires_at, updated_at)"
        f" VALUES {rows}"
        f" ON CONFLICT (post_key, target_key) DO UPDATE SET phase = '{CLAIMED}', status = NULL,"
        " publication = NULL, owner_host = excluded.owner_host, owner_pid = excluded.owner_pid,"
        " run_id = excluded.run_id, claimed_at = excluded.claimed_at,"
        " expires_at = excluded.expires_at, updated_at = excluded.updated_at"
        f" WHERE postmux_ledger.status = 'failed' OR (postmux_ledger.phase = '{CLAIMED}'"
        " AND postmux_ledger.expires_at <= excluded.claimed_at)"
        f" RETURNING {returning}"
    )


class SQLLedger:
    """The ledger logic over a driver: subclasses provide :meth:`_run` and :attr:`_sql`."""

    _sql: Statements
    name: str
    """What messages call this ledger (a path, or a URL without its password)."""

    def __init__(self, *, lease: float = DEFAULT_LEASE) -> None:
        self.lease = lease

    def _run(self, what: str, sql: str, params: Mapping[str, Any], *, durable: bool = False) -> Rows:
        """Execute one statement atomically; its rows. Raises :class:`LedgerError` only.

        ``durable``: the write must be on disk when this returns (the *sending* mark).
        """
        raise NotImplementedError

    def _now(self) -> dict[str, Any]:
        """Extra parameters for ``now`` (the client's clock, where the server gives none)."""
        return {}

    def now(self) -> float:
        """The time by the clock the leases are measured on (the server's, for PostgreSQL), in seconds."""
        rows = self._run("read its clock", f"SELECT {self._sql.now}", self._now())
        return float(rows[0][0])

    def lookup(self, post_key: str, target_key: str) -> LedgerEntry | None:
        rows = self._run("look up", self._sql.lookup, {"post_key": post_key, "target_key": target_key})
        return self._entry(post_key, target_key, rows[0]) if rows else None

    def lookup_many(self, post_key: str, target_keys: Sequence[str]) -> dict[str, LedgerEntry]:
        found: dict[str, LedgerEntry] = {}
        for part in _chunks(list(dict.fromkeys(target_keys))):
            params = {"post_key": post_key, **{f"t{i}": k for i, k in enumerate(part)}}
            for row in self._run("look up", self._sql.lookup_many(len(part)), params):
                found[row[0]] = self._entry(post_key, row[0], row[1:])
        return found

    def claim_many(
        self, post_key: str, target_keys: Sequence[str], *, owner: Owner, lease: float | None = None
    ) -> set[str]:
        won: set[str] = set()
        # in one order everywhere: two runs claiming overlapping targets in different orders
        # would lock the rows crosswise (a PostgreSQL deadlock under load)
        for part in _chunks(sorted(set(target_keys))):
            params = {
                "post_key": post_key,
                "host": owner.host,
                "pid": owner.pid,
                "run_id": owner.run_id,
                "lease": float(self.lease if lease is None else lease),
                **{f"t{i}": k for i, k in enumerate(part)},
                **self._now(),
            }
            won.update(row[0] for row in self._run("claim", self._sql.claim_many(len(part)), params))
        return won

    def _entry(self, post_key: str, target_key: str, row: Sequence[Any]) -> LedgerEntry:
        phase, text, host, pid, run_id, expires, updated = row
        publication = None
        if text is not None:
            try:
                publication = load_publication(text)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:  # AttributeError: not an object
                message = f"ledger {self.name}: the entry for {post_key} {target_key} is unreadable ({exc})"
                raise LedgerError(message) from None
        owner = Owner(host, int(pid), run_id) if host is not None and pid is not None and run_id else None
        return LedgerEntry(
            post_key,
            target_key,
            publication,
            phase=phase,
            owner=owner,
            expires_at=float(expires) if expires is not None else None,
            sent_at=_sent_at(phase, updated),
        )

    def claim(
        self, post_key: str, target_key: str, *, owner: Owner | None = None, lease: float | None = None
    ) -> bool:
        owner = owner or Owner.here()
        params = {
            "post_key": post_key,
            "target_key": target_key,
            "host": owner.host,
            "pid": owner.pid,
            "run_id": owner.run_id,
            "lease": float(self.lease if lease is None else lease),
            **self._now(),
        }
        return bool(self._run("claim", self._sql.claim, params))

    def sending(self, post_key: str, target_key: str, owner: Owner) -> bool:
        params = {"post_key": post_key, "target_key": target_key, "run_id": owner.run_id, **self._now()}
        return bool(self._run("mark as sending", self._sql.sending, params, durable=True))

    def record(self, post_key: str, target_key: str, publication: Publication) -> None:
        params = {
            "post_key": post_key,
            "target_key": target_key,
            "status": publication.status.value,
            "publication": dump_publication(publication),
            **self._now(),
        }
        self._run("record", self._sql.record, params)

    def release(self, post_key: str, target_key: str, *, owner: Owner | None = None) -> None:
        params: dict[str, Any] = {"post_key": post_key, "target_key": target_key}
        if owner is None:
            self._run("release", self._sql.release, params)
        else:
            self._run("release", self._sql.release_owned, {**params, "run_id": owner.run_id})


CHUNK = 500
"""Targets per statement in the ``*_many`` operations (well under every driver's parameter limit)."""


def _chunks(keys: list[str]) -> list[list[str]]:
    return [keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK)]


def check_version(name: str, found: Sequence[tuple[Any, ...]]) -> bool:
    """True when the version row must be written; :class:`LedgerError` for a newer schema."""
    if not found:
        return True
    version = int(found[0][0])
    if version > SCHEMA_VERSION:
        raise LedgerError(
            f"ledger {name}: its schema is version {version}, newer than this postmux knows"
            f" ({SCHEMA_VERSION}); upgrade postmux"
        )
    return False


def client_now() -> dict[str, Any]:
    """``now`` from this machine's clock (SQLite: every writer is on this machine)."""
    return {"now": time.time()}
