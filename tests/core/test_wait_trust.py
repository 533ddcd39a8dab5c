"""A ``wait()`` a user can trust (issue 10).

It uses its whole timeout, backs off from the vendor's first interval to its
cap with jitter, caps status batches per vendor, keeps a publication's last
state (the error noted) when one poll answer cannot be read, and tells
``on_update`` what moved.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import ClassVar

import httpx
import pytest

import postmux
from postmux import AsyncPublisher, Publication, Publisher, PublishReport, Secret, Status
from postmux.flow import Flow

from .fakes import KEY, BatchStatusAdapter, FakeAdapter, Vendor
from .test_publisher import amake, make, processing, statuses


class Advised(FakeAdapter):
    poll_interval: ClassVar[float] = 1.0
    poll_max_interval: ClassVar[float | None] = 5.0


def test_wait_uses_its_whole_timeout() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("processing")})
    started = time.monotonic()
    with (
        Publisher(FakeAdapter(), Secret(KEY), client=vendor.client()) as pub,
        pytest.raises(postmux.TimeoutError) as info,
    ):
        pub.wait(processing("a"), timeout=0.6)
    elapsed = time.monotonic() - started
    assert 0.6 <= elapsed < 1.5  # it used to give up at 0.5 s, a pause before its deadline
    assert isinstance(info.value.report, PublishReport)


def test_wait_backs_off_from_the_first_interval_to_the_cap_with_jitter() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses(*["processing"] * 7, "published")})
    sleeps: list[float] = []
    with make(vendor, Advised(), sleeps=sleeps) as pub:
        assert pub.wait(processing("a"))[0].status is Status.PUBLISHED
    expected = [1.0, 1.5, 2.25, 3.375, 5.0, 5.0, 5.0]
    assert sleeps == [pytest.approx(e, rel=0.1) for e in expected]
    assert max(sleeps) <= 5.0


def test_a_given_interval_stays_fixed() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("processing", "processing", "published")})
    sleeps: list[float] = []
    with make(vendor, Advised(), sleeps=sleeps) as pub:
        pub.wait(processing("a"), interval=0.5)
    assert sleeps == [0.5, 0.5]


class Capped(BatchStatusAdapter):
    status_batch_size: ClassVar[int | None] = 2


class SharedById(Capped):
    status_shared_by_id: ClassVar[bool] = True


def test_status_batches_are_capped_per_vendor() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        return httpx.Response(200, json=dict.fromkeys(ids, "published"))

    vendor = Vendor({"POST /posts/status": answer})
    with make(vendor, Capped()) as pub:
        report = pub.wait(processing("a", "b", "c", "d", "e"))
    assert [p.status for p in report] == [Status.PUBLISHED] * 5
    sizes = sorted(len(body["ids"]) for body in vendor.bodies("POST /posts/status"))
    assert sizes == [1, 2, 2]


def test_one_posts_targets_are_read_in_one_call_and_keep_their_places() -> None:
    """At a vendor whose read of a post answers for its every target, the cap counts ids."""

    def answer(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        return httpx.Response(200, json={i: "published" if i == "p-post" else "failed" for i in ids})

    def pub(account: str, post_id: str) -> Publication:
        return Publication(
            target=postmux.Target("tiktok", account), provider="fake", status=Status.PROCESSING, id=post_id
        )

    given = [pub("a", "p-post"), pub("b", "p-b"), pub("c", "p-post"), pub("d", "p-d"), pub("e", "p-post")]
    vendor = Vendor({"POST /posts/status": answer})
    with make(vendor, SharedById()) as pub_:
        report = pub_.wait(PublishReport(tuple(given)))
    assert [p.target.account for p in report] == ["a", "b", "c", "d", "e"]  # each in its place
    assert [p.status for p in report] == [Status.PUBLISHED, Status.FAILED] * 2 + [Status.PUBLISHED]
    calls = sorted(sorted(set(body["ids"])) for body in vendor.bodies("POST /posts/status"))
    assert calls == [["p-b", "p-post"], ["p-d"]]  # two ids a call; p-post's three targets in one
    elsewhere = Vendor({"POST /posts/status": answer})  # where each read is its own: publications
    with make(elsewhere, Capped()) as pub_:
        assert [p.target.account for p in pub_.wait(PublishReport(tuple(given)))] == list("abcde")
    assert sorted(len(body["ids"]) for body in elsewhere.bodies("POST /posts/status")) == [1, 2, 2]


class Miscounting(Capped):
    """A plugin's slip: its ``status_many`` answers for one publication fewer than it was asked."""

    def status_many(self, publications: Sequence[Publication]) -> Flow[list[Publication]]:
        states = yield from super().status_many(publications)
        return states[1:]


