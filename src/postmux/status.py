"""The neutral states every vendor's vocabulary is mapped onto: a publication's, an account's, a link's.

:class:`ConnectStatus` lives here rather than in :mod:`postmux.connect`, and
:class:`AccountStatus` rather than in :mod:`postmux.accounts` (both still
importable from there), so that a plugin's vocabulary can name them without
importing the linking or the account code, which a publish never needs.
"""

from __future__ import annotations

import enum

__all__ = ["FINAL_STATUSES", "AccountStatus", "ConnectStatus", "Status"]


class AccountStatus(enum.StrEnum):
    """Whether postmux can publish to an account now."""

    ACTIVE = "active"
    EXPIRED = "expired"
    RECONNECT_REQUIRED = "reconnect_required"
    UNKNOWN = "unknown"


class Status(enum.StrEnum):
    """Where a publication stands.

    ``unknown`` means the request may or may not have reached the platform (a
    timeout after sending, a dropped connection): postmux never resends it on
    its own; ``reconcile`` or a human decides.
    """

    QUEUED = "queued"
    SCHEDULED = "scheduled"
    PROCESSING = "processing"
    PUBLISHED = "published"
    INBOX = "inbox"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """True when polling cannot change it any more."""
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({Status.PUBLISHED, Status.INBOX, Status.FAILED, Status.CANCELLED})


class ConnectStatus(enum.StrEnum):
    """Where a link attempt stands."""

    PENDING = "pending"
    SCANNED = "scanned"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    USED = "used"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        """True when polling will not change it."""
        return self in (
            ConnectStatus.CONFIRMED,
            ConnectStatus.EXPIRED,
            ConnectStatus.USED,
            ConnectStatus.FAILED,
        )
