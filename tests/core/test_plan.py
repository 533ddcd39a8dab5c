"""The publish and wait plans stepped by hand: every decision of a publisher, with no I/O at all.

``postmux.plan`` is what both publishers carry out; here a test plays the
publisher, answering each step itself, so the sequence (resolve, claim,
stage, batches, record; poll, pause, settle) and what an error thrown in at a
step means are seen directly, for sync and async alike.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import Account, HostedFile, MemoryLedger, Post, Publication, Secret, ServerError, Status, Target
from postmux.core import PublisherCore
from postmux.ledger import Owner
from postmux.plan import Concurrently, DropHosted, HostMedia, Pause, Plan, RunFlow, publishing, waiting

from .fakes import KEY, FakeAdapter, video_post
from .test_hosting import MemoryHost, UrlOnlyAdapter, local_post


def core(adapter: FakeAdapter | None = None, **options: Any) -> PublisherCore:
    options.setdefault("ledger", None)
    return PublisherCore(adapter or FakeAdapter(), Secret(KEY), max_concurrency=4, plugins=None, **options)


def first_request(step: object) -> httpx.Request:
    """The first request of a ``RunFlow`` step's flow (the flow is not run any further)."""
    assert isinstance(step, RunFlow)
    return next(step.flow)


def finish(plan: Plan[Any], value: object) -> Any:
    """Send ``value`` into ``plan`` and return what it returns (it must take no further step)."""
    with pytest.raises(StopIteration) as done:
        plan.send(value)
    return done.value.value


def answered(plan: Plan[list[Publication]], status: Status = Status.PROCESSING) -> list[Publication]:
    """A batch plan carried out: its one publish flow answered with one publication per target."""
    request = first_request(next(plan))
    assert (request.method, request.url.path) == ("POST", "/posts")
    assert json.loads(request.content)["account"]  # the resolved account id, sent
    target = Target("tiktok", "x")  # the core stamps the real target and account on it
    results: list[Publication] = finish(
        plan, [Publication(target=target, provider="fake", status=status, id="p-1")]
    )
    return results


def test_a_publish_resolves_stages_then_sends_its_batches_concurrently_and_reports_in_target_order() -> None:
    planner = core()
    post = video_post("tiktok:@alice", "instagram:ig-1")
    plan = publishing(planner, post)
    request = first_request(next(plan))  # an @username: the vendor's accounts first
    assert request.url.path == "/accounts"
    accounts = [Account(id="tt-1", platform="tiktok", provider="fake", username="alice")]
    stage = plan.send(accounts)
    assert isinstance(stage, RunFlow)
    assert stage.fetch is not None
    batches = plan.send(("https://cdn.example.com/clip.mp4",))
    assert isinstance(batches, Concurrently)
    assert len(batches.plans) == 2
    results = [answered(p) for p in batches.plans]
    report = finish(plan, results)
    assert [(p.target, p.account_id) for p in report.results] == [
        (Target("tiktok", "@alice"), "tt-1"),
        (Target("instagram", "ig-1"), "ig-1"),
    ]
    assert planner._accounts == accounts  # cached: the next publish asks no more


def test_a_staging_error_thrown_in_is_every_pending_targets_failed_outcome_and_gives_the_claims_back() -> (
    None
):
    ledger = MemoryLedger()
    planner = core(ledger=ledger)
    post = video_post("tiktok:a1", "instagram:ig-1")
    plan = publishing(planner, post)
    assert isinstance(next(plan), RunFlow)  # claimed, then staging
    error = ServerError("upload answered 503", provider="fake", status_code=503)
    with pytest.raises(StopIteration) as done:
        plan.throw(error)
    report = done.value.value
    assert [p.status for p in report.results] == [Status.FAILED, Status.FAILED]
    assert all(p.error and p.error.startswith("staging the media failed") for p in report.results)
    routes = planner.routes(post, None)
    assert planner.claim(post, routes, Owner.here()) == {}  # free again: a re-run sends them


def test_a_cancel_while_staging_removes_the_hosted_media_gives_the_claims_back_and_is_raised(
    tmp_path: Path,
) -> None:
    ledger = MemoryLedger()
    planner = core(UrlOnlyAdapter(), ledger=ledger, media_host=MemoryHost())
    post = local_post(tmp_path, "tiktok:a1")
    plan = publishing(planner, post)
    hosting = next(plan)
    assert isinstance(hosting, HostMedia)
    assert hosting.post is post
    hosted = (HostedFile(url="https://media.example.test/k1/clip.mp4", key="k1", source="clip.mp4"),)
    wire = Post(text="hello", media=[hosted[0].url], targets=["tiktok:a1"])
    stage = plan.send((wire, hosted))
    assert isinstance(stage, RunFlow)
    drop = plan.throw(asyncio.CancelledError())
    assert drop == DropHosted(hosted)  # the hosted copy goes first…
    with pytest.raises(asyncio.CancelledError):
        plan.send(None)  # …then the cancel goes on
    routes = planner.routes(post, None)
    assert planner.claim(post, routes, Owner.here()) == {}


def test_a_target_another_run_holds_is_reported_and_nothing_is_staged_for_it() -> None:
    ledger = MemoryLedger()
    post = video_post("tiktok:a1")
    held = core(ledger=ledger)
    held.claim(post, held.routes(post, None), Owner.here())
    plan = publishing(core(ledger=ledger), post)
    with pytest.raises(StopIteration) as done:
        next(plan)  # no step at all: nothing to stage, nothing to send
    (publication,) = done.value.value.results
    assert (publication.status, publication.error_code) == (Status.UNKNOWN, "claimed_elsewhere")


def test_a_wait_polls_concurrently_pauses_and_returns_once_all_is_final() -> None:
    planner = core()
    target = Target("tiktok", "a1")
    pending = [
        Publication(target=target, provider="fake", status=Status.PROCESSING, id=f"p-{i}") for i in (1, 2)
    ]
    plan = waiting(planner, pending, timeout=60.0, interval=0.5, on_update=None)
    poll = next(plan)
    assert isinstance(poll, Concurrently)
    assert len(poll.plans) == 2
    still = [_read(p, pub) for p, pub in zip(poll.plans, pending, strict=True)]
    assert plan.send(still) == Pause(0.5)  # the caller's interval, kept fixed
    poll = plan.send(None)
    assert isinstance(poll, Concurrently)
    done = [_read(p, pub, Status.PUBLISHED) for p, pub in zip(poll.plans, pending, strict=True)]
    report = finish(plan, done)
    assert [p.status for p in report.results] == [Status.PUBLISHED, Status.PUBLISHED]


def _read(plan: Plan[list[Publication]], publication: Publication, status: Status = Status.PROCESSING) -> Any:
    request = first_request(next(plan))
    assert request.url.path == f"/posts/{publication.id}"
    states, read = finish(
        plan, Publication(target=publication.target, provider="fake", status=status, id=publication.id)
    )
    assert read  # read, so wait() records it
    return states, read
