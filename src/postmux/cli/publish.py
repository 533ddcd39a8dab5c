"""Commands that publish and follow: ``post``, ``status``, ``wait``, ``scheduled``, ``cancel``."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import cast

import attrs
import click

from ..errors import Problem, ValidationError
from ..media import Media
from ..options import TikTokOptions, TikTokPrivacy
from ..post import Post, Target
from ..results import Publication
from ..status import Status
from . import exits
from .base import ledger_option, vendor_command
from .output import Output, publication_json
from .session import Session
from .waiting import Group, wait_all

__all__: list[str] = []


def _media(items: tuple[str, ...], problems: list[Problem]) -> list[Media]:
    media = []
    for i, item in enumerate(items):
        if "://" in item:
            media.append(Media(url=item))
        else:
            if not Path(item).is_file():
                problems.append(Problem(f"media[{i}].path", f"no such file: {item}"))
            media.append(Media(path=Path(item)))  # a name on the command line is a file, explicitly
    return media


def _targets(items: tuple[str, ...], problems: list[Problem]) -> list[Target]:
    targets = []
    for i, item in enumerate(items):
        platform, sep, account = item.partition(":")
        if not sep or not platform or not account:
            problems.append(
                Problem(f"targets[{i}]", f"write PLATFORM:ACCOUNT (an id or @username), got {item!r}")
            )
            continue
        targets.append(Target(platform.strip().lower(), account.strip()))
    if not items:
        problems.append(Problem("targets", "give at least one --to PLATFORM:ACCOUNT"))
    return targets


def _when(value: str | None, problems: list[Problem]) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.append(
            Problem("schedule_at", f"not an ISO 8601 time: {value!r} (e.g. 2026-07-01T09:00:00+02:00)")
        )
        return None


def _report(out: Output, session: Session, title: str, publications: list[Publication], code: int) -> int:
    session.remember(publications)
    if out.as_json:
        out.emit(
            {
                "ok": code == exits.OK,
                "exit_code": code,
                "publications": [publication_json(p) for p in publications],
            }
        )
    else:
        out.print(out.publications(title, publications))
    return code


@vendor_command("post")
@click.argument("media", nargs=-1, required=True)
@click.option("--to", "targets", multiple=True, metavar="PLATFORM:ACCOUNT", help="A target; repeat for more.")
@click.option("--text", default="", help="The caption (description on TikTok photo posts).")
@click.option("--title", help="A title, where the platform has one (TikTok photos, YouTube).")
@click.option(
    "--privacy",
    type=click.Choice(["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]),
    help="TikTok privacy (default SELF_ONLY on every vendor).",
)
@click.option("--no-comments", is_flag=True, help="TikTok: turn comments off.")
@click.option("--draft", is_flag=True, help="TikTok: send to the creator's inbox instead of publishing.")
@click.option("--at", "at", metavar="ISO-TIME", help="Schedule for this time (with an offset).")
@click.option("--wait", "wait", is_flag=True, help="Wait until every publication is final.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Seconds to wait with --wait.",
)
@click.option(
    "--ledger",
    metavar="FILE|URL",
    help="Ledger (an SQLite file, sqlite:///path or postgresql://…): re-runs never post twice.",
)
@click.option("--key", help="Name the post for the ledger (default: a digest of its content).")
def post_command(
    session: Session,
    out: Output,
    media: tuple[str, ...],
    targets: tuple[str, ...],
    text: str,
    title: str | None,
    privacy: str | None,
    no_comments: bool,
    draft: bool,
    at: str | None,
    wait: bool,
    timeout: float,
    ledger: str | None,
    key: str | None,
) -> int:
    """Publish MEDIA (local files or URLs) to every --to target."""
    problems: list[Problem] = []
    items = _media(media, problems)
    where = _targets(targets, problems)
    when = _when(at, problems)
    tiktok = None
    if privacy or no_comments or draft:
        tiktok = TikTokOptions(
            privacy=cast("TikTokPrivacy | None", privacy),  # any text: validate() names a bad one
            allow_comment=False if no_comments else None,
            draft=draft or None,
        )
    post = Post(text=text, media=items, targets=where, title=title, tiktok=tiktok, schedule_at=when, key=key)
    name = session.provider()
    if problems:
        raise ValidationError(problems)
    pub = session.publisher(name)
    if ledger is not None:
        pub.ledger = ledger_option(ledger)
    # bad input is refused with no I/O at all; then the vendor's accounts are asked (a refused key
    # stops here too), so an unlinked @username or an expired account is a problem, not a failure
    problems = pub.validate(post) or pub.validate(post, resolve=True)
    if problems:
        raise ValidationError(problems)
    started = time.monotonic()
    try:
        report = pub.publish(post)
    except KeyboardInterrupt:  # a request may have been out: in doubt, never "failed"
        return _interrupted(out, ledger)
    publications = list(report.results)
    if wait:
        group = Group(pub, publications)
        wait_all([group], out=out, timeout=timeout, interval=session.interval, started=started)
        publications = group.publications
        if report.hosted and all(p.is_final for p in publications):
            pub.clean_up(report)  # files a media host stored for this post: no longer fetched
    code = exits.for_publications(publications, require_final=wait)
    return _report(out, session, f"Posted through {name}", publications, code)


def _interrupted(out: Output, ledger: str | None) -> int:
    """Ctrl-C while publishing: some targets may be live, and no publication came back to show."""
    message = (
        "interrupted while publishing: some targets may have been posted; check them before sending "
        "again" + (" (a re-run with the same --ledger sends none twice)" if ledger is not None else "")
    )
    out.error(message)
    if out.as_json:
        out.emit({"ok": False, "exit_code": exits.UNKNOWN, "error": message, "kind": "interrupted"})
    return exits.UNKNOWN


def _lookup(session: Session, ids: tuple[str, ...]) -> list[Publication]:
    found = []
    problems = []
    for i, ref in enumerate(ids):
        matches = session.store.find(ref, session.provider_name)
        if matches and len({p.provider for p in matches}) == 1:
            found += matches  # every target the vendor knows by this id
            continue
        platform, sep, rest = ref.partition(":")
        account, sep2, vendor_id = rest.partition(":")
        if sep and sep2 and vendor_id:
            found.append(
                Publication(
                    target=Target(platform, account),
                    provider=session.provider(),
                    status=Status.PROCESSING,
                    id=vendor_id,
                    account_id=account,
                )
            )
            continue
        why = "several providers have it; pass --provider" if matches else "not made by this command here"
        problems.append(
            Problem(f"ids[{i}]", f"unknown publication {ref!r} ({why}); or write PLATFORM:ACCOUNT_ID:ID")
        )
    if problems:
        raise ValidationError(problems)
    return found


@vendor_command("status")
@click.argument("ids", nargs=-1, required=True)
def status_command(session: Session, out: Output, ids: tuple[str, ...]) -> int:
    """Where publications stand now (ids printed by `postmux post`, or PLATFORM:ACCOUNT_ID:ID)."""
    publications = [session.publisher(p.provider).status(p) for p in _lookup(session, ids)]
    return _report(out, session, "Status", publications, exits.for_publications(publications))


@vendor_command("wait")
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--timeout", type=click.FloatRange(min=0), default=600.0, show_default=True, help="Seconds to wait."
)
def wait_command(session: Session, out: Output, ids: tuple[str, ...], timeout: float) -> int:
    """Wait until publications are final."""
    by_provider: dict[str, list[Publication]] = {}
    for p in _lookup(session, ids):
        by_provider.setdefault(p.provider, []).append(p)
    groups = [Group(session.publisher(name), items) for name, items in by_provider.items()]
    wait_all(groups, out=out, timeout=timeout, interval=session.interval)
    publications = [p for g in groups for p in g.publications]
    return _report(
        out, session, "Status", publications, exits.for_publications(publications, require_final=True)
    )


@vendor_command("scheduled")
def scheduled_command(session: Session, out: Output) -> int:
    """Posts waiting for their time."""
    publications = session.publisher().scheduled()
    session.remember(publications)
    if out.as_json:
        out.emit({"provider": session.provider(), "scheduled": [publication_json(p) for p in publications]})
    else:
        rows = [
            [
                p.id or "",
                p.target.platform,
                p.target.account,
                p.scheduled_for.isoformat() if p.scheduled_for else "",
                out.status(p.status.value),
            ]
            for p in publications
        ]
        out.print(
            out.table(
                f"Scheduled at {session.provider()}", ["id", "platform", "account", "at", "status"], rows
            )
        )
    return exits.OK


@vendor_command("cancel")
@click.argument("publication_id", metavar="ID")
def cancel_command(session: Session, out: Output, publication_id: str) -> int:
    """Cancel a scheduled post.

    An id that names several targets (one vendor post for all of them) is
    cancelled once: the vendor cancels what the id names, so every target of
    it shares the outcome.
    """
    first, *rest = _lookup(session, (publication_id,))
    result = session.publisher(first.provider).cancel(first)
    same = [
        attrs.evolve(p, status=result.status, error=result.error, scheduled_for=result.scheduled_for)
        for p in rest
    ]
    code = exits.OK if result.status is Status.CANCELLED else exits.for_publications([result])
    return _report(out, session, "Cancelled", [result, *same], code)
