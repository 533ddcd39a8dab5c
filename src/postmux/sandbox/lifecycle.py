"""What an emulator remembers: accounts, and publications that move through time.

A publication's phase is *computed* from the clock whenever it is read
(queued → processing → published over :class:`Timing`), not advanced by a
background task. So there is nothing to wake up or cancel, a scheduled post
"fires" exactly at its time, and a test can move time with
:meth:`Clock.advance` instead of sleeping. Nothing here knows a vendor or a
web framework.
"""

from __future__ import annotations

import enum
import math
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs

__all__ = ["Clock", "Phase", "Record", "Records", "SandboxAccount", "Timing"]


class Clock:
    """Wall-clock time (vendors speak in ISO timestamps) that tests can move forward."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, as the emulators see it."""
        with self._lock:
            return time.time() + self._offset

    def datetime(self) -> datetime:
        """:meth:`now` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), UTC)

    @staticmethod
    def iso(seconds: float) -> str:
        """A time in seconds as vendors write it: ISO 8601 in UTC (``2026-06-20T12:00:00+00:00``)."""
        return datetime.fromtimestamp(seconds, UTC).isoformat()

    def advance(self, seconds: float) -> None:
        """Move the emulators' time forward (fires scheduled posts, finishes processing).

        ``ValueError`` for a number that is not finite: a clock at NaN or infinity tells no time.
        """
        if not math.isfinite(seconds):
            raise ValueError(f"seconds: a finite number of seconds, got {seconds!r}")
        with self._lock:
            self._offset += seconds


@attrs.frozen(slots=True, kw_only=True)
class Timing:
    """How long emulated work takes, in seconds.

    ``queued`` then ``processing`` for asynchronous publications; ``qr_polls``
    is how many polls a QR login spends in each of ``new`` and ``scanned``;
    ``oauth`` is how long after an OAuth URL is issued the "person" consents
    on their own (``None``: only when the URL is opened).
    """

    queued: float = 0.5
    processing: float = 1.5
    qr_polls: int = 1
    oauth: float | None = 1.0

    @classmethod
    def instant(cls) -> Timing:
        """The tiny timings tests use: every asynchronous step takes a few milliseconds."""
        return cls(queued=0.01, processing=0.03, qr_polls=1, oauth=0.02)


class Phase(enum.StrEnum):
    """Where an emulated publication stands; each emulator maps these to its vendor's words."""

    SCHEDULED = "scheduled"
    QUEUED = "queued"
    PROCESSING = "processing"
    PUBLISHED = "published"
    INBOX = "inbox"
    FAILED = "failed"
    CANCELLED = "cancelled"


@attrs.frozen(slots=True, kw_only=True)
class SandboxAccount:
    """A seeded (or linked) account at an emulated vendor."""

    id: str
    platform: str
    username: str
    display_name: str
    active: bool = True
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.define(slots=True, kw_only=True)
class Record:
    """One publication to one account, as the emulated vendor keeps it.

    ``start`` is when work begins (creation, or the scheduled time);
    ``synchronous`` publications are done at ``start``; ``stuck`` ones never
    leave processing; ``fail_reason`` makes one end ``failed``; ``draft``
    ones end in the creator's inbox instead of being published.
    """

    id: str
    account_id: str
    platform: str
    kind: str
    created: float
    start: float
    text: str = ""
    media: tuple[str, ...] = ()
    url: str | None = None
    scheduled: bool = False
    synchronous: bool = False
    draft: bool = False
    stuck: bool = False
    fail_reason: str | None = None
    cancelled_at: float | None = None
    settled_at: float | None = None
    """When :meth:`postmux.sandbox.Sandbox.settle` cut the emulated processing short."""
    group: str | None = None
    options: dict[str, Any] = attrs.field(factory=dict)
    """The platform options as the vendor received them, in postmux's neutral names
    (``privacy``, ``allow_comment``, ``share_to_feed``…). A field the vendor could have been
    sent but was left out is absent, so a test can tell a neutral default that was sent from
    a vendor default left to apply; a field the endpoint cannot be sent at all may be filled
    with what the endpoint always does (an Instagram carousel is never a story)."""
    extra: dict[str, Any] = attrs.field(factory=dict)

    def phase(self, now: float, timing: Timing) -> Phase:
        """The phase at time ``now``."""
        if self.cancelled_at is not None and self.cancelled_at < self.start:
            return Phase.CANCELLED
        if now < self.start:
            return Phase.SCHEDULED
        done = self.finished_at(timing)
        if self.stuck:
            return Phase.QUEUED if now < self.start + timing.queued else Phase.PROCESSING
        if now < done:
            return Phase.QUEUED if now < self.start + timing.queued else Phase.PROCESSING
        if self.fail_reason is not None:
            return Phase.FAILED
        return Phase.INBOX if self.draft else Phase.PUBLISHED

    def finished_at(self, timing: Timing) -> float:
        """When the publication reached (or will reach) its final phase."""
        done = self.start if self.synchronous else self.start + timing.queued + timing.processing
        return min(done, self.settled_at) if self.settled_at is not None else done


class Records:
    """Every publication an emulator made, with the counts tests assert on."""

    def __init__(self, clock: Clock, timing: Timing) -> None:
        self.clock = clock
        self.timing = timing
        self._items: dict[str, Record] = {}
        self._lock = threading.RLock()

    def add(self, record: Record) -> Record:
        """Keep a new publication."""
        with self._lock:
            self._items[record.id] = record
        return record

    def get(self, record_id: str) -> Record | None:
        """The publication with this id, if any."""
        with self._lock:
            return self._items.get(record_id)

    def phase(self, record: Record) -> Phase:
        """The publication's phase now."""
        return record.phase(self.clock.now(), self.timing)

    def __iter__(self) -> Iterator[Record]:
        with self._lock:
            items = list(self._items.values())
        return iter(items)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def count(self, account_id: str | None = None, phase: Phase = Phase.PUBLISHED) -> int:
        """How many publications are in ``phase`` now (for one account, or all)."""
        now = self.clock.now()
        return sum(
            1
            for r in self
            if (account_id is None or r.account_id == account_id) and r.phase(now, self.timing) is phase
        )

    def published(self, account_id: str | None = None) -> int:
        """How many posts really went out (to one account, or in all) — for "exactly once"."""
        return self.count(account_id, Phase.PUBLISHED)

    def waiting(self) -> list[Record]:
        """The publications waiting for their time (scheduled, not cancelled), soonest first."""
        now = self.clock.now()
        found = [r for r in self if r.phase(now, self.timing) is Phase.SCHEDULED]
        return sorted(found, key=lambda r: r.start)

    def settle(self) -> int:
        """Finish now every publication still queued or processing (not stuck, not scheduled ahead).

        Returns how many were finished. Scheduled posts keep their time (move
        the clock to fire them); ``stuck`` ones stay stuck, as their fault says.
        """
        now = self.clock.now()
        finished = 0
        with self._lock:
            for record in self._items.values():
                if record.stuck or record.cancelled_at is not None or now < record.start:
                    continue
                if now < record.finished_at(self.timing):
                    record.settled_at = now
                    finished += 1
        return finished

    def cancel(self, record: Record) -> bool:
        """Cancel a publication that has not started; False when it is too late."""
        with self._lock:
            now = self.clock.now()
            if record.cancelled_at is not None:
                return True
            if now >= record.start:
                return False
            record.cancelled_at = now
            return True
