"""The sync and async publishers over a MockTransport: order, concurrency, outcomes, waiting."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

import postmux
from postmux import (
    AsyncPublisher,
    ConnectFailedError,
    ConnectStatus,
    Post,
    Publication,
    Publisher,
    PublishReport,
    Route,
    Secret,
    Status,
    Target,
    UnsupportedError,
    ValidationError,
)
from postmux.flow import Flow
from postmux.wire import read_json

from .fakes import KEY, BatchStatusAdapter, FakeAdapter, Vendor, published, video_post

ACCOUNTS = httpx.Response(
    200,
    json=[
        {"id": "tt-1", "platform": "tiktok", "username": "brand"},
        {"id": "tt-2", "platform": "tiktok", "username": "other"},
        {"id": "ig-9", "platform": "instagram", "username": "Brand"},
    ],
)


def make(vendor: Vendor, adapter: FakeAdapter | None = None, **kwargs: Any) -> Publisher:
    sleeps: list[float] = kwargs.pop("sleeps", [])
    return Publisher(
        adapter or FakeAdapter(), Secret(KEY), client=vendor.client(), sleep=sleeps.append, **kwargs
    )


def amake(vendor: Vendor, adapter: FakeAdapter | None = None, **kwargs: Any) -> AsyncPublisher:
    sleeps: list[float] = kwargs.pop("sleeps", [])

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return AsyncPublisher(
        adapter or FakeAdapter(), Secret(KEY), client=vendor.async_client(), sleep=sleep, **kwargs
    )


def by_account(answers: dict[str, httpx.Response | Exception]) -> Any:
    """A publish handler answering per account (``published`` for the rest)."""

    def handler(request: httpx.Request) -> httpx.Response:
        account = json.loads(request.content)["account"]
        answer = answers.get(account)
        if isinstance(answer, Exception):
            raise answer
        return answer if answer is not None else published(request)

    return handler


TARGETS = ("tiktok:a", "instagram:b", "threads:c", "facebook:d", "tiktok:e")


# -- order and shape ------------------------------------------------------------


def check_order(report: PublishReport, post: Post) -> None:
    assert [p.target for p in report] == list(post.targets)
    assert [p.id for p in report] == ["p-a", "p-b", "p-c", "p-d", "p-e"]
    assert all(p.status is Status.PROCESSING and p.provider == "fake" for p in report)
    assert all(p.post_key == post.key for p in report)  # no ledger: only an explicit key is stamped
    assert [p.account_id for p in report] == ["a", "b", "c", "d", "e"]
    assert report.ok


def test_one_publication_per_target_in_order() -> None:
    vendor = Vendor({"POST /posts": published})
    post = video_post(*TARGETS)
    with make(vendor) as pub:
        report = pub.publish(post)
    check_order(report, post)
    assert sorted(b["account"] for b in vendor.bodies()) == ["a", "b", "c", "d", "e"]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in vendor.requests)


async def test_async_one_publication_per_target_in_order() -> None:
    vendor = Vendor({"POST /posts": published})
    post = video_post(*TARGETS)
    async with amake(vendor) as pub:
        report = await pub.publish(post)
    check_order(report, post)
    assert vendor.count("POST /posts") == 5


# -- concurrency ----------------------------------------------------------------


class Gate:
    """Holds each request until ``n`` are in flight at once (or a timeout), and records the peak."""

    def __init__(self, n: int, timeout: float = 5.0) -> None:
        self.n = n
        self.timeout = timeout
        self.in_flight = 0
        self.peak = 0
        self.cond = threading.Condition()
        self.reached = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.cond:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            if self.in_flight >= self.n:
                self.reached = True
                self.cond.notify_all()
            self.cond.wait_for(lambda: self.reached, timeout=self.timeout)
            self.in_flight -= 1
        return published(request)


class AsyncGate:
    def __init__(self, n: int, timeout: float = 5.0) -> None:
        self.n = n
        self.timeout = timeout
        self.in_flight = 0
        self.peak = 0
        self.event = asyncio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        if self.in_flight >= self.n:
            self.event.set()
        try:
            await asyncio.wait_for(self.event.wait(), self.timeout)
        finally:
            self.in_flight -= 1
        await asyncio.sleep(0)
        return published(request)


def test_concurrent_and_bounded() -> None:
    gate = Gate(3)
    vendor = Vendor({"POST /posts": gate})
    targets = [f"tiktok:acc{i}" for i in range(8)]
    with make(vendor, max_concurrency=3) as pub:
        report = pub.publish(video_post(*targets))
    assert gate.reached, "three requests were never in flight together"
    assert gate.peak == 3
    assert [p.account_id for p in report] == [f"acc{i}" for i in range(8)]


async def test_async_concurrent_and_bounded() -> None:
    gate = AsyncGate(4)
    vendor = Vendor({"POST /posts": gate})
    targets = [f"tiktok:acc{i}" for i in range(9)]
    async with amake(vendor, max_concurrency=4) as pub:
        report = await pub.publish(video_post(*targets))
    assert gate.event.is_set()
    assert gate.peak == 4
    assert [p.account_id for p in report] == [f"acc{i}" for i in range(9)]


def test_max_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        make(Vendor(), max_concurrency=0)


# -- outcomes per target ----------------------------------------------------------

FAILURES: dict[str, httpx.Response | Exception] = {
    "b": httpx.Response(422, json={"message": "caption refused", "code": "bad_caption"}),
    "c": httpx.ReadTimeout("read timed out"),
    "d": httpx.Response(500, json={"message": "internal"}),
    "e": httpx.Response(200, text="<html>oops</html>"),
}


def check_outcomes(report: PublishReport, vendor: Vendor) -> None:
    a, b, c, d, e = report.results
    assert a.status is Status.PROCESSING
    assert a.id == "p-a"
    assert b.status is Status.FAILED
    assert b.error_code == "bad_caption"
    assert "caption refused" in (b.error or "")
    assert isinstance(b.exception, postmux.InvalidRequestError)
    assert c.status is Status.UNKNOWN
    assert isinstance(c.exception, postmux.TransportError)
    assert d.status is Status.UNKNOWN
    assert isinstance(d.exception, postmux.ServerError)
    assert e.status is Status.UNKNOWN
    assert isinstance(e.exception, postmux.ResponseError)
    assert [p.target.account for p in report.failed] == ["b", "c", "d", "e"]
    assert not report.ok
    assert vendor.count("POST /posts") == 5  # nothing resent: not the timeout, not the 500
    for p in report:
        assert KEY not in (p.error or "")
        assert KEY not in repr(p)


def test_failures_stay_with_their_target() -> None:
    vendor = Vendor({"POST /posts": by_account(FAILURES)})
    with make(vendor) as pub:
        check_outcomes(pub.publish(video_post(*TARGETS)), vendor)


async def test_async_failures_stay_with_their_target() -> None:
    vendor = Vendor({"POST /posts": by_account(FAILURES)})
    async with amake(vendor) as pub:
        check_outcomes(await pub.publish(video_post(*TARGETS)), vendor)


def test_connect_error_is_failed_after_retries() -> None:
    vendor = Vendor({"POST /posts": by_account({"b": httpx.ConnectError("refused")})})
    sleeps: list[float] = []
    with make(vendor, sleeps=sleeps, retry=postmux.RetryPolicy(max_retries=2, jitter=0)) as pub:
        report = pub.publish(video_post("tiktok:a", "tiktok:b"))
    assert [p.status for p in report] == [Status.PROCESSING, Status.FAILED]
    assert sorted(sleeps) == [0.5, 1.0]


class Exploding(FakeAdapter):
    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        if routes[0].platform == "instagram":
            raise KeyError(f"no mapping for instagram {KEY}")
        return (yield from super().publish(post, routes, media))


class Miscounting(FakeAdapter):
    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        results = yield from super().publish(post, routes, media)
        return results * 2


def test_plugin_exception_is_unknown_and_others_kept() -> None:
    vendor = Vendor({"POST /posts": published})
    with make(vendor, Exploding()) as pub:
        report = pub.publish(video_post("tiktok:a", "instagram:b", "threads:c"))
    assert [p.status for p in report] == [Status.PROCESSING, Status.UNKNOWN, Status.PROCESSING]
    bad = report[1]
    assert "KeyError" in (bad.error or "")
    assert KEY not in (bad.error or "")
    assert isinstance(bad.exception, postmux.PostmuxError)
    assert isinstance(bad.exception.__cause__, KeyError)


async def test_async_plugin_exception_is_unknown() -> None:
    vendor = Vendor({"POST /posts": published})
    async with amake(vendor, Exploding()) as pub:
        report = await pub.publish(video_post("tiktok:a", "instagram:b"))
    assert [p.status for p in report] == [Status.PROCESSING, Status.UNKNOWN]


def test_wrong_result_count_is_unknown_not_failed() -> None:
    """The request was answered: the post may exist, so it must not look safe to resend."""
    vendor = Vendor({"POST /posts": published})
    with make(vendor, Miscounting()) as pub:
        report = pub.publish(video_post("tiktok:a"))
    assert report[0].status is Status.UNKNOWN
    assert "2 results for 1 targets" in (report[0].error or "")


class ChecksFirst(FakeAdapter):
    """Reads the account's limits (a GET, then a POST marked as a read) before its post, as TikTok's
    creator check does; then reads the new post back (a GET after it)."""

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        yield self.request("GET", "/limits")
        yield self.request("POST", "/limits/query", json={}, idempotent=True)
        (sent,) = yield from super().publish(post, routes, media)
        yield self.request("GET", f"/posts/{sent.id}")
        return [sent]


READS_FAIL: dict[str, object] = {
    "GET /limits": httpx.Response(500, json={"message": "internal"}),
    "POST /limits/query": httpx.ReadTimeout("read timed out"),
}


@pytest.mark.parametrize("read", ["GET /limits", "POST /limits/query", "unreadable"])
def test_a_read_before_the_post_failing_is_failed_not_unknown(read: str) -> None:
    """Only reads went out: no post can exist, so the target is ``failed`` (a re-run sends it).

    It used to be ``unknown`` (a 5xx, a timeout or an unreadable 2xx "may have made the post"):
    never resent, and reconcile, with no id to look up, could only ask a person to check.
    """
    routes: dict[str, object] = {
        "GET /limits": httpx.Response(200, json={}),
        "POST /limits/query": httpx.Response(200, json={}),
        "POST /posts": published,
        "GET /posts/p-a": httpx.Response(200, json={"id": "p-a", "status": "processing"}),
    }
    if read == "unreadable":
        routes["GET /limits"] = httpx.Response(200, text="<html>oops</html>")

        class Reading(ChecksFirst):
            def publish(
                self, post: Post, routes: Sequence[Route], media: tuple[str, ...]
            ) -> Flow[list[Publication]]:
                read_json((yield self.request("GET", "/limits")), provider=self.name)
                return (yield from super().publish(post, routes, media))

        adapter: FakeAdapter = Reading()
    else:
        routes[read] = READS_FAIL[read]
        adapter = ChecksFirst()
    vendor = Vendor(routes)
    with make(vendor, adapter, retry=postmux.RetryPolicy(max_retries=1)) as pub:
        (p,) = pub.publish(video_post("tiktok:a"))
    assert p.status is Status.FAILED
    assert p.attempt is None
    assert vendor.count("POST /posts") == 0


@pytest.mark.parametrize(
    "where",
    [
        {"POST /posts": httpx.Response(500, json={"message": "internal"})},
        {"GET /posts/p-a": httpx.Response(500, json={"message": "internal"})},  # the read-back, after it
        {"GET /posts/p-a": httpx.ReadTimeout("read timed out")},
    ],
)
async def test_a_failure_at_or_after_the_post_stays_unknown(where: dict[str, object]) -> None:
    routes: dict[str, object] = {
        "GET /limits": httpx.Response(200, json={}),
        "POST /limits/query": httpx.Response(200, json={}),
        "POST /posts": published,
        **where,
    }
    vendor = Vendor(routes)
    async with amake(vendor, ChecksFirst(), retry=postmux.RetryPolicy(max_retries=0)) as pub:
        (p,) = await pub.publish(video_post("tiktok:a"))
    assert p.status is Status.UNKNOWN
    assert vendor.count("POST /posts") == 1


# -- @username resolution ----------------------------------------------------------


def test_usernames_resolved_through_accounts_once() -> None:
    vendor = Vendor({"GET /accounts": ACCOUNTS, "POST /posts": published})
    post = video_post("tiktok:@brand", "instagram:@brand", "tiktok:acc-2")
    with make(vendor) as pub:
        report = pub.publish(post)
        pub.publish(video_post("tiktok:@other"))
    assert [p.account_id for p in report] == ["tt-1", "ig-9", "acc-2"]
    assert [p.target for p in report] == list(post.targets)
    assert sorted(b["account"] for b in vendor.bodies()[:3]) == ["acc-2", "ig-9", "tt-1"]
    assert vendor.count("GET /accounts") == 1


def test_no_accounts_request_without_usernames() -> None:
    vendor = Vendor({"POST /posts": published})
    with make(vendor) as pub:
        pub.publish(video_post("tiktok:a"))
    assert vendor.count("GET /accounts") == 0


def test_unknown_username_is_a_validation_error_before_publishing() -> None:
    vendor = Vendor({"GET /accounts": ACCOUNTS, "POST /posts": published})
    with make(vendor) as pub, pytest.raises(ValidationError) as info:
        pub.publish(video_post("tiktok:a", "tiktok:@nobody", "threads:@brand"))
    assert info.value.fields == ("targets[1].account", "targets[2].account")
    text = str(info.value)
    assert "@brand, @other" in text
    assert "none linked" in text
    assert vendor.count("POST /posts") == 0


async def test_async_usernames_resolved() -> None:
    vendor = Vendor({"GET /accounts": ACCOUNTS, "POST /posts": published})
    async with amake(vendor) as pub:
        report = await pub.publish(video_post("tiktok:@BRAND"))
        with pytest.raises(ValidationError) as info:
            await pub.publish(video_post("instagram:@ghost"))
    assert report[0].account_id == "tt-1"
    assert info.value.fields == ("targets[0].account",)


# -- waiting ---------------------------------------------------------------------


def statuses(*names: str) -> list[httpx.Response]:
    return [httpx.Response(200, json={"id": "p-a", "status": n}) for n in names]


def processing(*accounts: str) -> PublishReport:
    return PublishReport(
        tuple(
            Publication(target=Target("tiktok", a), provider="fake", status=Status.PROCESSING, id=f"p-{a}")
            for a in accounts
        )
    )


def test_wait_polls_until_final_and_honours_interval() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("processing", "processing", "published")})
    sleeps: list[float] = []
    with make(vendor, sleeps=sleeps) as pub:
        report = pub.wait(processing("a"), timeout=60, interval=1.5)
    assert report[0].status is Status.PUBLISHED
    assert vendor.count("GET /posts/p-a") == 3
    assert sleeps == [1.5, 1.5]


def test_wait_uses_the_adapters_interval_by_default() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("queued", "failed")})
    sleeps: list[float] = []
    with make(vendor, sleeps=sleeps) as pub:
        assert pub.wait(processing("a"))[0].status is Status.FAILED
    assert sleeps == [pytest.approx(FakeAdapter.poll_interval, rel=0.1)]  # the first pause, jittered


def test_wait_times_out_with_the_latest_report() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("processing")})
    with make(vendor) as pub, pytest.raises(postmux.TimeoutError) as info:
        pub.wait(processing("a"), timeout=0, interval=1)
    report = info.value.report
    assert isinstance(report, PublishReport)
    assert report[0].status is Status.PROCESSING
    assert vendor.count("GET /posts/p-a") == 1


def test_wait_leaves_final_unknown_and_idless_alone() -> None:
    vendor = Vendor()
    done = [
        Publication(target=Target("tiktok", "a"), provider="fake", status=Status.PUBLISHED, id="x"),
        Publication(target=Target("tiktok", "b"), provider="fake", status=Status.UNKNOWN, id="y"),
        Publication(target=Target("tiktok", "c"), provider="fake", status=Status.QUEUED),
    ]
    with make(vendor) as pub:
        report = pub.wait(done, timeout=1)
    assert list(report) == done
    assert vendor.requests == []


def test_wait_polls_each_without_batch_status() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("published"), "GET /posts/p-b": statuses("published")})
    with make(vendor) as pub:
        report = pub.wait(processing("a", "b"), timeout=5, interval=0)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.PUBLISHED]
    assert vendor.count("GET /posts/p-a") == vendor.count("GET /posts/p-b") == 1


def batch_answers(request: httpx.Request) -> httpx.Response:
    ids = json.loads(request.content)["ids"]
    return httpx.Response(200, json=dict.fromkeys(ids, "published"))


def test_wait_uses_status_many_with_batch_status() -> None:
    vendor = Vendor({"POST /posts/status": batch_answers})
    with make(vendor, BatchStatusAdapter()) as pub:
        report = pub.wait(processing("a", "b", "c"), timeout=5, interval=0)
    assert [p.status for p in report] == [Status.PUBLISHED] * 3
    assert vendor.count("POST /posts/status") == 1
    assert vendor.bodies("POST /posts/status") == [{"ids": ["p-a", "p-b", "p-c"]}]
    assert all(r.method == "POST" for r in vendor.requests)


async def test_async_wait() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("processing", "inbox")})
    sleeps: list[float] = []
    async with amake(vendor, sleeps=sleeps) as pub:
        report = await pub.wait(processing("a"), timeout=60, interval=2)
        assert report[0].status is Status.INBOX
        assert sleeps == [2]
        vendor.routes["GET /posts/p-b"] = statuses("processing")
        with pytest.raises(postmux.TimeoutError) as info:
            await pub.wait(processing("b"), timeout=0, interval=1)
    assert isinstance(info.value.report, PublishReport)


async def test_async_wait_batch_and_each() -> None:
    vendor = Vendor({"POST /posts/status": batch_answers})
    async with amake(vendor, BatchStatusAdapter()) as pub:
        report = await pub.wait(processing("a", "b"), timeout=5, interval=0)
    assert [p.status for p in report] == [Status.PUBLISHED] * 2
    assert vendor.count("POST /posts/status") == 1
    vendor = Vendor({"GET /posts/p-a": statuses("published"), "GET /posts/p-b": statuses("published")})
    async with amake(vendor) as pub:
        await pub.wait(processing("a", "b"), timeout=5, interval=0)
    assert vendor.count("GET /posts/p-a") == vendor.count("GET /posts/p-b") == 1


def test_status_refreshes_one() -> None:
    vendor = Vendor(
        {
            "GET /posts/p-a": [
                httpx.Response(200, json={"id": "p-a", "status": "published", "url": "https://t/1"})
            ]
        }
    )
    with make(vendor) as pub:
        p = pub.status(processing("a")[0])
    assert (p.status, p.url) == (Status.PUBLISHED, "https://t/1")


def test_operations_the_vendor_lacks_are_unsupported_without_io() -> None:
    vendor = Vendor()
    p = processing("a")[0]
    with make(vendor) as pub:
        for call in (pub.scheduled, lambda: pub.cancel(p), lambda: pub.creator_info("acc")):
            with pytest.raises(UnsupportedError):
                call()
    assert vendor.requests == []


# -- linking accounts -----------------------------------------------------------

CONNECT = httpx.Response(200, json={"url": "https://auth.fake.test/oauth?state=s1", "token": "t1"})
CONFIRMED = httpx.Response(
    200, json={"status": "confirmed", "account": {"id": "tt-77", "username": "newbie"}}
)


def test_connect_session_polls_until_confirmed() -> None:
    pending = httpx.Response(200, json={"status": "pending"})
    vendor = Vendor({"POST /connect": CONNECT, "POST /connect/check": [pending, pending, CONFIRMED]})
    sleeps: list[float] = []
    with make(vendor, sleeps=sleeps) as pub:
        session = pub.connect("tiktok")
        assert session.url == "https://auth.fake.test/oauth?state=s1"
        assert session.platform == "tiktok"
        assert session.qr_image is None
        assert session.poll().status is ConnectStatus.PENDING
        account = session.wait(timeout=60)
    assert (account.id, account.username, account.platform) == ("tt-77", "newbie", "tiktok")
    assert sleeps == [0.5]
    assert vendor.bodies("POST /connect/check") == [{"token": "t1"}] * 3


@pytest.mark.parametrize("status", ["expired", "used", "failed"])
def test_connect_session_ends_without_account(status: str) -> None:
    vendor = Vendor(
        {"POST /connect": CONNECT, "POST /connect/check": httpx.Response(200, json={"status": status})}
    )
    with make(vendor) as pub, pytest.raises(ConnectFailedError) as info:
        pub.connect("tiktok").wait(timeout=60)
    assert info.value.status is ConnectStatus(status)


def test_connect_session_times_out() -> None:
    vendor = Vendor(
        {"POST /connect": CONNECT, "POST /connect/check": httpx.Response(200, json={"status": "scanned"})}
    )
    with make(vendor) as pub, pytest.raises(postmux.TimeoutError):
        pub.connect("tiktok").wait(timeout=0)


async def test_async_connect_session() -> None:
    vendor = Vendor(
        {
            "POST /connect": CONNECT,
            "POST /connect/check": [httpx.Response(200, json={"status": "scanned"}), CONFIRMED],
        }
    )
    sleeps: list[float] = []
    async with amake(vendor, sleeps=sleeps) as pub:
        session = await pub.connect("tiktok")
        account = await session.wait(timeout=60)
        assert account.id == "tt-77"
        assert sleeps == [0.5]
        vendor.routes["POST /connect/check"] = httpx.Response(200, json={"status": "expired"})
        with pytest.raises(ConnectFailedError):
            await (await pub.connect("tiktok")).wait(timeout=60)


# -- lifetime ----------------------------------------------------------------------


def test_context_manager_closes_its_own_client_only() -> None:
    with Publisher(FakeAdapter(), Secret(KEY)) as own:
        assert not own.client.is_closed
    assert own.client.is_closed
    given = httpx.Client(transport=Vendor().transport())
    with Publisher(FakeAdapter(), Secret(KEY), client=given):
        pass
    assert not given.is_closed
    given.close()


async def test_async_context_manager_closes_its_own_client_only() -> None:
    async with AsyncPublisher(FakeAdapter(), Secret(KEY)) as own:
        assert not own.client.is_closed
    assert own.client.is_closed
    given = httpx.AsyncClient(transport=Vendor().transport())
    async with AsyncPublisher(FakeAdapter(), Secret(KEY), client=given):
        pass
    assert not given.is_closed
    await given.aclose()


def test_publisher_repr_and_properties_hide_the_key() -> None:
    with make(Vendor()) as pub:
        assert KEY not in repr(pub)
        assert "fake" in repr(pub)
        assert pub.provider == "fake"
        assert pub.capabilities is FakeAdapter.capabilities


def test_publications_carry_the_ledger_key_when_a_ledger_is_used() -> None:
    from postmux import MemoryLedger

    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a")
    ledger = MemoryLedger()
    with make(vendor, ledger=ledger) as pub:
        (p,) = pub.publish(post)
    assert p.post_key == post.ledger_key
    entry = ledger.lookup(post.ledger_key, "fake:tiktok:a")
    assert entry is not None
    assert entry.publication == p
