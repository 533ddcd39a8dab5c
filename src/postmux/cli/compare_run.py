"""``postmux compare --run``: the same post through each vendor's emulator, timed and counted.

The sandbox is started in this process (emulators on loopback, as ``postmux
demo`` does). The post is sent as it is, except for what an emulator cannot
have: media URLs become the sandbox's own samples of the same kind (nothing
comes from the internet) and each target goes to the emulator's account of
that name, else its first active account on that platform. Each vendor gets
its own :class:`httpx.Client` whose request hook counts every request the
publisher makes (staging, publishing and status polls, retries included).
Real vendors are not run: that needs keys and would publish for real.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import httpx

from ..comparison import target_problems
from ..media import Media, MediaKind
from ..post import Post, Target
from ..status import Status
from .output import Output
from .waiting import Group, wait_all

__all__ = ["POLL_INTERVAL", "VendorRun", "run_all", "show_runs"]

POLL_INTERVAL = 0.1
"""Seconds between status polls: the emulators' work takes about two seconds."""


@attrs.define
class _Counter:
    count: int = 0
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    def __call__(self, request: httpx.Request) -> None:
        with self.lock:
            self.count += 1


@attrs.define
class VendorRun:
    """One vendor's run: per target what it became, the time to final, and the requests made."""

    provider: str
    targets: list[dict[str, Any]] = attrs.field(factory=list)
    problems: list[str] = attrs.field(factory=list)
    seconds: float | None = None
    requests: int = 0
    publish_requests: int = 0
    counter: _Counter = attrs.field(factory=_Counter, repr=False)

    @property
    def outcome(self) -> str:
        """``refused``, or the statuses reached, counted (``published`` when all were)."""
        if self.problems:
            return "not run"
        statuses = [t["status"] for t in self.targets]
        if statuses and all(s == Status.PUBLISHED.value for s in statuses):
            return Status.PUBLISHED.value
        return ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses)) or "nothing sent"

    @property
    def ok(self) -> bool:
        """True when every target that was sent ended well (refused ones are reported, not failures)."""
        good = {Status.PUBLISHED.value, Status.INBOX.value, Status.SCHEDULED.value, "refused"}
        return not self.problems and all(t["status"] in good for t in self.targets)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "provider": self.provider,
            "outcome": self.outcome,
            "seconds": round(self.seconds, 3) if self.seconds is not None else None,
            "requests": self.requests,
            "publish_requests": self.publish_requests,
            "poll_requests": self.requests - self.publish_requests,
            "problems": list(self.problems),
            "targets": list(self.targets),
        }


def _sample_media(post: Post, sample_url: Any) -> tuple[Media, ...]:
    out: list[Media] = []
    for i, item in enumerate(post.media):
        if item.is_local:
            out.append(item)
        elif item.kind is MediaKind.VIDEO:
            out.append(Media(url=sample_url("clip.mp4")))
        else:
            out.append(Media(url=sample_url(f"photo-{i % 3 + 1}.jpg")))
    return tuple(out)


def _named(accounts: Sequence[Any], target: Target) -> Any | None:
    """The emulator's account of the target's id or name (active first), if any."""
    wanted = target.account.lstrip("@").lower()
    named = [
        a for a in accounts if a.platform == target.platform and wanted in (a.id.lower(), a.username.lower())
    ]
    active = [a for a in named if a.active]
    return (active or named or [None])[0]


def _accounts(accounts: Sequence[Any], targets: Sequence[Target]) -> list[Any | None]:
    """Each target's emulator account: the one of its name, else an active one of its platform that no
    other target goes to (two targets on one account would be the same target listed twice)."""
    chosen = [_named(accounts, t) for t in targets]
    taken = {id(a) for a in chosen if a is not None}
    for i, target in enumerate(targets):
        if chosen[i] is not None:
            continue
        free = [a for a in accounts if a.platform == target.platform and a.active and id(a) not in taken]
        if free:
            chosen[i] = free[0]
            taken.add(id(free[0]))
    return chosen


