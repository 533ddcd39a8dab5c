"""The neutral publication states every vendor's vocabulary is mapped onto."""

from __future__ import annotations

import enum

__all__ = ["FINAL_STATUSES", "Status"]


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
