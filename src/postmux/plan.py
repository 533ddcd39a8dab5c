"""What a publisher does, written once as sans-I/O plans that both publishers carry out.

A plan is a generator, like an adapter's flow one level up: it *yields* a
step (a flow to run, local media to host or drop, sub-plans to run
concurrently, a pause), *receives* the step's result — or has the step's
exception thrown in at the ``yield`` — and returns the operation's result.
Every decision of ``publish`` (resolve, validate, claim, stage, batches,
record) and of ``wait`` (what to poll, when to stop, what to remember) is
made here, once; :class:`~postmux.Publisher` carries the steps out with
threads and :class:`~postmux.AsyncPublisher` with asyncio tasks, both
within ``max_concurrency``. That is all they add.

A plan can be stepped by hand, as a flow can: a test sends each step's
result and sees the next decision with no HTTP at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from . import errors
from ._record import Record
from .adapter import Route
from .core import PublisherCore, as_publications
from .errors import Problem
from .fetch import FetchPolicy
from .flow import Flow
from .ledger import Owner
from .post import Post, Target
from .results import Publication, PublishReport

if TYPE_CHECKING:  # loaded by preview(), media hosting and account listings: a plain publish loads none
    from .accounts import Account, CreatorInfo
    from .hosting import HostedFile
    from .preview import Preview

__all__ = [
    "Concurrently",
    "DropHosted",
    "HostMedia",
    "Pause",
    "Plan",
    "RunFlow",
    "Step",
    "cleaning",
    "creator_info",
    "listing",
    "previewing",
    "publishing",
    "reconciling",
    "refreshing",
    "validating",
    "waiting",
]

T = TypeVar("T")


# The steps are plain slotted records (postmux._record), not NamedTuples or attrs classes: those
# cost ~0.5-1.5 M instructions each to define at import, these ~0.1 M (issue 15's start-up), and a
# step is only made, dispatched on its type and read.


class RunFlow(Record):
    """Drive an adapter flow; the result is the flow's value (media downloads under ``fetch``)."""

    __slots__ = ("flow", "fetch")  # noqa: RUF023 - the fields' order, which the repr shows

    def __init__(self, flow: Flow[Any], fetch: FetchPolicy | None = None) -> None:
        self.flow = flow
        self.fetch = fetch


class HostMedia(Record):
    """Put ``post``'s local files on the media host; the result is ``(wire post, hosted files)``."""

    __slots__ = ("post",)

    def __init__(self, post: Post) -> None:
        self.post = post


class DropHosted(Record):
    """Remove hosted files, quietly (they expire anyway); the result is ``None``."""

    __slots__ = ("hosted",)

    def __init__(self, hosted: tuple[HostedFile, ...]) -> None:
        self.hosted = hosted


class Concurrently(Record):
    """Carry out every plan, at most ``max_concurrency`` at once; the result is their values, in order."""

    __slots__ = ("plans",)

    def __init__(self, plans: Sequence[Plan[Any]]) -> None:
        self.plans = plans


