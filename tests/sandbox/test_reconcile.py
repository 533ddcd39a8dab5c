"""``reconcile()``: every ``unknown`` followed to an answer through each vendor's emulator, sync and async.

Found → its real status and id, recorded (a re-run sends nothing); provably
absent → ``failed``, released (a re-run sends it); not checkable → still
``unknown``, with what to check by hand (a re-run still sends nothing).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import attrs
import pytest

import postmux
from postmux import MemoryLedger, Post, Publication, PublishReport, SQLiteLedger, Status, Target
from postmux.flow import Flow
from postmux.ledger import Ledger, Owner
from postmux.reconcile import NOT_FOUND, Attempt, Finding, content_digest, salvaged
from postmux.sandbox import Sandbox, Timing
from postmux_postpeer.emulator import PostPeerEmulator

VENDORS = ("postpeer", "wahdx", "wonda")
CAN_LIST = {"postpeer"}
"""Vendors whose API finds a post without its id (``Capabilities.reconcile``)."""


def make_post(sandbox: Sandbox, text: str) -> Post:
    return Post(
        text=text,
        media=[sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok"), Target("instagram", "@sandbox_instagram")],
    )


def publish_then_reconcile(
    name: str, fault: str, mode: str, ledger: Ledger
) -> tuple[Sandbox, Post, PublishReport, PublishReport]:
    """Publish under ``fault`` (once per target), then reconcile with the fault gone."""
    sandbox = Sandbox([name], faults=fault, timing=Timing.instant())
    post = make_post(sandbox, f"reconcile me {name} {fault} {mode}")
    if mode == "sync":
        pub = sandbox.publisher(name, ledger=ledger)
        sent = pub.publish(post)
        sandbox.emulator(name).faults.clear()
        return sandbox, post, sent, pub.reconcile(sent, absent_after=0)

    async def run() -> tuple[PublishReport, PublishReport]:
        async with sandbox.async_publisher(name, ledger=ledger) as apub:
            sent = await apub.publish(post)
            sandbox.emulator(name).faults.clear()
            return sent, await apub.reconcile(sent, absent_after=0)

    sent, settled = asyncio.run(run())
    return sandbox, post, sent, settled


def rerun(sandbox: Sandbox, name: str, post: Post, ledger: Ledger) -> PublishReport:
    return sandbox.publisher(name, ledger=ledger).publish(post)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", ["*:publish=drop-after", "*:publish=truncated"])
def test_a_post_that_went_out_is_found_at_postpeer_and_recorded(fault: str, mode: str) -> None:
    ledger = MemoryLedger()
    sandbox, post, sent, settled = publish_then_reconcile("postpeer", fault, mode, ledger)
    assert [p.status for p in sent] == [Status.UNKNOWN, Status.UNKNOWN]
    assert all(p.id is None and p.attempt is not None for p in sent)
    emulator = sandbox.emulator("postpeer")
    assert isinstance(emulator, PostPeerEmulator)
    (post_id,) = emulator.posts
    assert [p.id for p in settled] == [post_id, post_id]
    assert all(p.status is Status.PUBLISHED and p.url and p.error is None for p in settled)
    assert [p.target for p in settled] == list(post.targets)
    again = rerun(sandbox, "postpeer", post, ledger)  # recorded: returned, not sent
    assert [p.status for p in again] == [Status.PUBLISHED, Status.PUBLISHED]
    assert emulator.received() == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", ["*:publish=500", "*:publish=502", "*:publish=html"])
def test_a_post_the_vendor_never_made_is_absent_at_postpeer_and_released(fault: str, mode: str) -> None:
    ledger = MemoryLedger()
    sandbox, post, sent, settled = publish_then_reconcile("postpeer", fault, mode, ledger)
    assert [p.status for p in sent] == [Status.UNKNOWN, Status.UNKNOWN]
    assert all(p.status is Status.FAILED and p.error_code == NOT_FOUND for p in settled)
    assert all(p.error and p.error.startswith("not found at the vendor") for p in settled)
    emulator = sandbox.emulator("postpeer")
    assert emulator.received() == 1
    again = rerun(sandbox, "postpeer", post, ledger)  # released: a re-run sends it
    assert emulator.received() == 2
    assert all(p.ok for p in again)
    sandbox.settle()
    assert emulator.published() == 2  # two targets, once each


def test_a_send_too_recent_to_be_listed_is_not_judged_absent() -> None:
    """A vendor may not list a post it is still making: a young "not found" keeps it unknown and held."""
    ledger = MemoryLedger()
    sandbox = Sandbox(["postpeer"], faults="*:publish=500", timing=Timing.instant())
    post = make_post(sandbox, "too soon to tell")
    pub = sandbox.publisher("postpeer", ledger=ledger)
    sent = pub.publish(post)
    sandbox.emulator("postpeer").faults.clear()
    assert pub.adapter.reconcile_absent_after >= 60
    settled = pub.reconcile(sent)
    assert all(p.status is Status.UNKNOWN and p.error_code != NOT_FOUND for p in settled)
    assert all("reconcile again after" in (p.error or "") for p in settled)
    assert all(p.ok or p.status is Status.UNKNOWN for p in rerun(sandbox, "postpeer", post, ledger))
    assert sandbox.emulator("postpeer").received() == 1  # still held: a re-run sent nothing
    later = pub.reconcile(settled, absent_after=0)
    assert all(p.status is Status.FAILED and p.error_code == NOT_FOUND for p in later)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", ["wahdx", "wonda"])
def test_without_an_id_wahdx_and_wonda_cannot_check_and_say_what_to_check(name: str, mode: str) -> None:
    ledger = MemoryLedger()
    sandbox, post, _, settled = publish_then_reconcile(name, "*:publish=drop-after", mode, ledger)
    assert [p.status for p in settled] == [Status.UNKNOWN, Status.UNKNOWN]
    for p in settled:
        assert p.error is not None
        assert f"check the {p.target.platform} account {p.target.account}" in p.error
        assert "reconcile me" in p.error
        assert "release it" in p.error
    emulator = sandbox.emulator(name)
    rerun(sandbox, name, post, ledger)  # still in doubt: never sent again on its own
    assert emulator.received() == 2  # one request per target, the first time only


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", VENDORS)
def test_an_unknown_with_the_vendors_id_is_found_by_it(name: str, mode: str) -> None:
    sandbox = Sandbox([name], timing=Timing.instant())
    ledger = MemoryLedger()
    pub = sandbox.publisher(name, ledger=ledger)
    post = make_post(sandbox, f"has an id {mode}")
    made = pub.publish(post)
    assert all(p.id for p in made)
    in_doubt = [attrs.evolve(p, status=Status.UNKNOWN, error="the answer was lost") for p in made]
    sandbox.settle()
    if mode == "sync":
        settled = pub.reconcile(in_doubt, absent_after=0)
    else:

        async def run() -> PublishReport:
            async with sandbox.async_publisher(name, ledger=ledger) as apub:
                return await apub.reconcile(in_doubt, absent_after=0)

        settled = asyncio.run(run())
    assert [p.status for p in settled] == [Status.PUBLISHED, Status.PUBLISHED]
    assert [p.id for p in settled] == [p.id for p in made]


@pytest.mark.parametrize("name", VENDORS)
def test_an_id_the_vendor_does_not_know_is_absent(name: str) -> None:
    sandbox = Sandbox([name], timing=Timing.instant())
    pub = sandbox.publisher(name)
    (account,) = [a for a in pub.accounts() if a.platform == "tiktok" and a.username == "sandbox_tiktok"]
    ghost = Publication(
        target=Target("tiktok", account.id),
        provider=name,
        status=Status.UNKNOWN,
        id="no-such-id",
        account_id=account.id,
    )
    (settled,) = pub.reconcile([ghost], absent_after=0)
    assert settled.status is Status.FAILED
    assert settled.error_code == NOT_FOUND


@pytest.mark.parametrize("name", VENDORS)
def test_capabilities_say_which_vendor_settles_every_unknown(name: str) -> None:
    """``Capabilities.reconcile``: where it is true, nothing stays unknown after a lost or a 5xx answer."""
    assert postmux.publisher(name, api_key="k").capabilities.reconcile is (name in CAN_LIST)
    outcomes = []
    for fault in ("*:publish=drop-after", "*:publish=500"):
        _, _, _, settled = publish_then_reconcile(name, fault, "sync", MemoryLedger())
        outcomes += [p.status for p in settled]
    if name in CAN_LIST:
        assert Status.UNKNOWN not in outcomes
    else:
        assert Status.UNKNOWN in outcomes


def test_only_unknowns_are_asked_and_a_claim_elsewhere_is_left_to_its_owner() -> None:
    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    pub = sandbox.publisher("postpeer")
    target = Target("tiktok", "acc")
    held = Publication(
        target=target, provider="postpeer", status=Status.UNKNOWN, error_code="claimed_elsewhere"
    )
    done = Publication(target=target, provider="postpeer", status=Status.PUBLISHED, id="x")
    before = len(sandbox.emulator("postpeer").requests)
    assert list(pub.reconcile([held, done], absent_after=0)) == [held, done]
    assert len(sandbox.emulator("postpeer").requests) == before  # nothing asked


def test_the_attempt_survives_the_ledger_and_a_new_process_reconciles_from_it(tmp_path: Path) -> None:
    """A re-run (another process) gets the recorded unknown with its attempt, and can settle it."""
    path = tmp_path / "ledger.db"
    sandbox = Sandbox(["postpeer"], faults="*:publish=drop-after", timing=Timing.instant())
    post = make_post(sandbox, "across processes")
    with sandbox.publisher("postpeer", ledger=SQLiteLedger(path)) as first:
        sent = first.publish(post)
    sandbox.emulator("postpeer").faults.clear()
    with sandbox.publisher("postpeer", ledger=SQLiteLedger(path)) as second:
        again = second.publish(post)  # in doubt: returned from the ledger, not sent
        assert [p.status for p in again] == [Status.UNKNOWN, Status.UNKNOWN]
        assert [p.attempt for p in again] == [p.attempt for p in sent]
        attempt = again[0].attempt
        assert attempt is not None
        assert attempt.content_digest == content_digest("across processes")
        settled = second.reconcile(again, absent_after=0)
        assert all(p.status is Status.PUBLISHED for p in settled)
        third = second.publish(post)
    assert [p.status for p in third] == [Status.PUBLISHED, Status.PUBLISHED]
    assert sandbox.emulator("postpeer").received() == 1


def test_an_attempt_round_trips_through_to_dict() -> None:
    p = Publication(
        target=Target("tiktok", "a"),
        provider="x",
        status=Status.UNKNOWN,
        attempt=Attempt.of(Post(text="hé", media=["https://h/v.mp4"]), "a"),
    )
    back = Publication.from_dict(p.to_dict())
    assert back.attempt == p.attempt
    assert back.attempt is not None
    assert back.attempt.media == ("https://h/v.mp4",)


def test_a_vendor_that_cannot_be_asked_leaves_each_unknown_saying_so() -> None:
    sandbox = Sandbox(["postpeer"], faults="*:publish=drop-after", timing=Timing.instant())
    pub = sandbox.publisher("postpeer")
    sent = pub.publish(make_post(sandbox, "vendor down"))
    sandbox.emulator("postpeer").faults.clear()
    sandbox.emulator("postpeer").faults.add("*:status=500")  # every read of the list fails
    settled = pub.reconcile(sent, absent_after=0)
    assert [p.status for p in settled] == [Status.UNKNOWN, Status.UNKNOWN]
    assert all("could not be asked" in (p.error or "") for p in settled)
    assert all("reconcile again" in (p.error or "") for p in settled)

    def miscount(publications: Sequence[Publication]) -> Flow[list[Finding]]:
        return []
        yield  # pragma: no cover

    pub.adapter.reconcile = miscount  # type: ignore[method-assign]
    sandbox.emulator("postpeer").faults.clear()
    assert all("could not be asked" in (p.error or "") for p in pub.reconcile(sent, absent_after=0))


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_id_a_cut_short_answer_still_shows_is_used(mode: str) -> None:
    """Wahdx's Instagram answer, cut in half, still holds its whole ``publish_id``; TikTok's is cut in it."""
    ledger = MemoryLedger()
    _, _, sent, settled = publish_then_reconcile("wahdx", "*:publish=truncated", mode, ledger)
    tiktok, instagram = settled
    assert all(p.attempt is not None and p.attempt.answer for p in sent)
    assert instagram.status is Status.PUBLISHED
    assert instagram.id is not None
    assert tiktok.status is Status.UNKNOWN  # "v_pub…" cut inside: nothing salvaged, nothing guessed


def test_salvaged_takes_only_a_whole_json_string() -> None:
    def with_answer(answer: str) -> Publication:
        attempt = Attempt.of(Post(text="x"), "a", answer=answer)
        return Publication(target=Target("tiktok", "a"), provider="x", status=Status.UNKNOWN, attempt=attempt)

    assert salvaged(with_answer('{"data":{"publish_id":"v_1~2","x'), "publish_id").id == "v_1~2"
    assert salvaged(with_answer('{"data":{"publish_id":"v_1'), "publish_id").id is None
    assert salvaged(with_answer('{"other":"v_1"}'), "publish_id").id is None


def test_a_claim_a_crashed_run_never_recorded_is_reconciled_from_the_post_itself() -> None:
    """Sent (phase ``sending``), then the process died: the re-run's ``unknown`` carries an attempt."""
    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    ledger = MemoryLedger()
    pub = sandbox.publisher("postpeer", ledger=ledger)
    post = make_post(sandbox, "the crashed run")
    routes = pub.routes(post, pub.accounts())
    dead = Owner("elsewhere", 1, "crashed")
    for route in routes:
        key = pub.target_key(route)
        assert ledger.claim(post.ledger_key, key, owner=dead, lease=0.0)
        assert ledger.sending(post.ledger_key, key, dead)
    in_doubt = pub.publish(post)
    assert all(p.status is Status.UNKNOWN and p.attempt is not None for p in in_doubt)
    assert sandbox.emulator("postpeer").received() == 0
    settled = pub.reconcile(in_doubt, absent_after=0)  # the crash came before PostPeer made anything
    assert all(p.error_code == NOT_FOUND for p in settled)
    assert all(p.ok for p in pub.publish(post))  # released: sent now, once
    assert sandbox.emulator("postpeer").received() == 1


