"""``postmux demo``: one video and one carousel, cross-posted through every vendor's emulator.

It starts the sandbox in this process, and for each installed vendor with an
emulator sends the two posts to its TikTok, Instagram, Threads and Facebook
accounts — each where the vendor supports it. What a vendor cannot do is
found with ``Publisher.validate`` (no request sent) and shown as
``unsupported`` with the reason, not hidden. It waits with a progress display
and ends with one table. The media comes from the sandbox's own media host.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import click

from ..accounts import Account
from ..post import Post, Target
from ..publisher import Publisher
from ..status import Status
from . import exits
from .base import cli, guarded, json_option
from .output import Output
from .sandbox_cmd import fault_option
from .waiting import Group, wait_all

__all__: list[str] = []

DEMO_PLATFORMS = ("tiktok", "instagram", "threads", "facebook")


@attrs.define
class _Row:
    provider: str
    post: str
    platform: str
    account: str
    status: str
    detail: str = ""
    seconds: float | None = None


@attrs.define
class _Plan:
    provider: str
    publisher: Publisher
    rows: list[_Row] = attrs.field(factory=list)
    sent: list[tuple[str, Post]] = attrs.field(factory=list)


def _posts(sandbox: Any) -> list[tuple[str, str, list[str]]]:
    return [
        ("video", "postmux demo: one video, every platform #postmux", [sandbox.sample_url("clip.mp4")]),
        (
            "carousel",
            "postmux demo: a photo carousel #postmux",
            [sandbox.sample_url(f"photo-{i}.jpg") for i in (1, 2, 3)],
        ),
    ]


def _plan(provider: str, pub: Publisher, posts: list[tuple[str, str, list[str]]]) -> _Plan:
    plan = _Plan(provider, pub)
    accounts = pub.accounts()
    for label, text, media in posts:
        targets: list[Target] = []
        for platform in DEMO_PLATFORMS:
            account = _active(accounts, platform)
            probe = Post(text=text, media=media, targets=[Target(platform, account.id if account else "-")])
            problems = pub.validate(probe)
            who = _name(account) if account else "—"
            if problems:
                reason = "; ".join(p.message for p in problems)
                plan.rows.append(_Row(provider, label, platform, who, "unsupported", reason))
                continue
            if account is None:
                plan.rows.append(_Row(provider, label, platform, who, "unsupported", "no linked account"))
                continue
            targets.append(Target(platform, account.id))
        if targets:
            plan.sent.append((label, Post(text=text, media=media, targets=targets)))
    return plan


def _active(accounts: list[Account], platform: str) -> Account | None:
    return next((a for a in accounts if a.platform == platform and a.active), None)


def _name(account: Account) -> str:
    return f"@{account.username}" if account.username else account.id


@cli.command("demo")
@fault_option
@click.option(
    "--timeout", type=float, default=50.0, show_default=True, help="Seconds to wait for the platforms."
)
@json_option
def demo_command(faults: tuple[str, ...], timeout: float, as_json: bool) -> None:
    """Cross-post a video and a carousel through every vendor's emulator and show the results."""
    out = Output(as_json)

    def body() -> int:
        from ..sandbox import Sandbox, Timing

        started = time.monotonic()
        with Sandbox(timing=Timing(queued=0.5, processing=1.5), faults=faults) as sandbox:
            installed = set(sandbox.plugins.providers())
            providers = [name for name in sandbox.emulators if name in installed]
            out.note(
                f"postmux demo: emulators for {', '.join(providers)} on 127.0.0.1; "
                f"media from {sandbox.media.base_url}"
            )
            publishers = {name: sandbox.publisher(name) for name in providers}
            try:
                posts = _posts(sandbox)
                plans = [_plan(name, publishers[name], posts) for name in providers]
                groups = _publish(plans)
                wait_all(list(groups.values()), out=out, timeout=timeout, interval=0.25, started=started)
                rows = _rows(plans, groups, publishers)
            finally:
                for pub in publishers.values():
                    pub.close()
        sent = [r for r in rows if r.status != "unsupported"]
        code = exits.OK if all(r.status == Status.PUBLISHED.value for r in sent) else _code(sent)
        _show(out, rows, code, time.monotonic() - started)
        return code

    raise click.exceptions.Exit(guarded(out, None, body))


def _publish(plans: list[_Plan]) -> dict[tuple[str, str], Group]:
    """Every vendor's posts, sent concurrently; one wait group per (vendor, post)."""

    def send(plan: _Plan) -> list[tuple[tuple[str, str], Group]]:
        out = []
        for label, post in plan.sent:
            report = plan.publisher.publish(post)
            out.append(((plan.provider, label), Group(plan.publisher, list(report.results))))
        return out

    with ThreadPoolExecutor(max_workers=max(1, len(plans))) as pool:
        return {key: group for result in pool.map(send, plans) for key, group in result}


def _rows(
    plans: list[_Plan], groups: dict[tuple[str, str], Group], publishers: dict[str, Publisher]
) -> list[_Row]:
    rows: list[_Row] = []
    usernames = {name: {a.id: _name(a) for a in pub.accounts()} for name, pub in publishers.items()}
    for plan in plans:
        for (provider, label), group in groups.items():
            if provider != plan.provider:
                continue
            for i, p in enumerate(group.publications):
                rows.append(
                    _Row(
                        provider,
                        label,
                        p.target.platform,
                        usernames[provider].get(p.target.account, p.target.account),
                        p.status.value,
                        p.url or p.error or "",
                        group.final_at.get(i),
                    )
                )
        rows.extend(plan.rows)
    order = {p: i for i, p in enumerate(DEMO_PLATFORMS)}
    rows.sort(key=lambda r: (r.provider, r.post != "video", order.get(r.platform, 99)))
    return rows


def _code(rows: list[_Row]) -> int:
    statuses = [r.status for r in rows]
    if Status.UNKNOWN.value in statuses or any(
        s not in {x.value for x in Status if x.is_final} for s in statuses
    ):
        return exits.UNKNOWN
    return exits.FAILED


def _show(out: Output, rows: list[_Row], code: int, elapsed: float) -> None:
    if out.as_json:
        out.emit(
            {
                "ok": code == exits.OK,
                "exit_code": code,
                "seconds": round(elapsed, 2),
                "results": [attrs.asdict(r) for r in rows],
            }
        )
        return
    table = out.table(
        "postmux demo — one video and one carousel through every vendor",
        ["vendor", "post", "platform", "account", "status", "URL / reason", "time"],
        [
            [
                r.provider,
                r.post,
                r.platform,
                r.account,
                out.status(r.status),
                r.detail,
                f"{r.seconds:.1f} s" if r.seconds is not None else "",
            ]
            for r in rows
        ],
    )
    out.print(table)
    sent = [r for r in rows if r.status != "unsupported"]
    published = sum(1 for r in sent if r.status == Status.PUBLISHED.value)
    out.print(
        f"{published} of {len(sent)} publications published, "
        f"{len(rows) - len(sent)} combinations unsupported, in {elapsed:.1f} s."
    )