class Pause(Record):
    """Wait ``seconds`` (the publisher's ``sleep``); the result is ``None``."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


Step = RunFlow | HostMedia | DropHosted | Concurrently | Pause
"""What a plan asks its publisher to do."""

Plan = Generator[Step, Any, T]
"""A sans-I/O publisher operation returning ``T``."""


# -- publishing ----------------------------------------------------------------


def publishing(
    core: PublisherCore, post: Post, targets: Sequence[Target | str] | None = None
) -> Plan[PublishReport]:
    """``publish(post, targets=…)``: see :meth:`postmux.Publisher.publish` for what it promises."""
    post = core.select(post, targets)
    core.prepare(post)
    accounts = None
    if core.needs_accounts(post):
        try:
            accounts = yield from listing(core)
        except errors.PostmuxError as exc:  # nothing was sent: each target's outcome, never a raise
            return core.unresolved(post, exc)
    routes = core.routes(post, accounts)
    owner = Owner.here()
    known = core.claim(post, routes, owner)
    todo = [i for i in range(len(routes)) if i not in known]
    if not todo:
        return core.assemble(len(routes), known, {})
    pending = [routes[i] for i in todo]
    # the vendor's flow sees URLs for local files where it takes URLs only; the
    # ledger keeps the post as the app wrote it
    wire = post
    hosted: tuple[HostedFile, ...] = ()
    try:
        if core.needs_hosting(post):
            wire, hosted = yield HostMedia(post)
        media = yield RunFlow(core.adapter.stage(wire, pending), core.fetch_for(wire, pending))
    except Exception as exc:  # no post was sent: each pending target's outcome, never a raise
        if hosted:
            yield DropHosted(hosted)
        sent = dict(zip(todo, core.staging_failed(post, pending, exc, owner), strict=True))
        return core.assemble(len(routes), known, sent)
    except BaseException as exc:  # cancelled, interrupted: nothing was sent, so a re-run may send them
        if hosted and not isinstance(exc, GeneratorExit):  # a closed plan can take no more steps
            yield DropHosted(hosted)
        core.abandon(post, pending, owner)
        raise
    batches = core.adapter.batches(wire, pending)
    try:
        outcomes = yield Concurrently([_batch(core, post, wire, b, media, owner) for b in batches])
    except BaseException:  # cancelled, interrupted: the batches that never started give their claims back
        core.abandon(post, pending, owner)  # only claims not marked sending: a sent one stays in doubt
        raise
    index = {id(route): i for i, route in zip(todo, pending, strict=True)}
    sent = {}
    for batch, results in zip(batches, outcomes, strict=True):
        for route, publication in zip(batch, results, strict=True):
            sent[index[id(route)]] = publication
    return core.assemble(len(routes), known, sent, hosted)


def _batch(
    core: PublisherCore,
    post: Post,
    wire: Post,
    batch: Sequence[Route],
    media: tuple[str, ...],
    owner: Owner,
) -> Plan[list[Publication]]:
    """One batch: still owned? then sent, checked and recorded; a raise is the batch's outcome."""
    live, lost = core.sending(post, batch, owner)  # just before its request: a lease may have run out
    results: list[Publication] = []
    if live:
        try:
            answer = yield RunFlow(core.adapter.publish(wire, live, media))
            results = core.checked(post, live, answer)
        except Exception as exc:
            results = core.failed_batch(post, live, exc)
        except BaseException as exc:  # cancelled, interrupted with its request out: in doubt, and said so
            if not isinstance(exc, GeneratorExit):
                core.record(post, live, core.interrupted(post, live, exc))
            raise
        results = core.record(post, live, results)
    return core.merged(len(batch), lost, results)


# -- following -----------------------------------------------------------------


def refreshing(core: PublisherCore, publication: Publication) -> Plan[Publication]:
    """``status(publication)``: the vendor's state now, recorded in the ledger when it changed."""
    now = yield RunFlow(core.adapter.status(publication))
    return core.remember([publication], [now])[0]


def reconciling(
    core: PublisherCore,
    report: PublishReport | Publication | Sequence[Publication],
    absent_after: float | None,
) -> Plan[PublishReport]:
    """``reconcile(…)``: see :meth:`postmux.Publisher.reconcile` for what it promises."""
    from . import reconcile  # settling unknowns only: a publish never loads it

    current, asked = reconcile.plan(core, report)
    findings: list[reconcile.Finding] = []
    if asked:
        try:
            findings = yield RunFlow(core.adapter.reconcile(asked))
        except errors.PostmuxError as exc:  # the vendor could not be asked: each stays unknown, saying so
            findings = reconcile.not_asked(asked, core.provider, exc)
    wait = core.adapter.reconcile_absent_after if absent_after is None else absent_after
    return reconcile.conclude(core, report, current, findings, wait)