def photo_post(sandbox: Sandbox, text: str, photo: str) -> Post:
    return Post(
        text=text, media=[sandbox.sample_url(photo)], targets=[Target("instagram", "@sandbox_instagram")]
    )


@pytest.mark.parametrize("text", ["Monday's photo #daily", ""])
def test_another_post_of_the_same_text_to_the_account_is_not_taken_for_the_one_in_doubt(text: str) -> None:
    """The same caption (or none) on another photo a minute earlier: not this send's post.

    Taking it would report the photo in doubt as published with the other's id
    and URL, and the ledger would never let it be sent.
    """
    ledger = MemoryLedger()
    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    emulator = sandbox.emulator("postpeer")
    pub = sandbox.publisher("postpeer", ledger=ledger)
    (earlier,) = pub.publish(photo_post(sandbox, text, "photo-1.jpg"))
    assert earlier.ok
    emulator.faults.add("*:publish=500")  # PostPeer made nothing of the second
    post = photo_post(sandbox, text, "photo-2.jpg")
    sent = pub.publish(post)
    emulator.faults.clear()
    (settled,) = pub.reconcile(sent, absent_after=0)
    assert settled.id != earlier.id
    assert settled.status is Status.UNKNOWN  # PostPeer's list holds a post of its text, on other media
    assert earlier.id is not None
    assert earlier.id in (settled.error or "")
    assert "release it" in (settled.error or "")
    rerun(sandbox, "postpeer", post, ledger)  # still held: never sent again on its own
    assert emulator.received() == 2


