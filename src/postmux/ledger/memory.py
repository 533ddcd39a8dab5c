"""A ledger in memory: the same claims and leases as the SQL ledgers, for one process."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from ..results import Publication
from .base import CLAIMED, DEFAULT_LEASE, RECORDED, SENDING, LedgerEntry, Owner

__all__ = ["MemoryLedger"]


class MemoryLedger:
    """Guards against double sends between the threads and tasks of one process (tests, short jobs)."""

    def __init__(self, *, lease: float = DEFAULT_LEASE) -> None:
        self.lease = lease
        self._entries: dict[tuple[str, str], LedgerEntry] = {}
        self._leases: dict[tuple[str, str], float] = {}
        """Each claim's lease length, renewed from when its request leaves (:meth:`sending`)."""
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<MemoryLedger entries={len(self._entries)}>"

    def now(self) -> float:
        """The time leases are measured by: this process's clock."""
        return time.time()

    def lookup(self, post_key: str, target_key: str) -> LedgerEntry | None:
        with self._lock:
            return self._entries.get((post_key, target_key))

    def claim(
        self, post_key: str, target_key: str, *, owner: Owner | None = None, lease: float | None = None
    ) -> bool:
        now = time.time()
        with self._lock:
            entry = self._entries.get((post_key, target_key))
            if entry is not None and not entry.claimable(now):
                return False
            length = self.lease if lease is None else lease
            self._leases[(post_key, target_key)] = length
            self._entries[(post_key, target_key)] = LedgerEntry(
                post_key,
                target_key,
                None,
                phase=CLAIMED,
                owner=owner or Owner.here(),
                expires_at=now + length,
            )
            return True

    def lookup_many(self, post_key: str, target_keys: Sequence[str]) -> dict[str, LedgerEntry]:
        with self._lock:
            found = {k: self._entries.get((post_key, k)) for k in target_keys}
        return {k: e for k, e in found.items() if e is not None}

    def claim_many(
        self, post_key: str, target_keys: Sequence[str], *, owner: Owner, lease: float | None = None
    ) -> set[str]:
        return {k for k in dict.fromkeys(target_keys) if self.claim(post_key, k, owner=owner, lease=lease)}

    def sending(self, post_key: str, target_key: str, owner: Owner) -> bool:
        with self._lock:
            entry = self._entries.get((post_key, target_key))
            if entry is None or entry.phase != CLAIMED or entry.owner != owner:
                return False
            # the claim's lease, as long again, from when the request leaves (as the SQL ledgers do)
            length = self._leases.get((post_key, target_key), self.lease)
            now = time.time()
            self._entries[(post_key, target_key)] = entry._replace(
                phase=SENDING, expires_at=now + length, sent_at=now
            )
            return True

    def record(self, post_key: str, target_key: str, publication: Publication) -> None:
        with self._lock:
            entry = self._entries.get((post_key, target_key))
            owner, expires = (entry.owner, entry.expires_at) if entry is not None else (None, None)
            self._entries[(post_key, target_key)] = LedgerEntry(
                post_key, target_key, publication, phase=RECORDED, owner=owner, expires_at=expires
            )

    def release(self, post_key: str, target_key: str, *, owner: Owner | None = None) -> None:
        with self._lock:
            entry = self._entries.get((post_key, target_key))
            if entry is None:
                return
            if owner is None or (entry.phase == CLAIMED and entry.owner == owner):
                del self._entries[(post_key, target_key)]
                self._leases.pop((post_key, target_key), None)

    def close(self) -> None:
        """Nothing to close; kept so every ledger can be closed alike."""