def waiting(
    core: PublisherCore,
    report: PublishReport | Publication | Sequence[Publication],
    timeout: float,
    interval: float | None,
    on_update: Callable[[Publication], object] | None,
) -> Plan[PublishReport]:
    """``wait(…)``: see :meth:`postmux.Publisher.wait` for what it promises."""
    current = as_publications(report)
    pauses = core.pauses(interval)
    deadline = time.monotonic() + timeout
    while True:
        todo = core.pollable(current)
        if not todo:
            return (yield from _settling(report, current))
        polled = [current[i] for i in todo]
        states, read = yield from _polled(core, polled)
        # only what was read is recorded: an unread one's last state may be older than the ledger's
        fresh = [j for j in range(len(polled)) if read[j]]
        for j, p in zip(
            fresh, core.remember([polled[j] for j in fresh], [states[j] for j in fresh]), strict=True
        ):
            states[j] = p
        refreshed = states
        for i, p in zip(todo, refreshed, strict=True):
            current[i] = p
        if on_update is not None:
            for p in core.changed(polled, refreshed):
                on_update(p)
        if not core.pollable(current):
            return (yield from _settling(report, current))
        left = deadline - time.monotonic()
        if left <= 0:
            raise errors.TimeoutError(
                f"not every publication was final after {timeout:g} s",
                core.settled(report, current),  # not all final: it removes nothing
            )
        yield Pause(min(next(pauses), left))


def _polled(
    core: PublisherCore, publications: list[Publication]
) -> Plan[tuple[list[Publication], list[bool]]]:
    """Every publication's state now, and whether it was read (batches capped per vendor, concurrently)."""
    many = core.capabilities.batch_status
    groups = core.chunks(publications) if many else [[i] for i in range(len(publications))]
    done = yield Concurrently([_read(core, [publications[i] for i in group], many) for group in groups])
    current = list(publications)
    read = [False] * len(publications)
    for group, (states, ok) in zip(groups, done, strict=True):
        for i, state in zip(group, states, strict=True):
            current[i], read[i] = state, ok
    return current, read


def _read(core: PublisherCore, group: list[Publication], many: bool) -> Plan[tuple[list[Publication], bool]]:
    try:
        if many:
            states: list[Publication] = yield RunFlow(core.adapter.status_many(group))
            if len(states) != len(group):  # a plugin's slip: the publications' states cannot be matched
                why = f"status_many answered {len(states)} publications for {len(group)} asked about"
                raise errors.ResponseError(why, provider=core.provider)
            return states, True
        return [(yield RunFlow(core.adapter.status(group[0])))], True
    except Exception as exc:  # one unreadable answer: the last states kept, the error noted
        return core.unread(group, exc), False


def _settling(given: object, current: Sequence[Publication]) -> Plan[PublishReport]:
    """``wait()``'s final report: hosted media of ``given`` is removed once all is final."""
    hosted = given.hosted if isinstance(given, PublishReport) else ()
    if hosted and all(p.is_final for p in current):
        yield DropHosted(hosted)
        hosted = ()
    return PublishReport(tuple(current), hosted=hosted)


def cleaning(report: PublishReport) -> Plan[PublishReport]:
    """``clean_up(report)``: its hosted media removed now, the report without them."""
    if report.hosted:
        yield DropHosted(report.hosted)
    return PublishReport(report.results)


# -- accounts and checks ---------------------------------------------------------


def listing(core: PublisherCore, *, refresh: bool = False) -> Plan[list[Account]]:
    """``accounts()``: asked once and cached (``refresh=True`` asks again)."""
    if core._accounts is None or refresh:
        core._accounts = yield RunFlow(core.adapter.accounts())
    return list(core._accounts)


def validating(core: PublisherCore, post: Post, now: datetime | None) -> Plan[list[Problem]]:
    """``validate(post, resolve=True)``: the problems, with those only the vendor's accounts show."""
    accounts = (yield from listing(core)) if core._can_resolve(post) else []
    return core.resolved_problems(post, accounts, now=now)


def previewing(core: PublisherCore, post: Post, resolve: bool) -> Plan[Preview]:
    """``preview(post)``: validated, ``@username`` targets resolved unless ``resolve`` is false."""
    core.prepare(post)
    accounts = (yield from listing(core)) if resolve and core.needs_accounts(post) else None
    return core.previewed(post, accounts, resolve=resolve)


def creator_info(core: PublisherCore, account_id: str) -> Plan[CreatorInfo]:
    """``creator_info(account_id)``, an ``@username`` resolved first."""
    if account_id.startswith("@"):
        account_id = core.resolve("tiktok", account_id, (yield from listing(core)))
    info: CreatorInfo = yield RunFlow(core.adapter.creator_info(account_id))
    return info