def test_of_two_posts_of_the_same_text_the_one_with_the_sends_media_is_found() -> None:
    ledger = MemoryLedger()
    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    emulator = sandbox.emulator("postpeer")
    assert isinstance(emulator, PostPeerEmulator)
    pub = sandbox.publisher("postpeer", ledger=ledger)
    (earlier,) = pub.publish(photo_post(sandbox, "same caption", "photo-1.jpg"))
    emulator.faults.add("*:publish=drop-after")  # made, the answer lost
    (sent,) = pub.publish(photo_post(sandbox, "same caption", "photo-2.jpg"))
    emulator.faults.clear()
    (settled,) = pub.reconcile([sent], absent_after=0)
    (made,) = [post_id for post_id in emulator.posts if post_id != earlier.id]
    assert settled.status is Status.PUBLISHED
    assert settled.id == made


def test_a_failed_post_of_an_earlier_try_does_not_release_a_send_too_recent_to_be_listed() -> None:
    """A failed earlier try of the same post matches by text and account: it is not this send.

    Settling this send ``failed`` from it would release the target while the
    post this send made may still be on its way into the list: a re-run would
    post it twice. So it is held like a young "not found".
    """
    ledger = MemoryLedger()
    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    emulator = sandbox.emulator("postpeer")
    pub = sandbox.publisher("postpeer", ledger=ledger)
    post = photo_post(sandbox, "try again", "photo-1.jpg")
    (account,) = [a for a in pub.accounts() if a.username == "sandbox_instagram"]
    i = next(n for n, a in enumerate(emulator.accounts) if a.id == account.id)
    emulator.accounts[i] = attrs.evolve(emulator.accounts[i], active=False)
    (first,) = pub.publish(post)
    assert first.status is Status.FAILED  # PostPeer made the post, its entry failed
    emulator.accounts[i] = attrs.evolve(emulator.accounts[i], active=True)  # reconnected
    emulator.faults.add("*:publish=500")  # the second try: nothing listed (yet)
    sent = pub.publish(post)
    emulator.faults.clear()
    (settled,) = pub.reconcile(sent)  # the vendor's own delay: this send is seconds old
    assert settled.status is Status.UNKNOWN
    assert "reconcile again after" in (settled.error or "")
    rerun(sandbox, "postpeer", post, ledger)  # still held: a re-run sends nothing
    assert emulator.received() == 2
    (later,) = pub.reconcile([settled], absent_after=0)  # old enough: the failed try settles it
    assert later.status is Status.FAILED


