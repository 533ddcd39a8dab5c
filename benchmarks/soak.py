"""The soak: every fault kind on every route, then ``wait()`` and ``reconcile()``; nothing lost or twice.

Per vendor, sync and async, ``N`` posts (each to a TikTok and an Instagram
account, each with its own text) are published through the in-process
sandbox while every request to any route (the ``publish``, ``status``,
``upload`` and ``accounts`` roles) meets a fault with probability 0.2, its
kind drawn evenly from every kind the sandbox has (429, 500, 502, 503 with
and without ``Retry-After``, dropped before and after, an HTML page, a cut
JSON body, a stuck or failed publication), plus latency at p = 0.2. Then the
emulators' processing is settled, ``wait()`` follows every publication, and
``reconcile()`` asks the vendor about every ``unknown`` (again while a
``reconcile again`` reason is left, at most :data:`PASSES` times).

Against the sandbox's truth (what each emulator made, by account and text):
**duplicates** (a target made more than once) must be 0, **lost** (a target
with no publication in its report) 0, **contradictions** (``published`` where
nothing is live, ``failed`` or ``cancelled`` where something is) 0; and
``unknown`` before and after reconcile, with every reason left after it
(goal after: 0 at PostPeer; at the others only what their API cannot check).
Fault p is per request; retried requests draw again. Sleeps are cut to 10 ms
(``Retry-After`` included): the emulators' time is what matters.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs

import postmux
from benchmarks.measure import Row, Summary
from postmux import MemoryLedger, Post, Publication, PublishReport, Status, Target
from postmux.sandbox import ROLES, FaultKind, Sandbox, Timing
from postmux.sandbox.lifecycle import Phase

__all__ = ["Outcome", "fault_plan", "figures", "soak"]

P = 0.2
"""The chance that a request meets a fault (any kind), and, separately, latency."""
PASSES = 3
"""At most this many ``reconcile()`` calls, while a publication's reason says "reconcile again"."""
KINDS = (
    "429:retry-after=1",
    "500",
    "502",
    "503",
    "503:retry-after=1",
    "drop-before",
    "drop-after",
    "html",
    "truncated",
    "stuck",
    "fail",
)
"""Every fault kind of :class:`~postmux.sandbox.FaultKind` but latency (added beside them)."""
LIVE = {Phase.PUBLISHED, Phase.INBOX}


def fault_plan(p: float = P, roles: Sequence[str] = ROLES) -> list[str]:
    """Rules giving each request one fault with probability ``p``, its kind even among :data:`KINDS`.

    A plan tries its rules in order and fires at most one that is not latency,
    so rule i fires with ``(p/n) / (1 - i·p/n)``: each kind then has ``p/n``.
    """
    assert {k.split(":")[0] for k in KINDS} | {FaultKind.LATENCY.value} == {k.value for k in FaultKind}
    share = p / len(KINDS)
    rules: list[str] = []
    for role in roles:
        rules.append(f"*:{role}=latency=1ms:p={p}")
        for i, kind in enumerate(KINDS):
            rules.append(f"*:{role}={kind}:p={share / (1 - i * share):.6f}")
    return rules


@attrs.define
class Outcome:
    """One soak run's figures."""

    vendor: str
    mode: str
    posts: int
    targets: int = 0
    duplicates: int = 0
    lost: int = 0
    contradictions: int = 0
    unknown_before: int = 0
    unknown_after: int = 0
    found: int = 0
    absent: int = 0
    passes: int = 0
    seconds: float = 0.0
    reasons: collections.Counter[str] = attrs.field(factory=collections.Counter)
    examples: list[str] = attrs.field(factory=list)


def _posts(sandbox: Sandbox, n: int, tag: str) -> list[Post]:
    media = [sandbox.sample_url("clip.mp4")]
    targets = [Target("tiktok", "@sandbox_tiktok"), Target("instagram", "@sandbox_instagram")]
    return [Post(text=f"soak {tag} #{i}", media=media, targets=targets) for i in range(n)]