def test_a_status_many_of_the_wrong_length_keeps_the_last_states() -> None:
    both = {"p-a": "published", "p-b": "published"}
    vendor = Vendor({"POST /posts/status": httpx.Response(200, json=both)})
    with (
        Publisher(Miscounting(), Secret(KEY), client=vendor.client()) as pub,
        pytest.raises(postmux.TimeoutError) as info,
    ):
        pub.wait(processing("a", "b"), timeout=0.3, interval=0.1)
    kept = info.value.report
    assert isinstance(kept, PublishReport)
    assert [p.status for p in kept] == [Status.PROCESSING, Status.PROCESSING]  # nothing misplaced
    assert all("answered 1 publications for 2" in (p.error or "") for p in kept)


UNREADABLE = httpx.Response(200, text="<html>502 bad gateway</html>")


def check_kept(report: PublishReport, updates: list[Publication]) -> None:
    assert [p.status for p in report] == [Status.PUBLISHED, Status.PUBLISHED]
    first_a = next(p for p in updates if p.target.account == "a")
    assert first_a.status is Status.PROCESSING  # its last state, kept
    assert "status not read this time" in (first_a.error or "")
    assert isinstance(first_a.exception, postmux.ResponseError)
    assert {p.target.account for p in updates if p.status is Status.PUBLISHED} == {"a", "b"}


def test_one_unreadable_poll_keeps_the_last_state_and_waiting_goes_on() -> None:
    vendor = Vendor(
        {
            "GET /posts/p-a": [UNREADABLE, httpx.Response(200, json={"id": "p-a", "status": "published"})],
            "GET /posts/p-b": httpx.Response(200, json={"id": "p-b", "status": "published"}),
        }
    )
    updates: list[Publication] = []
    with make(vendor) as pub:
        report = pub.wait(processing("a", "b"), on_update=updates.append)
    check_kept(report, updates)


async def test_async_one_unreadable_poll_keeps_the_last_state_and_waiting_goes_on() -> None:
    vendor = Vendor(
        {
            "GET /posts/p-a": [UNREADABLE, httpx.Response(200, json={"id": "p-a", "status": "published"})],
            "GET /posts/p-b": httpx.Response(200, json={"id": "p-b", "status": "published"}),
        }
    )
    updates: list[Publication] = []
    async with amake(vendor) as pub:
        report = await pub.wait(processing("a", "b"), on_update=updates.append)
    check_kept(report, updates)


async def test_async_wait_uses_its_whole_timeout() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("processing")})
    started = time.monotonic()
    async with AsyncPublisher(FakeAdapter(), Secret(KEY), client=vendor.async_client()) as pub:
        with pytest.raises(postmux.TimeoutError):
            await pub.wait(processing("a"), timeout=0.6)
    assert time.monotonic() - started >= 0.6


def test_the_bundled_vendors_say_how_to_wait() -> None:
    from postmux_postpeer.adapter import PostPeerAdapter
    from postmux_wahdx.adapter import WahdxAdapter
    from postmux_wonda.adapter import WondaAdapter

    assert (WondaAdapter.poll_interval, WondaAdapter.poll_max_interval) == (1.0, 5.0)  # Wonda's advice
    assert WahdxAdapter.status_batch_size == 100
    assert PostPeerAdapter.status_batch_size == 25


def test_an_unreadable_poll_of_an_old_report_leaves_the_ledgers_newer_state_alone() -> None:
    """One process saw the post published and recorded it; another, holding the publish's report,
    polls once and cannot read the answer. The ledger keeps ``published``: before, that poll wrote
    the report's stale ``processing`` (with the "not read" note) over it, and every re-run said so.
    """
    ledger = postmux.MemoryLedger()
    post = postmux.Post(media=["https://cdn.example.com/clip.mp4"], text="hello", targets=["tiktok:a"])
    done = httpx.Response(200, json={"id": "p-a", "status": "published", "url": "https://t/a"})
    vendor = Vendor({"POST /posts": httpx.Response(200, json={"id": "p-a", "status": "processing"})})
    vendor.routes["GET /posts/p-a"] = done
    with Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=ledger) as first:
        report = first.publish(post)
        assert first.wait(report)[0].status is Status.PUBLISHED
    elsewhere = Vendor({"GET /posts/p-a": UNREADABLE})
    with Publisher(FakeAdapter(), Secret(KEY), client=elsewhere.client(), ledger=ledger) as second:
        with pytest.raises(postmux.TimeoutError) as info:
            second.wait(report, timeout=0)
        kept = info.value.report
        assert isinstance(kept, PublishReport)
        assert "status not read this time" in (kept[0].error or "")  # the caller is still told
        (again,) = second.publish(post)
    assert (again.status, again.url, again.error) == (Status.PUBLISHED, "https://t/a", None)