def run_all(post: Post, providers: Sequence[str], *, timeout: float, out: Output) -> list[VendorRun]:
    """Send ``post`` through the emulator of every provider that has one; one result each."""
    from ..plugins import plugin_manager
    from ..sandbox import Sandbox, Timing

    runs = {name: VendorRun(name) for name in providers}
    installed = plugin_manager().emulators()
    for name, run in runs.items():
        if name not in installed:
            run.problems.append(f"{name} has no emulator installed")
    ready = [n for n in providers if n in installed]
    if not ready:
        return [runs[n] for n in providers]
    with Sandbox(ready, timing=Timing(queued=0.5, processing=1.5)) as sandbox:
        out.note(f"postmux compare --run: emulators for {', '.join(ready)} on 127.0.0.1")
        media = _sample_media(post, sandbox.sample_url)
        publishers = {}
        posts: dict[str, Post] = {}
        asked: dict[str, list[Target]] = {}
        for name in ready:
            run = runs[name]
            client = httpx.Client(timeout=30.0, event_hooks={"request": [run.counter]})
            publishers[name] = pub = sandbox.publisher(name, client=client)
            targets: list[Target] = []
            asked[name] = []
            accounts = _accounts(sandbox.emulator(name).accounts, post.targets)
            pending: list[tuple[Target, Target]] = []
            for target, account in zip(post.targets, accounts, strict=True):
                if account is None:
                    sent = Target(target.platform, target.account)
                    problems = pub.validate(attrs.evolve(post, media=media, targets=(sent,)))
                    why = (
                        "; ".join(str(p) for p in problems) or f"no {target.platform} account at the emulator"
                    )
                    run.targets.append(_row(target, "refused", why))
                elif any((s.platform, s.account) == (target.platform, account.id) for _, s in pending):
                    run.targets.append(
                        _row(
                            target,
                            "refused",
                            f"its emulator account {account.id} already takes another target",
                        )
                    )
                else:
                    pending.append((target, Target(target.platform, account.id)))
            for target, sent in _accepted(pub, attrs.evolve(post, media=media), pending, run):
                targets.append(sent)
                asked[name].append(target)
            posts[name] = attrs.evolve(post, media=media, targets=tuple(targets))
        sending = [n for n in ready if posts[n].targets]
        started = time.monotonic()
        groups: dict[str, Group] = {}
        try:
            with ThreadPoolExecutor(max_workers=max(1, len(sending))) as pool:
                for name, report in zip(
                    sending,
                    pool.map(lambda n: _publish(publishers[n], posts[n], runs[n]), sending),
                    strict=True,
                ):
                    groups[name] = Group(publishers[name], list(report.results))
            wait_all(list(groups.values()), out=out, timeout=timeout, interval=POLL_INTERVAL, started=started)
        finally:
            for name, pub in publishers.items():
                pub.client.close()
                runs[name].requests = runs[name].counter.count
        for name, group in groups.items():
            run = runs[name]
            for i, (target, p) in enumerate(zip(asked[name], group.publications, strict=True)):
                seconds = group.final_at.get(i)
                run.targets.append(_row(target, p.status.value, p.error, p.url, p.target.account, seconds))
            times = [group.final_at.get(i) for i in range(len(group.publications))]
            run.seconds = (
                max(t for t in times if t is not None) if all(t is not None for t in times) else None
            )
            order = {str(t): i for i, t in enumerate(post.targets)}
            run.targets.sort(key=lambda row: order.get(row["target"], 0))
    return [runs[n] for n in providers]


def _accepted(
    pub: Any, post: Post, pending: list[tuple[Target, Target]], run: VendorRun
) -> list[tuple[Target, Target]]:
    """The (asked, sent) targets the vendor takes together; each other one gets its refusal row.

    Each target is judged as :func:`postmux.compare` judges it: its own problems, and the
    post's that the post of every target has too (a title another target takes is no problem).
    A refused target leaves the others, so they are judged again without it.
    """
    while pending:
        whole = pub.validate(attrs.evolve(post, targets=tuple(sent for _, sent in pending)))
        kept: list[tuple[Target, Target]] = []
        for i, (target, sent) in enumerate(pending):
            alone = pub.validate(attrs.evolve(post, targets=(sent,)))
            problems = target_problems(alone, whole, i)
            if problems:
                run.targets.append(_row(target, "refused", "; ".join(str(p) for p in problems)))
            else:
                kept.append((target, sent))
        if len(kept) == len(pending):
            if whole:  # what no single target is refused for still stops the post: every target says so
                why = "; ".join(str(p) for p in whole)
                run.targets += [_row(target, "refused", why) for target, _ in kept]
                return []
            return kept
        pending = kept
    return []


def _publish(pub: Any, post: Post, run: VendorRun) -> Any:
    report = pub.publish(post)
    run.publish_requests = run.counter.count
    return report


def _row(
    target: Target,
    status: str,
    error: str | None = None,
    url: str | None = None,
    sent_to: str | None = None,
    seconds: float | None = None,
) -> dict[str, Any]:
    return {
        "target": str(target),
        "sent_to": sent_to,
        "status": status,
        "url": url,
        "error": error,
        "seconds": round(seconds, 3) if seconds is not None else None,
    }


def show_runs(out: Output, runs: Sequence[VendorRun]) -> None:
    """The table of runs."""
    rows = []
    for run in runs:
        detail = "; ".join(run.problems) or "; ".join(
            f"{t['target']} {t['status']}" + (f" ({t['error']})" if t["error"] else "") for t in run.targets
        )
        seconds = f"{run.seconds:.2f} s" if run.seconds is not None else "—"
        requests = f"{run.requests} ({run.publish_requests} to publish)"
        rows.append([run.provider, out.status(run.outcome), seconds, requests, detail])
    out.print(
        out.table(
            "Through each vendor's emulator",
            ["vendor", "outcome", "time to final", "requests", "per target"],
            rows,
        )
    )