def _short(seconds: float) -> None:
    time.sleep(min(seconds, 0.01))


async def _ashort(seconds: float) -> None:
    await asyncio.sleep(min(seconds, 0.01))


def _run_sync(
    sandbox: Sandbox, vendor: str, posts: Sequence[Post], patience: float
) -> tuple[list[Any], list[Publication]]:
    pub = sandbox.publisher(vendor, ledger=MemoryLedger(), sleep=_short, max_concurrency=4)

    def one(post: Post) -> PublishReport | BaseException:
        try:
            return pub.publish(post)
        except Exception as exc:  # a raise after the first byte is a lost result: counted
            return exc

    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(one, posts))
    sent = [p for r in reports if isinstance(r, PublishReport) for p in r]
    sandbox.settle()
    try:
        followed = list(pub.wait(sent, timeout=patience))
    except postmux.TimeoutError as exc:  # stuck ones stay processing: their state is kept
        followed = list(exc.report) if isinstance(exc.report, PublishReport) else sent
    return reports, _reconciled(lambda ps: list(pub.reconcile(ps, absent_after=0)), followed)


def _run_async(
    sandbox: Sandbox, vendor: str, posts: Sequence[Post], patience: float
) -> tuple[list[Any], list[Publication]]:
    async def go() -> tuple[list[Any], list[Publication]]:
        apub = sandbox.async_publisher(vendor, ledger=MemoryLedger(), sleep=_ashort, max_concurrency=16)
        async with apub:
            gate = asyncio.Semaphore(16)

            async def one(post: Post) -> PublishReport | BaseException:
                async with gate:
                    try:
                        return await apub.publish(post)
                    except Exception as exc:
                        return exc

            reports = list(await asyncio.gather(*(one(p) for p in posts)))
            sent = [p for r in reports if isinstance(r, PublishReport) for p in r]
            sandbox.settle()
            try:
                followed = list(await apub.wait(sent, timeout=patience))
            except postmux.TimeoutError as exc:
                followed = list(exc.report) if isinstance(exc.report, PublishReport) else sent
            current = followed
            for _ in range(PASSES):
                current = list(await apub.reconcile(current, absent_after=0))
                if not _again(current):
                    break
            return reports, current

    return asyncio.run(go())


def _again(publications: Sequence[Publication]) -> bool:
    return any(p.status is Status.UNKNOWN and "reconcile again" in (p.error or "") for p in publications)


def _reconciled(
    reconcile: Callable[[list[Publication]], list[Publication]], current: list[Publication]
) -> list[Publication]:
    for _ in range(PASSES):
        current = reconcile(current)
        if not _again(current):
            break
    return current


def soak(vendor: str, mode: str, n: int, *, seed: int = 1, patience: float = 10.0) -> Outcome:
    """One vendor, one mode: publish ``n`` posts under the fault plan, follow, reconcile, check.

    ``patience`` is ``wait()``'s timeout: stuck publications never end, so it always runs out.
    """
    sandbox = Sandbox([vendor], seed=seed, timing=Timing.instant())
    sandbox.inject(*fault_plan(P, sorted(sandbox.emulator(vendor).roles())))  # every route it has
    posts = _posts(sandbox, n, f"{vendor} {mode}")
    outcome = Outcome(vendor, mode, n, targets=sum(len(p.targets) for p in posts))
    started = time.perf_counter()
    reports, final = (_run_sync if mode == "sync" else _run_async)(sandbox, vendor, posts, patience)
    outcome.seconds = time.perf_counter() - started
    sent = [p for r in reports if isinstance(r, PublishReport) for p in r]
    outcome.lost = sum(
        len(post.targets) - (len(r) if isinstance(r, PublishReport) else 0)
        for post, r in zip(posts, reports, strict=True)
    )
    outcome.examples += [repr(r)[:200] for r in reports if not isinstance(r, PublishReport)][:3]
    texts = [p.text for p, r in zip(posts, reports, strict=True) if isinstance(r, PublishReport) for _ in r]
    _judge(outcome, sandbox, vendor, sent, final, texts)
    return outcome