def test_a_crashed_run_with_a_longer_lease_is_reconciled_from_when_it_really_sent(tmp_path: Path) -> None:
    """A worker whose ledger has ``lease=4000`` sent, then died; a run with the default lease finds its post.

    When the request left is the moment the worker marked it sending, not the
    end of the lease less *this* run's lease: off by 3700 s, PostPeer's list was
    read from after the post was made, so it was judged absent and sent twice.
    """
    path = tmp_path / "ledger.db"
    sandbox = Sandbox(["postpeer"], timing=Timing.instant())
    emulator = sandbox.emulator("postpeer")
    post = make_post(sandbox, "the long lease")
    ago = 4400.0
    emulator.clock.advance(-ago)  # the worker's time, 4400 s ago
    worker = SQLiteLedger(path, lease=4000.0)
    probe = sandbox.publisher("postpeer", ledger=worker)
    dead = Owner("worker", 1, "crashed")
    for route in probe.routes(post, probe.accounts()):
        key = probe.target_key(route)
        assert worker.claim(post.ledger_key, key, owner=dead)
        assert worker.sending(post.ledger_key, key, dead)
    made = sandbox.publisher("postpeer").publish(post)  # the worker's request: made at PostPeer, then it died
    assert all(p.ok for p in made)
    worker.close()
    with sqlite3.connect(path) as db:  # what 4400 s of waiting does to the worker's row
        db.execute(
            "UPDATE postmux_ledger SET claimed_at = claimed_at - ?, expires_at = expires_at - ?,"
            " updated_at = updated_at - ?",
            (ago, ago, ago),
        )
    emulator.clock.advance(ago)
    with sandbox.publisher("postpeer", ledger=SQLiteLedger(path)) as pub:  # the default lease, 300 s
        in_doubt = pub.publish(post)
        assert all(p.status is Status.UNKNOWN and p.attempt is not None for p in in_doubt)
        settled = pub.reconcile(in_doubt)
        assert [p.id for p in settled] == [p.id for p in made]
        assert all(p.status is Status.PUBLISHED for p in settled)
        pub.publish(post)
    assert emulator.received() == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_post_whose_account_wahdx_cannot_find_is_not_judged_absent(mode: str) -> None:
    """Wahdx's "Account not found" says nothing of the post: reconcile must not release it for a re-run.

    The post went out; then Wahdx no longer finds the account (unlinked, say):
    the batch status says it cannot check (``unknown``), and the single status
    lookup reconcile asks answers 404 "Account not found". Taking that 404 for
    the post's absence released the target, and once the account was linked
    again a re-run posted the video a second time.
    """
    ledger = MemoryLedger()
    sandbox = Sandbox(["wahdx"], timing=Timing.instant())
    emulator = sandbox.emulator("wahdx")
    post = Post(
        text=f"whose account went away {mode}",
        media=[sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok")],
    )
    pub = sandbox.publisher("wahdx", ledger=ledger)
    (made,) = pub.publish(post)
    assert made.id
    assert made.status is Status.PROCESSING
    sandbox.settle()
    (account,) = [a for a in emulator.accounts if a.id == made.account_id]
    emulator.accounts.remove(account)  # Wahdx no longer finds the account
    (checked,) = pub.wait(made, timeout=0)  # the batch: "Account not found", cannot check
    assert checked.status is Status.UNKNOWN
    if mode == "sync":
        (settled,) = pub.reconcile([checked], absent_after=0)
    else:

        async def run() -> PublishReport:
            async with sandbox.async_publisher("wahdx", ledger=ledger) as apub:
                return await apub.reconcile([checked], absent_after=0)

        (settled,) = asyncio.run(run())
    assert settled.status is Status.UNKNOWN
    assert settled.error_code != NOT_FOUND
    assert "Account not found" in (settled.error or "")
    emulator.link(account)  # linked again
    rerun(sandbox, "wahdx", post, ledger)
    assert emulator.received() == 1  # still held: never posted twice
