"""The ledger: a re-run never posts twice, and what is in doubt is never resent on its own."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from postmux import (
    AsyncPublisher,
    Ledger,
    MediaKind,
    MemoryLedger,
    Publication,
    Publisher,
    Secret,
    SQLiteLedger,
    Status,
    Target,
    ValidationError,
)
from postmux.flow import Flow
from postmux.ledger import Owner, dump_publication, load_publication, open_ledger
from postmux.reconcile import Finding

from .fakes import KEY, FakeAdapter, Vendor, published, video_post


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    if request.param == "memory":
        yield MemoryLedger()
    else:
        db = SQLiteLedger(tmp_path / "ledger.db")
        yield db
        db.close()


def answer_for(statuses: dict[str, object]) -> object:
    """Per-account answers; accounts not listed are published."""

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        account = json.loads(request.content)["account"]
        item = statuses.get(account)
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            return item
        return httpx.Response(
            200, json={"id": f"p-{account}", "status": "published", "url": f"https://t/{account}"}
        )

    return handler


def pub_with(vendor: Vendor, ledger: Ledger) -> Publisher:
    return Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=ledger)


def test_rerun_skips_published_targets(ledger: Ledger) -> None:
    vendor = Vendor({"POST /posts": answer_for({})})
    post = video_post("tiktok:a", "instagram:b")
    with pub_with(vendor, ledger) as pub:
        first = pub.publish(post)
        second = pub.publish(video_post("tiktok:a", "instagram:b"))  # an equal post, rebuilt
    assert vendor.count("POST /posts") == 2
    assert [p.status for p in second] == [Status.PUBLISHED, Status.PUBLISHED]
    assert [(p.id, p.url, p.target) for p in second] == [(p.id, p.url, p.target) for p in first]


def test_sent_but_unrecorded_is_unknown_and_not_resent(ledger: Ledger) -> None:
    vendor = Vendor({"POST /posts": answer_for({})})
    post = video_post("tiktok:a", "tiktok:b")
    dead = Owner.here()
    ledger.claim(post.ledger_key, "fake:tiktok:b", owner=dead, lease=0)
    assert ledger.sending(post.ledger_key, "fake:tiktok:b", dead)  # then the process died mid-request
    with pub_with(vendor, ledger) as pub:
        report = pub.publish(post)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.UNKNOWN]
    assert "never recorded" in (report[1].error or "")
    assert str(dead) in (report[1].error or "")
    assert report[1].error_code is None
    assert [b["account"] for b in vendor.bodies()] == ["a"]


def test_live_claim_elsewhere_sends_nothing_and_says_who(ledger: Ledger) -> None:
    vendor = Vendor({"POST /posts": answer_for({})})
    post = video_post("tiktok:a", "tiktok:b")
    other = Owner("worker-7", 4242, "run-other")
    assert ledger.claim(post.ledger_key, "fake:tiktok:b", owner=other, lease=60)
    with pub_with(vendor, ledger) as pub:
        report = pub.publish(post)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.UNKNOWN]
    assert report[1].error_code == "claimed_elsewhere"
    assert "worker-7 pid 4242 run run-other" in (report[1].error or "")
    assert "lease until" in (report[1].error or "")
    assert [b["account"] for b in vendor.bodies()] == ["a"]


def test_dead_owner_claim_without_sending_is_taken_over_after_its_lease(ledger: Ledger) -> None:
    vendor = Vendor({"POST /posts": answer_for({})})
    post = video_post("tiktok:a")
    dead = Owner("gone", 1, "run-dead")
    assert ledger.claim(post.ledger_key, "fake:tiktok:a", owner=dead, lease=0)  # died while staging
    with pub_with(vendor, ledger) as pub:
        (p,) = pub.publish(post)
    assert p.status is Status.PUBLISHED
    assert not ledger.sending(post.ledger_key, "fake:tiktok:a", dead)  # the dead owner lost it
    assert vendor.count("POST /posts") == 1


def test_unknown_outcome_is_not_resent_until_released(ledger: Ledger) -> None:
    vendor = Vendor({"POST /posts": answer_for({"b": httpx.ReadTimeout("slow")})})
    post = video_post("tiktok:a", "tiktok:b")
    with pub_with(vendor, ledger) as pub:
        first = pub.publish(post)
        assert [p.status for p in first] == [Status.PUBLISHED, Status.UNKNOWN]
        vendor.routes["POST /posts"] = answer_for({})
        second = pub.publish(post)
        assert [p.status for p in second] == [Status.PUBLISHED, Status.UNKNOWN]
        assert vendor.count("POST /posts") == 2
        pub.release(post, first[1])  # a human checked: it is not live
        third = pub.publish(post)
    assert [p.status for p in third] == [Status.PUBLISHED, Status.PUBLISHED]
    assert vendor.count("POST /posts") == 3
    assert [b["account"] for b in vendor.bodies()][-1] == "b"


def test_failed_target_is_resent(ledger: Ledger) -> None:
    refused = httpx.Response(422, json={"message": "caption refused"})
    vendor = Vendor({"POST /posts": answer_for({"b": refused})})
    post = video_post("tiktok:a", "tiktok:b")
    with pub_with(vendor, ledger) as pub:
        assert [p.status for p in pub.publish(post)] == [Status.PUBLISHED, Status.FAILED]
        vendor.routes["POST /posts"] = answer_for({})
        again = pub.publish(post)
    assert [p.status for p in again] == [Status.PUBLISHED, Status.PUBLISHED]
    assert [b["account"] for b in vendor.bodies()].count("a") == 1
    assert [b["account"] for b in vendor.bodies()].count("b") == 2


def test_other_content_is_another_post(ledger: Ledger) -> None:
    vendor = Vendor({"POST /posts": answer_for({})})
    with pub_with(vendor, ledger) as pub:
        pub.publish(video_post("tiktok:a"))
        pub.publish(video_post("tiktok:a", text="changed"))
        pub.publish(video_post("tiktok:a", key="campaign-7"))
        pub.publish(video_post("tiktok:a", text="changed again", key="campaign-7"))
    assert vendor.count("POST /posts") == 3


def test_username_targets_are_keyed_by_resolved_account(ledger: Ledger) -> None:
    accounts = httpx.Response(200, json=[{"id": "tt-1", "platform": "tiktok", "username": "brand"}])
    vendor = Vendor({"GET /accounts": accounts, "POST /posts": answer_for({})})
    with pub_with(vendor, ledger) as pub:
        pub.publish(video_post("tiktok:@brand"))
        again = pub.publish(video_post("tiktok:tt-1"))
    assert vendor.count("POST /posts") == 1
    assert again[0].target == Target("tiktok", "tt-1")
    assert ledger.lookup(video_post("tiktok:x").ledger_key, "fake:tiktok:tt-1") is not None


async def test_async_rerun_skips_published(ledger: Ledger) -> None:
    vendor = Vendor({"POST /posts": answer_for({"b": httpx.Response(500, json={})})})
    post = video_post("tiktok:a", "tiktok:b")
    async with AsyncPublisher(FakeAdapter(), Secret(KEY), client=vendor.async_client(), ledger=ledger) as pub:
        first = await pub.publish(post)
        second = await pub.publish(post)
    assert [p.status for p in first] == [Status.PUBLISHED, Status.UNKNOWN]
    assert [p.status for p in second] == [Status.PUBLISHED, Status.UNKNOWN]
    assert vendor.count("POST /posts") == 2


def test_sqlite_ledger_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a", "tiktok:b")
    first = SQLiteLedger(path)
    with pub_with(vendor, first) as pub:
        pub.publish(post)
    first.close()
    second = SQLiteLedger(path)
    with pub_with(vendor, second) as pub:
        report = pub.publish(post)
    second.close()
    assert vendor.count("POST /posts") == 2
    assert [p.id for p in report] == ["p-a", "p-b"]


def test_publication_round_trip() -> None:
    p = Publication(
        target=Target("tiktok", "@brand"),
        provider="fake",
        status=Status.SCHEDULED,
        id="x",
        url="https://t/x",
        error=None,
        error_code="c",
        scheduled_for=datetime(2030, 1, 1, tzinfo=UTC),
        media_kind=MediaKind.PHOTO,
        account_id="tt-1",
        post_key="k",
        state={"a": "b"},
        raw={"deep": [1, {"x": None}]},
    )
    back = load_publication(dump_publication(p))
    assert back == p
    assert back.raw == p.raw


def test_open_ledger(tmp_path: Path) -> None:
    assert open_ledger(None) is None
    mem = MemoryLedger()
    assert open_ledger(mem) is mem
    db = open_ledger(tmp_path / "x.db")
    assert isinstance(db, SQLiteLedger)
    db.close()


def test_memory_ledger_release_and_lookup() -> None:
    led = MemoryLedger()
    assert led.lookup("k", "t") is None
    led.claim("k", "t")
    entry = led.lookup("k", "t")
    assert entry is not None
    assert entry.publication is None
    led.release("k", "t")
    assert led.lookup("k", "t") is None


@pytest.mark.parametrize("spellings", [("tiktok:tt-1", "tiktok:@brand"), ("tiktok:@Brand", "tiktok:@brand")])
@pytest.mark.parametrize("with_ledger", [True, False])
def test_two_targets_naming_one_account_are_refused_before_sending(
    ledger: Ledger, spellings: tuple[str, str], with_ledger: bool
) -> None:
    accounts = httpx.Response(200, json=[{"id": "tt-1", "platform": "tiktok", "username": "brand"}])
    vendor = Vendor({"GET /accounts": accounts, "POST /posts": answer_for({})})
    post = video_post(*spellings)
    with Publisher(
        FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=ledger if with_ledger else None
    ) as pub:
        with pytest.raises(ValidationError) as info:
            pub.publish(post)
        assert [p.field for p in info.value.problems] == ["targets[1]"]
        assert "posted twice" in str(info.value)
        assert [p.field for p in pub.validate(post, resolve=True)] == ["targets[1]"]
    assert vendor.count("POST /posts") == 0


class ListsPosts(FakeAdapter):
    """A vendor whose post list reconcile reads; the post a request is making is not on it yet."""

    def reconcile(self, publications: Sequence[Publication]) -> Flow[list[Finding]]:
        yield from ()
        return [Finding.absent("GET /posts lists no post of this text") for _ in publications]


def test_a_send_after_a_long_staging_is_judged_by_when_it_was_sent(ledger: Ledger) -> None:
    # lease 0.3 s and absent_after 1 s stand for the 300 s lease and the 600 s a vendor may take
    # to list a post: the upload took longer than both, then the run died with its request out
    vendor = Vendor({"POST /posts": answer_for({})})
    post = video_post("tiktok:a")
    ledger.lease = 0.3  # type: ignore[attr-defined]  # as SQLiteLedger(path, lease=…) sets it
    dead = Owner.here()
    assert ledger.claim_many(post.ledger_key, ["fake:tiktok:a"], owner=dead) == {"fake:tiktok:a"}
    time.sleep(1.0)  # staging: a large upload
    assert ledger.sending(post.ledger_key, "fake:tiktok:a", dead)  # the request leaves; the run dies
    sent = datetime.now(UTC)
    time.sleep(0.4)  # a lease after the request left: its run is taken for dead
    with Publisher(ListsPosts(), Secret(KEY), client=vendor.client(), ledger=ledger) as pub:
        (doubt,) = pub.publish(post)
        assert doubt.status is Status.UNKNOWN
        assert doubt.attempt is not None
        assert doubt.attempt.sent_at >= sent - timedelta(seconds=0.1)  # not when it was claimed
        (settled,) = pub.reconcile([doubt], absent_after=1.0)  # the vendor is still making it
        assert settled.status is Status.UNKNOWN
        assert "reconcile again after" in (settled.error or "")
        pub.publish(post)
    assert vendor.count("POST /posts") == 0  # the dead run's request is the only one


async def test_a_cancelled_publish_records_its_request_in_doubt_and_gives_back_what_it_never_sent(
    ledger: Ledger,
) -> None:
    """``asyncio.timeout`` around a publish, then the job's retry at once (well within the lease).

    The request that was out is ``unknown`` now (reconcile can ask about it, no re-run sends it);
    the targets whose batches never started are free again, so the retry sends them. Before, the
    retry found all three "claimed by" the cancelled run, which "sends it and records its outcome"
    (it never would), and sent nothing for five minutes; reconcile skipped them too.
    """
    import asyncio
    import json

    arrived = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await asyncio.sleep(30)
        return published(request)

    vendor = Vendor({"POST /posts": slow})
    post = video_post("tiktok:a", "instagram:b", "threads:c")
    async with AsyncPublisher(
        FakeAdapter(), Secret(KEY), client=vendor.async_client(), ledger=ledger, max_concurrency=1
    ) as pub:
        task = asyncio.create_task(pub.publish(post))
        await arrived.wait()  # the first batch's request is out, the others wait their turn
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        vendor.routes["POST /posts"] = published
        again = await pub.publish(post)
    assert [json.loads(r.content)["account"] for r in vendor.requests] == ["a", "b", "c"]  # a once
    assert [p.status for p in again] == [Status.UNKNOWN, Status.PROCESSING, Status.PROCESSING]
    doubt = again[0]
    assert doubt.error_code is None  # not "claimed_elsewhere": reconcile asks the vendor about it
    assert doubt.attempt is not None
    assert "CancelledError" in (doubt.error or "")


def test_a_publish_interrupted_while_its_request_is_out_is_recorded_in_doubt(ledger: Ledger) -> None:
    """Ctrl-C (``KeyboardInterrupt``) during a one-target publish: the re-run says ``unknown`` at once."""

    def interrupted(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    vendor = Vendor({"POST /posts": interrupted})
    post = video_post("tiktok:a")
    with pub_with(vendor, ledger) as pub:
        with pytest.raises(KeyboardInterrupt):
            pub.publish(post)
        (again,) = pub.publish(post)
    assert vendor.count("POST /posts") == 1
    assert (again.status, again.error_code) == (Status.UNKNOWN, None)
    assert "KeyboardInterrupt" in (again.error or "")


def test_a_target_s_own_text_survives_the_round_trip() -> None:
    own = Target("tiktok", "a", text="for tiktok only")
    p = Publication(target=own, provider="fake", status=Status.PUBLISHED)
    back = load_publication(dump_publication(p))
    assert back.target.text == "for tiktok only"
    assert back == p
    plain = Publication(target=Target("tiktok", "a"), provider="f", status=Status.PUBLISHED)
    assert "target_text" not in plain.to_dict()  # unset: the dict of earlier versions
