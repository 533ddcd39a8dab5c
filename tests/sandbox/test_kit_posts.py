"""The emulator kit's fan-out posts, record projections and scheduled lists, on the kit alone."""

from __future__ import annotations

from typing import Any

import pytest

from postmux.sandbox import Clock, Phase, Record, Timing
from postmux.sandbox.kit import Rejected, record_json, shown
from postmux.sandbox.lifecycle import Records
from postmux.sandbox.posts import Post, Posts

WORDS = {
    Phase.SCHEDULED: "scheduled",
    Phase.QUEUED: "pending",
    Phase.PROCESSING: "publishing",
    Phase.PUBLISHED: "published",
    Phase.INBOX: "published",
    Phase.FAILED: "failed",
    Phase.CANCELLED: "draft",
}
TIMING = Timing(queued=10, processing=20)


def _records() -> Records:
    return Records(Clock(), TIMING)


def _record(records: Records, name: str, *, start: float | None = None, **more: Any) -> Record:
    now = records.clock.now()
    fields: dict[str, Any] = {"id": name, "account_id": "a1", "platform": "tiktok", "kind": "video"}
    scheduled = start is not None and start > now
    fields |= {"created": now, "start": now if start is None else start, "scheduled": scheduled}
    return records.add(Record(**(fields | more)))


def _posts(records: Records) -> Posts:
    busy = ("publishing", "pending", "scheduled")
    return Posts(records, WORDS, busy=busy, mixed="partial", started="too late")


def _post(posts: Posts, name: str, *records: Record, refused: tuple[tuple[str, str], ...] = ()) -> Post:
    return posts.add(
        Post(id=name, created=posts.records.clock.now(), records=list(records), refused=list(refused))
    )


def test_a_posts_status_is_its_targets_word_a_busy_one_or_the_mixed_word() -> None:
    records = _records()
    posts = _posts(records)
    done = _record(records, "r1", synchronous=True)
    failed = _record(records, "r2", synchronous=True, fail_reason="nope")
    moving = _record(records, "r3")  # asynchronous: pending, then publishing
    assert posts.status(_post(posts, "p1", done)) == "published"
    assert posts.status(_post(posts, "p2", done, failed)) == "partial"
    assert posts.status(_post(posts, "p3", done, refused=(("threads", "expired"),))) == "partial"
    assert posts.status(_post(posts, "p4", refused=(("threads", "expired"),))) == "failed"  # refused: failed
    assert posts.status(_post(posts, "p5", done, moving)) == "pending"
    records.clock.advance(15)
    assert posts.status(posts["p5"]) == "publishing"
    assert list(posts) == ["p1", "p2", "p3", "p4", "p5"]  # a mapping of ids, oldest first
    assert "p3" in posts
    assert posts.get("nope") is None
    assert posts["p3"].platforms == {"tiktok", "threads"}


def test_scheduled_posts_are_listed_soonest_first_moved_and_cancelled_together() -> None:
    records = _records()
    posts = _posts(records)
    now = records.clock.now()
    later = _post(
        posts, "later", _record(records, "a", start=now + 300), _record(records, "b", start=now + 300)
    )
    sooner = _post(posts, "sooner", _record(records, "c", start=now + 100))
    _post(posts, "now", _record(records, "d", synchronous=True))
    assert [p.id for p in posts.waiting()] == ["sooner", "later"]
    assert later.scheduled_at == now + 300
    assert posts["now"].scheduled_at is None
    posts.reschedule(later, now + 50)
    assert [r.start for r in later.records] == [now + 50, now + 50]
    assert [p.id for p in posts.waiting()] == ["later", "sooner"]
    posts.cancel(later)
    assert [records.phase(r) for r in later.records] == [Phase.CANCELLED, Phase.CANCELLED]
    assert posts.status(later) == "draft"
    assert [p.id for p in posts.waiting()] == ["sooner"]
    with pytest.raises(Rejected) as again:
        posts.cancel(later)
    assert (again.value.status, again.value.message) == (409, "Post is no longer scheduled")
    with pytest.raises(Rejected) as moved:
        posts.reschedule(later, now + 500)
    assert (moved.value.status, moved.value.message) == (409, "Post is no longer scheduled")
    records.clock.advance(150)  # sooner has started
    with pytest.raises(Rejected) as late:
        posts.cancel(sooner)
    assert (late.value.status, late.value.message) == (409, "too late")
    assert posts.scheduled("sooner") is sooner  # it was scheduled: found, only too late
    for missing in ("now", "nope"):
        with pytest.raises(Rejected) as gone:
            posts.scheduled(missing)
        assert (gone.value.status, gone.value.message) == (404, "Scheduled post not found")


def test_records_waiting_are_the_scheduled_ones_soonest_first() -> None:
    records = _records()
    now = records.clock.now()
    _record(records, "b", start=now + 200)
    _record(records, "a", start=now + 100)
    _record(records, "now")
    gone = _record(records, "c", start=now + 300)
    records.cancel(gone)
    assert [r.id for r in records.waiting()] == ["a", "b"]
    records.clock.advance(150)
    assert [r.id for r in records.waiting()] == ["b"]


SHAPE = {
    "id": shown("id"),
    "type": "post",
    "status": WORDS,
    "link": shown("url", Phase.PUBLISHED),
    "error": shown("fail_reason", Phase.FAILED, omit=True),
    "number": shown("extra.number", Phase.PUBLISHED, Phase.INBOX),
    "createdAt": shown("created"),
    "startsAt": shown("start"),
    "doneAt": shown("finished", Phase.PUBLISHED),
    "done": {phase: phase is Phase.PUBLISHED for phase in Phase},
}


def test_a_record_is_shown_key_by_key_from_a_declared_table() -> None:
    records = _records()
    record = _record(records, "r1", url="https://x.test/1", extra={"number": 7})
    created = Clock.iso(record.created)
    queued = record_json(SHAPE, record, records.phase(record), TIMING)
    assert queued == {
        "id": "r1",
        "type": "post",
        "status": "pending",
        "link": None,
        "number": None,
        "createdAt": created,
        "startsAt": created,
        "doneAt": None,
        "done": False,
    }  # no "error": left out, not None, outside its phases
    records.clock.advance(60)
    published = record_json(SHAPE, record, records.phase(record), TIMING)
    assert published["status"] == "published"
    assert published["link"] == "https://x.test/1"
    assert published["number"] == 7
    assert published["doneAt"] == Clock.iso(record.start + 30)
    assert published["done"] is True
    failed = _record(records, "r2", synchronous=True, fail_reason="too long")
    assert record_json(SHAPE, failed, records.phase(failed), TIMING)["error"] == "too long"


def test_clock_iso_writes_seconds_as_utc_iso_8601() -> None:
    assert Clock.iso(0) == "1970-01-01T00:00:00+00:00"
    assert Clock.iso(86400.5) == "1970-01-02T00:00:00.500000+00:00"
