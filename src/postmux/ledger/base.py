"""What every ledger backend shares: the protocol, its entries, owners and leases.

A target's row moves through three phases:

``claimed``
    One caller owns the target (insert-if-absent, in one statement) and may be
    uploading its media; nothing of the post itself has left. If the owner dies
    here, its claim may be taken over once the lease has expired.
``sending``
    The owner marked the target just before the first byte of the publish
    request left, and only if it still held the claim; the mark renews the
    claim's lease, as long again, from then. From here on, a claim without an
    outcome is *in doubt*: never sent again on its own.
``recorded``
    The outcome is stored. ``failed`` means the vendor refused it, so it may be
    claimed again; anything else is returned by later runs as it is.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple, Protocol, runtime_checkable

from ..results import Publication
from ..status import Status

__all__ = [
    "CLAIMED",
    "DEFAULT_LEASE",
    "RECORDED",
    "SCHEMA_VERSION",
    "SENDING",
    "Ledger",
    "LedgerEntry",
    "Owner",
    "dump_publication",
    "load_publication",
]

DEFAULT_LEASE = 300.0
"""Seconds a claim stays live without an outcome: long enough to upload a large video.

A lease never lets two callers send: a claim can be taken over only while
nothing of the post was sent, and the owner checks it still holds the claim
before it sends. The lease only decides when a dead owner's unsent targets may
be taken over, and whether an unrecorded claim reads ``claimed_elsewhere``
(live) or in doubt (expired). Marking a claim *sending* starts its lease again,
so an in-doubt claim's lease ends one lease after its request left (when a
re-run's :class:`~postmux.reconcile.Attempt` says it was sent), however long
its media took to upload."""

SCHEMA_VERSION = 2
"""The version of the tables a SQL ledger keeps (1: the single-table ledger of postmux 0.1)."""

CLAIMED = "claimed"
SENDING = "sending"
RECORDED = "recorded"


class Owner(NamedTuple):
    """Who holds a claim: the machine, the process and one run (a ``publish()`` call) in it.

    A NamedTuple (one is made every publish): equality, hash and repr as an
    attrs class would have, at a fraction of the cost to define and to make.
    """

    host: str
    pid: int
    run_id: str

    @classmethod
    def here(cls) -> Owner:
        """A fresh owner for one run in this process (a new random run id each time).

        The run id is 64 random bits in hex, as the first half of a ``uuid4`` was,
        without making a ``UUID`` on every publish.
        """
        return cls(socket.gethostname(), os.getpid(), os.urandom(8).hex())

    def __str__(self) -> str:
        return f"{self.host} pid {self.pid} run {self.run_id}"


class LedgerEntry(NamedTuple):
    """A target's row: its outcome once recorded, and who claimed it until when (a NamedTuple, as Owner)."""

    post_key: str
    target_key: str
    publication: Publication | None
    phase: str = RECORDED
    owner: Owner | None = None
    expires_at: float | None = None
    """When the claim's lease runs out, in seconds since the epoch (``None``: no lease)."""
    sent_at: float | None = None
    """In phase ``sending``: when the owner marked it so, just before its request left, in seconds
    since the epoch (``None``: another phase, or a backend that does not say)."""

    def claimable(self, now: float) -> bool:
        """True when a claim may take this row: a refused outcome, or a dead owner's unsent claim."""
        if self.phase == RECORDED:
            return self.publication is not None and self.publication.status is Status.FAILED
        return self.phase == CLAIMED and self.expires_at is not None and self.expires_at <= now

    def live(self, now: float) -> bool:
        """True while a claim without an outcome is within its lease."""
        return self.publication is None and self.expires_at is not None and now < self.expires_at

    @property
    def lease_end(self) -> str:
        """The lease's end as an ISO time, for messages."""
        if self.expires_at is None:
            return "no lease"
        return datetime.fromtimestamp(self.expires_at, UTC).isoformat(timespec="seconds")


@runtime_checkable
class Ledger(Protocol):
    """Where claims and outcomes are kept; every method is atomic on its own.

    Implementations raise :class:`~postmux.LedgerError` (never a driver's own
    exception) when they cannot answer.
    """

    def lookup(self, post_key: str, target_key: str) -> LedgerEntry | None:
        """The entry for a target of a post, if any."""
        ...

    def claim(
        self, post_key: str, target_key: str, *, owner: Owner | None = None, lease: float | None = None
    ) -> bool:
        """True when the caller now owns the target: it was free, last failed, or its owner died unsent."""
        ...

    def lookup_many(self, post_key: str, target_keys: Sequence[str]) -> dict[str, LedgerEntry]:
        """:meth:`lookup` for many targets of one post at once (absent ones are left out)."""
        ...

    def claim_many(
        self, post_key: str, target_keys: Sequence[str], *, owner: Owner, lease: float | None = None
    ) -> set[str]:
        """:meth:`claim` for many targets of one post in one go; the keys ``owner`` now holds.

        Each target's claim is as atomic and exclusive as a single one; doing
        them together only spares round trips (a 1,000-target cross-post claims
        in one statement).
        """
        ...

    def sending(self, post_key: str, target_key: str, owner: Owner) -> bool:
        """Mark an owned claim as being sent; False (send nothing) when ``owner`` no longer holds it."""
        ...

    def record(self, post_key: str, target_key: str, publication: Publication) -> None:
        """Store the newest outcome (after sending, or a refreshed status)."""
        ...

    def release(self, post_key: str, target_key: str, *, owner: Owner | None = None) -> None:
        """Forget a target so it can be sent again.

        Without ``owner``: whatever its state (after a human checked it is not
        live). With ``owner``: only that owner's claim on which nothing was sent.
        """
        ...

    def close(self) -> None:
        """Let go of files and connections."""
        ...


def dump_publication(p: Publication) -> str:
    """A publication as JSON, without its exception and with ``raw`` kept."""
    return json.dumps(p.to_dict(), default=str)


def load_publication(text: str) -> Publication:
    """The inverse of :func:`dump_publication`."""
    return Publication.from_dict(json.loads(text))