def _judge(
    outcome: Outcome,
    sandbox: Sandbox,
    vendor: str,
    sent: list[Publication],
    final: list[Publication],
    texts: list[str],
) -> None:
    """Duplicates, contradictions and unknowns, against what the emulator made."""
    emulator = sandbox.emulator(vendor)
    made: dict[tuple[str, str], list[Phase]] = collections.defaultdict(list)
    for record in emulator.records:
        made[(record.account_id, record.text)].append(emulator.phase(record))
    outcome.duplicates = sum(len(phases) - 1 for phases in made.values() if len(phases) > 1)
    outcome.unknown_before = sum(1 for p in sent if p.status is Status.UNKNOWN)
    for p, text in zip(final, texts, strict=True):
        phases = made.get((p.account_id or "", text), [])
        live = any(phase in LIVE for phase in phases)
        if p.status in (Status.PUBLISHED, Status.INBOX) and not live:
            outcome.contradictions += 1
            outcome.examples.append(f"said {p.status.value}, nothing live: {p.target} {text!r}")
        elif p.status in (Status.FAILED, Status.CANCELLED) and live:
            outcome.contradictions += 1
            outcome.examples.append(f"said {p.status.value}, live: {p.target} {text!r} ({p.error})")
        if p.status is Status.UNKNOWN:
            outcome.unknown_after += 1
            outcome.reasons[(p.error or "no reason").split(":")[0][:110]] += 1
        if p.error_code == "not_found_at_vendor":
            outcome.absent += 1
    outcome.found = sum(
        1 for b, a in zip(sent, final, strict=True) if b.status is Status.UNKNOWN and a.ok and a.id
    )


def print_outcomes(outcomes: Sequence[Outcome]) -> None:
    """The soak's own table, and the reasons left after reconcile."""
    head = ("vendor", "mode", "posts", "targets", "dup", "lost", "contra", "unk before", "found",
            "absent", "unk after", "s")  # fmt: skip
    print("  " + " ".join(f"{h:>10}" for h in head))
    for o in outcomes:
        cells = (o.vendor, o.mode, o.posts, o.targets, o.duplicates, o.lost, o.contradictions,
                 o.unknown_before, o.found, o.absent, o.unknown_after, f"{o.seconds:.0f}")  # fmt: skip
        print("  " + " ".join(f"{c!s:>10}" for c in cells))
    for o in outcomes:
        for reason, count in o.reasons.most_common():
            print(f"  {o.vendor} {o.mode}: {count} still unknown: {reason}")
        for example in o.examples[:5]:
            print(f"  {o.vendor} {o.mode}: {example}")


def figures(quick: bool, vendors: Sequence[str] = ("postpeer", "wahdx", "wonda")) -> list[Row]:
    """The soak's rows: per vendor, duplicates + lost + contradictions (goal 0) and unknowns left."""
    n, patience = (60, 2.0) if quick else (1000, 10.0)
    outcomes = [soak(v, mode, n, patience=patience) for v in vendors for mode in ("sync", "async")]
    print()
    print_outcomes(outcomes)
    rows: list[Row] = []
    for o in outcomes:
        wrong = o.duplicates + o.lost + o.contradictions
        rows.append(
            Row(
                f"soak-{o.vendor}-{o.mode}",
                f"{o.targets} targets at p={P}: dup+lost+contradicted; unknown {o.unknown_before}→"
                f"{o.unknown_after}",
                Summary(wrong, wrong, wrong),
                None,
                None,
                unit="",
                goal="0 wrong" + ("; 0 unknown after" if o.vendor == "postpeer" else ""),
                met=wrong == 0 and (o.vendor != "postpeer" or o.unknown_after == 0),
            )
        )
    return rows
