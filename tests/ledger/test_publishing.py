"""The publishers on every ledger backend: exclusive sends, newest states, subsets, loud failures."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import httpx
import pytest

from core.fakes import FULL, KEY, FakeAdapter, Vendor, published, video_post
from postmux import (
    AsyncPublisher,
    LedgerError,
    Post,
    Publication,
    Publisher,
    Secret,
    Status,
    Target,
    TransportError,
    ValidationError,
)
from postmux.flow import Flow
from postmux.ledger import Ledger, LedgerEntry, MemoryLedger, Owner, SQLiteLedger, sql

from .conftest import Store


def processing_then_published(*accounts: str) -> dict[str, object]:
    routes: dict[str, object] = {"POST /posts": published}
    for a in accounts:
        routes[f"GET /posts/p-{a}"] = httpx.Response(
            200, json={"id": f"p-{a}", "status": "published", "url": f"https://t/{a}"}
        )
    return routes


def pub_with(vendor: Vendor, ledger: Ledger | str) -> Publisher:
    return Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=ledger)


def test_a_rerun_after_wait_returns_the_published_state(store: Store) -> None:
    vendor = Vendor(processing_then_published("a", "b"))
    post = video_post("tiktok:a", "tiktok:b")
    with pub_with(vendor, store.open()) as pub:
        first = pub.publish(post)
        assert [p.status for p in first] == [Status.PROCESSING, Status.PROCESSING]
        done = pub.wait(first, timeout=5, interval=0)
        assert [p.status for p in done] == [Status.PUBLISHED, Status.PUBLISHED]
    with pub_with(vendor, store.open()) as again:
        rerun = again.publish(post)
    assert [p.status for p in rerun] == [Status.PUBLISHED, Status.PUBLISHED]
    assert [p.url for p in rerun] == ["https://t/a", "https://t/b"]
    assert vendor.count("POST /posts") == 2


def test_status_records_the_newest_state(store: Store) -> None:
    vendor = Vendor(processing_then_published("a"))
    post = video_post("tiktok:a")
    with pub_with(vendor, store.open()) as pub:
        (first,) = pub.publish(post)
        assert pub.status(first).status is Status.PUBLISHED
        (rerun,) = pub.publish(post)
    assert rerun.status is Status.PUBLISHED
    assert vendor.count("POST /posts") == 1


async def test_async_wait_records_the_newest_state(store: Store) -> None:
    vendor = Vendor(processing_then_published("a"))
    post = video_post("tiktok:a")
    ledger = store.open()
    async with AsyncPublisher(FakeAdapter(), Secret(KEY), client=vendor.async_client(), ledger=ledger) as pub:
        first = await pub.publish(post)
        await pub.wait(first, timeout=5, interval=0)
        (rerun,) = await pub.publish(post)
    assert rerun.status is Status.PUBLISHED
    assert vendor.count("POST /posts") == 1


def test_threads_publishing_one_post_send_each_target_once(store: Store) -> None:
    vendor = Vendor({"POST /posts": published})
    accounts = [f"acc{i}" for i in range(30)]
    post = video_post(*(f"tiktok:{a}" for a in accounts))

    def job(_: int) -> list[Publication]:
        with pub_with(vendor, store.open()) as pub:
            return list(pub.publish(post))

    with ThreadPoolExecutor(6) as pool:
        reports = list(pool.map(job, range(6)))
    sent = [b["account"] for b in vendor.bodies()]
    assert sorted(sent) == sorted(accounts)
    for report in reports:
        for p in report:
            assert p.status is Status.PROCESSING or p.error_code == "claimed_elsewhere"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_subset_of_targets_is_its_own_job_under_the_same_keys(store: Store, mode: str) -> None:
    import asyncio

    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a", "tiktok:b", "instagram:c", "tiktok:d")
    ledger = store.open()

    def publish(targets: Sequence[Target | str] | None) -> list[Publication]:
        if mode == "sync":
            with pub_with(vendor, ledger) as pub:
                return list(pub.publish(post, targets=targets))

        async def run() -> list[Publication]:
            async with AsyncPublisher(
                FakeAdapter(), Secret(KEY), client=vendor.async_client(), ledger=ledger
            ) as apub:
                return list(await apub.publish(post, targets=targets))

        return asyncio.run(run())

    part = publish(["tiktok:d", Target("tiktok", "a")])
    assert [p.target for p in part] == [Target("tiktok", "d"), Target("tiktok", "a")]
    assert all(p.post_key == post.ledger_key for p in part)
    whole = publish(None)
    assert [p.target.account for p in whole] == ["a", "b", "c", "d"]
    assert sorted(b["account"] for b in vendor.bodies()) == ["a", "b", "c", "d"]
    assert [p.id for p in publish(["instagram:c"])] == ["p-c"]
    assert vendor.count("POST /posts") == 4


class TextPerTarget(FakeAdapter):
    """The fake vendor, taking a text of its own for each TikTok target (as every real vendor does)."""

    capabilities = attrs.evolve(
        FULL, platforms={**FULL.platforms, "tiktok": attrs.evolve(FULL.platforms["tiktok"], target_text=True)}
    )


def test_a_subset_of_a_post_with_a_text_per_target_keeps_the_whole_posts_key(store: Store) -> None:
    vendor = Vendor({"POST /posts": published})
    post = Post(
        text="hello",
        media=["https://cdn.example.com/clip.mp4"],
        targets=[Target("tiktok", "a", text="for a"), Target("tiktok", "b")],
    )
    ledger = store.open()
    with Publisher(TextPerTarget(), Secret(KEY), client=vendor.client(), ledger=ledger) as pub:
        (part,) = pub.publish(post, targets=["tiktok:b"])  # a job's share: not the target with a text
        whole = pub.publish(post)  # the whole cross-post: b is the subset's, not sent again
    assert sorted(b["account"] for b in vendor.bodies()) == ["a", "b"]
    assert [p.post_key for p in (part, *whole)] == [post.ledger_key] * 3


def test_a_subset_names_a_target_with_a_text_of_its_own_by_platform_and_account(store: Store) -> None:
    vendor = Vendor({"POST /posts": published})
    own = Target("tiktok", "a", text="for a")
    post = Post(text="hello", media=["https://cdn.example.com/clip.mp4"], targets=[own, "tiktok:b"])
    with Publisher(TextPerTarget(), Secret(KEY), client=vendor.client(), ledger=store.open()) as pub:
        (part,) = pub.publish(post, targets=["tiktok:a"])  # a string carries no text: the post's own is sent
        with pytest.raises(ValidationError, match="not one of the post's targets"):
            pub.publish(post, targets=[Target("tiktok", "a", text="another")])  # a text the post lacks
    assert part.target == own
    assert vendor.count("POST /posts") == 1


def test_a_subset_must_name_the_posts_own_targets() -> None:
    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a", "tiktok:b")
    with pub_with(vendor, MemoryLedger()) as pub:
        with pytest.raises(ValidationError) as info:
            pub.publish(post, targets=["tiktok:a", "tiktok:zzz", "tiktok:a"])
        fields = [p.field for p in info.value.problems]
        assert fields == ["targets[1]", "targets[2]"]
        with pytest.raises(ValidationError, match="no target chosen"):
            pub.publish(post, targets=[])
    assert vendor.count("POST /posts") == 0


class StageFails(FakeAdapter):
    def stage(self, post: Post, routes: Sequence[Any]) -> Flow[tuple[str, ...]]:
        yield self.request("POST", "/media")
        raise AssertionError("unreachable")


def test_a_failed_upload_gives_the_claims_back(store: Store) -> None:
    vendor = Vendor({"POST /media": httpx.ReadTimeout("slow"), "POST /posts": published})
    post = video_post("tiktok:a")
    ledger = store.open()
    with Publisher(StageFails(), Secret(KEY), client=vendor.client(), ledger=ledger) as pub:
        (failed,) = pub.publish(post)  # issue 10: a staging failure is the target's outcome, not a raise
    assert failed.status is Status.FAILED
    assert isinstance(failed.exception, TransportError)
    assert ledger.lookup(post.ledger_key, "fake:tiktok:a") is None  # nothing was posted: free again
    with pub_with(vendor, ledger) as pub:
        (p,) = pub.publish(post)
    assert p.status is Status.PROCESSING


class BrokenLedger:
    """A ledger whose named operations fail (after ``after`` successful calls of each)."""

    def __init__(self, inner: Ledger, *broken: str, after: int = 0) -> None:
        self.inner = inner
        self.broken = set(broken)
        self.after = after
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()

    def _check(self, name: str) -> None:
        with self._lock:
            n = self.calls[name] = self.calls.get(name, 0) + 1
        if name in self.broken and n > self.after:
            raise LedgerError(f"ledger test: cannot {name}: disk full")

    def lookup(self, post_key: str, target_key: str) -> LedgerEntry | None:
        self._check("lookup")
        return self.inner.lookup(post_key, target_key)

    def claim(
        self, post_key: str, target_key: str, *, owner: Owner | None = None, lease: float | None = None
    ) -> bool:
        self._check("claim")
        return self.inner.claim(post_key, target_key, owner=owner, lease=lease)

    def lookup_many(self, post_key: str, target_keys: Sequence[str]) -> dict[str, LedgerEntry]:
        self._check("lookup")
        return self.inner.lookup_many(post_key, target_keys)

    def claim_many(
        self, post_key: str, target_keys: Sequence[str], *, owner: Owner, lease: float | None = None
    ) -> set[str]:
        self._check("claim")
        return self.inner.claim_many(post_key, target_keys, owner=owner, lease=lease)

    def sending(self, post_key: str, target_key: str, owner: Owner) -> bool:
        self._check("sending")
        return self.inner.sending(post_key, target_key, owner)

    def record(self, post_key: str, target_key: str, publication: Publication) -> None:
        self._check("record")
        self.inner.record(post_key, target_key, publication)

    def release(self, post_key: str, target_key: str, *, owner: Owner | None = None) -> None:
        self._check("release")
        self.inner.release(post_key, target_key, owner=owner)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize("broken", ["lookup", "claim"])
def test_a_ledger_that_cannot_claim_raises_before_anything_is_sent(store: Store, broken: str) -> None:
    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a", "tiktok:b", "tiktok:c")
    inner = store.open()
    with (
        pub_with(vendor, BrokenLedger(inner, broken)) as pub,
        pytest.raises(LedgerError, match="disk full"),
    ):
        pub.publish(post)
    assert vendor.requests == []
    assert inner.lookup_many(post.ledger_key, ["fake:tiktok:a", "fake:tiktok:b", "fake:tiktok:c"]) == {}


class RacedThenBroken(BrokenLedger):
    """Another worker takes ``tiktok:b`` just before our claim; then the ledger breaks."""

    def claim_many(
        self, post_key: str, target_keys: Sequence[str], *, owner: Owner, lease: float | None = None
    ) -> set[str]:
        self.inner.claim(post_key, "fake:tiktok:b", owner=Owner("rival", 1, "run-rival"))
        return super().claim_many(post_key, target_keys, owner=owner, lease=lease)


def test_claims_won_before_the_ledger_broke_are_given_back(store: Store) -> None:
    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a", "tiktok:b", "tiktok:c")
    inner = store.open()
    with (
        pub_with(vendor, RacedThenBroken(inner, "lookup", after=1)) as pub,
        pytest.raises(LedgerError, match="disk full"),
    ):
        pub.publish(post)
    assert vendor.requests == []
    left = inner.lookup_many(post.ledger_key, ["fake:tiktok:a", "fake:tiktok:b", "fake:tiktok:c"])
    assert list(left) == ["fake:tiktok:b"]  # ours given back; the rival's kept
    assert left["fake:tiktok:b"].owner == Owner("rival", 1, "run-rival")


class LockedOnSecondChunk(SQLiteLedger):
    """An SQLite file another process kept locked past the busy timeout on the second claim statement."""

    claims = 0

    def _run(self, what: str, sql: str, params: Any, *, durable: bool = False) -> Any:
        if what == "claim":
            self.claims += 1
            if self.claims == 2:
                raise LedgerError(f"ledger {self.path}: cannot claim: database is locked")
        return super()._run(what, sql, params, durable=durable)


def test_claims_of_a_batch_won_before_a_later_batch_failed_are_given_back(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "CHUNK", 2)  # a cross-post to 4 accounts claims as one to 1,000 does
    vendor = Vendor({"POST /posts": published})
    accounts = ["a", "b", "c", "d"]
    post = video_post(*(f"tiktok:{a}" for a in accounts))
    ledger = LockedOnSecondChunk(tmp_path / "ledger.db")
    with pub_with(vendor, ledger) as pub:
        with pytest.raises(LedgerError, match="locked"):
            pub.publish(post)
        assert vendor.requests == []
        assert ledger.lookup_many(post.ledger_key, [f"fake:tiktok:{a}" for a in accounts]) == {}
        report = pub.publish(post)  # the lock is gone: every target is this run's to send
    assert [p.status for p in report] == [Status.PROCESSING] * 4
    assert sorted(b["account"] for b in vendor.bodies()) == accounts


def test_a_ledger_that_cannot_record_after_sending_loses_no_outcome(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a", "tiktok:b")
    inner = store.open()
    with (
        caplog.at_level(logging.ERROR, logger="postmux"),
        pub_with(vendor, BrokenLedger(inner, "record")) as pub,
    ):
        report = pub.publish(post)
    assert [p.status for p in report] == [Status.PROCESSING, Status.PROCESSING]
    assert [p.id for p in report] == ["p-a", "p-b"]
    for p in report:
        assert "the ledger did not record this outcome" in (p.error or "")
        assert "disk full" in (p.error or "")
        assert isinstance(p.exception, LedgerError)
    assert caplog.text.count("the ledger did not record this outcome") == 2
    with pub_with(vendor, inner) as again:
        rerun = again.publish(post)
    assert [p.status for p in rerun] == [Status.UNKNOWN, Status.UNKNOWN]  # sent, unrecorded: in doubt
    assert vendor.count("POST /posts") == 2


def test_a_ledger_that_cannot_mark_sending_sends_nothing_for_that_target(store: Store) -> None:
    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a")
    inner = store.open()
    with pub_with(vendor, BrokenLedger(inner, "sending")) as pub:
        (p,) = pub.publish(post)
    assert p.status is Status.FAILED
    assert isinstance(p.exception, LedgerError)
    assert vendor.count("POST /posts") == 0
    assert inner.lookup(post.ledger_key, "fake:tiktok:a") is None  # given back: a re-run sends it at once
    with pub_with(vendor, inner) as pub:
        (again,) = pub.publish(post)
    assert again.status is Status.PROCESSING
    assert vendor.count("POST /posts") == 1


def test_a_publisher_closes_a_ledger_it_opened(tmp_path: Any) -> None:
    vendor = Vendor({"POST /posts": published})
    path = tmp_path / "l.db"
    pub = pub_with(vendor, f"sqlite:///{path}")
    pub.publish(video_post("tiktok:a"))
    ledger = pub.ledger
    assert ledger is not None
    pub.close()
    with pytest.raises(LedgerError, match="closed"):
        ledger.lookup("k", "t")
    mine = MemoryLedger()
    mine.record("k", "t", Publication(target=Target("tiktok", "t"), provider="fake", status=Status.PUBLISHED))
    with pub_with(vendor, mine):
        pass
    assert mine.lookup("k", "t") is not None  # a ledger the app passed is the app's to close
