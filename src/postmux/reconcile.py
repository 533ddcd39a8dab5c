"""Settling ``unknown`` outcomes: ask the vendor what exists, as far as its API allows, and record it.

A publication is ``unknown`` when its request may have reached the vendor
(a timeout after sending, a dropped connection, a 5xx, an unreadable answer):
it is never resent on its own. ``pub.reconcile(report)`` follows each one to
an answer through the adapter's :meth:`~postmux.Adapter.reconcile` flow, which
returns one :class:`Finding` per publication:

``found``
    the vendor has it: its real status, id and URL replace the ``unknown``
    and are recorded in the ledger (a re-run returns it, sends nothing);
``absent``
    the vendor's API proves it does not exist: ``failed`` with
    ``error_code="not_found_at_vendor"``, recorded as such, which releases the
    target in the ledger (a re-run claims and sends it);
``uncheckable``
    this vendor's API cannot tell: still ``unknown``, with a reason saying
    exactly what to check by hand (then ``pub.release(post, publication)``).

To be matched later, an ``unknown`` keeps its :class:`Attempt`: the account,
a digest and the start of the text, the media as the post named them, and
when it was sent. Any id the vendor returned before failing stays in
``Publication.id``. Nothing here knows a vendor.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .errors import LedgerError, NotFoundError, PostmuxError
from .flow import Flow
from .media import Media
from .results import Publication, PublishReport
from .status import Status

if TYPE_CHECKING:
    from .adapter import Adapter
    from .core import PublisherCore
    from .post import Post

__all__ = [
    "NOT_FOUND",
    "NOT_FOUND_REASON",
    "Attempt",
    "Finding",
    "Verdict",
    "by_id",
    "content_digest",
    "default_reconcile",
    "hand_check",
    "salvaged",
]

NOT_FOUND = "not_found_at_vendor"
"""``Publication.error_code`` of an ``unknown`` that reconcile proved absent at the vendor."""
NOT_FOUND_REASON = "not found at the vendor"
"""The start of its ``error``; what the check was follows."""
EXCERPT = 60
"""Characters of the text an :class:`Attempt` keeps, for a person checking by hand."""
ANSWER = 2000
"""Characters of an unreadable answer an :class:`Attempt` keeps."""


def content_digest(text: str) -> str:
    """The SHA-256 of a post's text (UTF-8, lone surrogates escaped): how a listed post is matched."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@attrs.frozen(slots=True, kw_only=True)
class Attempt:
    """What identifies one send whose outcome is unknown, so the vendor can be asked about it later.

    ``account_id`` is the vendor's id of the target account; ``content_digest``
    the :func:`content_digest` of ``Post.text`` and ``excerpt`` its first
    characters (for a person); ``media`` the post's media as the app named
    them (URLs, or local file names); ``sent_at`` when the request left (an
    aware UTC time; for a claim a crashed run never recorded, when it was
    marked as being sent); ``answer`` the start of a 2xx answer that could not be read (a
    body cut short may still hold the vendor's id: :func:`salvaged`). Stored
    with the publication (``to_dict``, the ledger).
    """

    account_id: str
    content_digest: str
    excerpt: str = ""
    media: tuple[str, ...] = ()
    sent_at: datetime
    answer: str = ""

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @classmethod
    def of(
        cls, post: Post, account_id: str, sent_at: datetime | None = None, answer: str | None = None
    ) -> Attempt:
        """The attempt to send ``post`` to ``account_id``, now (or at ``sent_at``)."""
        text = post.text if isinstance(post.text, str) else ""
        media = tuple((m.url or m.filename or "") for m in post.media if isinstance(m, Media))
        return cls(
            account_id=account_id,
            content_digest=content_digest(text),
            excerpt=text[:EXCERPT],
            media=media,
            sent_at=sent_at or datetime.now(UTC),
            answer=(answer or "")[:ANSWER],
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "account_id": self.account_id,
            "content_digest": self.content_digest,
            "excerpt": self.excerpt,
            "media": list(self.media),
            "sent_at": self.sent_at.isoformat(),
            "answer": self.answer,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attempt:
        """The inverse of :meth:`to_dict`."""
        return cls(
            account_id=str(data["account_id"]),
            content_digest=str(data["content_digest"]),
            excerpt=str(data.get("excerpt") or ""),
            media=tuple(str(m) for m in data.get("media") or ()),
            sent_at=datetime.fromisoformat(str(data["sent_at"])),
            answer=str(data.get("answer") or ""),
        )


class Verdict(enum.StrEnum):
    """What the vendor's answer says about one ``unknown``."""

    FOUND = "found"
    ABSENT = "absent"
    UNCHECKABLE = "uncheckable"


class Finding(NamedTuple):
    """One ``unknown``'s answer from an adapter's reconcile flow (a NamedTuple: cheap to define at import).

    ``publication`` (for ``found``) is the publication as the vendor has it
    (status, id, URL); ``reason`` says how absence was proved, or, for
    ``uncheckable``, what a person should check.
    """

    verdict: Verdict
    publication: Publication | None = None
    reason: str = ""

    @classmethod
    def found(cls, publication: Publication) -> Finding:
        """The vendor has it, as ``publication`` says."""
        return cls(Verdict.FOUND, publication)

    @classmethod
    def absent(cls, how: str) -> Finding:
        """The vendor's API shows it does not exist (``how``: what was asked)."""
        return cls(Verdict.ABSENT, reason=how)

    @classmethod
    def uncheckable(cls, reason: str) -> Finding:
        """The vendor's API cannot tell; ``reason`` says what to check by hand."""
        return cls(Verdict.UNCHECKABLE, reason=reason)


def salvaged(publication: Publication, field: str) -> Publication:
    """``publication`` with the id a cut-short answer still shows as ``"field": "…"``, if it has none.

    Only a whole JSON string counts (its closing quote read), so a cut inside
    the id salvages nothing. The plugin names the field its answers carry.
    """
    attempt = publication.attempt
    if publication.id or attempt is None or not attempt.answer:
        return publication
    match = re.search(rf'"{re.escape(field)}"\s*:\s*"([^"\\]+)"', attempt.answer)
    return attrs.evolve(publication, id=match.group(1)) if match else publication


def hand_check(publication: Publication, why: str) -> str:
    """A reason for an ``uncheckable``: ``why``, then exactly what a person should look for, and then do."""
    attempt = publication.attempt
    account = publication.target.account
    if publication.account_id and publication.account_id != account:
        account = f"{account} (id {publication.account_id})"
    what = f"check the {publication.target.platform} account {account}"
    if attempt is not None:
        what += f" for a post sent around {attempt.sent_at.isoformat(timespec='seconds')}"
        if attempt.excerpt:
            what += f" starting {attempt.excerpt!r}"
    return (
        f"{why}: {what}; if it is not there, release it (pub.release(post, publication)) "
        "and publish again, else keep it as published"
    )


def by_id(adapter: Adapter, publications: Sequence[Publication]) -> Flow[list[Finding | None]]:
    """Each publication the vendor gave an id before failing, looked up by it; ``None`` for the rest.

    A status answer is ``found``; a 404 for the id is ``absent``; any other
    error leaves it ``uncheckable``, saying so (reconcile again later).
    """
    out: list[Finding | None] = []
    for publication in publications:
        if not publication.id:
            out.append(None)
            continue
        try:
            now = yield from adapter.status(publication)
        except NotFoundError:
            out.append(Finding.absent(f"{adapter.name} answered 404 for id {publication.id}"))
        except PostmuxError as exc:
            out.append(Finding.uncheckable(f"{adapter.name} could not be asked ({exc}); reconcile again"))
        else:
            out.append(Finding.found(now))
    return out


def default_reconcile(adapter: Adapter, publications: Sequence[Publication]) -> Flow[list[Finding]]:
    """What a vendor that finds a post only by its id can do: look up by id what has one.

    An id still legible in an answer cut short counts (:func:`salvaged`, at the
    adapter's :attr:`~postmux.Adapter.answer_id_key`); the rest are
    ``uncheckable``, each saying why (:meth:`~postmux.Adapter.unfindable`) and
    what to check by hand (:func:`hand_check`).
    """
    key = adapter.answer_id_key
    publications = [salvaged(p, key) for p in publications] if key is not None else publications
    found = yield from by_id(adapter, publications)
    return [
        f or Finding.uncheckable(hand_check(p, adapter.unfindable(p)))
        for f, p in zip(found, publications, strict=True)
    ]


# -- what the publishers share (no I/O) ------------------------------------------


def askable(publication: Publication, provider: str) -> bool:
    """True for an ``unknown`` of this provider that reconcile should ask about.

    A target another run holds (``claimed_elsewhere``) is left to that run: it
    sent nothing here, and its owner may be sending it now.
    """
    from .core import CLAIMED_ELSEWHERE

    return (
        publication.status is Status.UNKNOWN
        and publication.provider == provider
        and publication.error_code != CLAIMED_ELSEWHERE
    )


def not_asked(publications: Sequence[Publication], provider: str, exc: BaseException) -> list[Finding]:
    """Every finding when the vendor could not be asked at all: ``uncheckable``, reconcile again."""
    return [
        Finding.uncheckable(f"{provider} could not be asked ({exc}); reconcile again") for _ in publications
    ]


def settled(publication: Publication, finding: Finding) -> Publication:
    """``publication`` as ``finding`` settles it (the attempt kept, for the record)."""
    if finding.verdict is Verdict.FOUND and finding.publication is not None:
        now = finding.publication
        if now.status is Status.UNKNOWN:  # the vendor's own answer is still in doubt
            return attrs.evolve(publication, error=now.error or publication.error)
        return attrs.evolve(
            now,
            target=publication.target,
            account_id=now.account_id or publication.account_id,
            post_key=publication.post_key,
            attempt=publication.attempt,
            error=now.error if now.status is Status.FAILED else None,
            error_code=now.error_code if now.status is Status.FAILED else None,
            status_code=None,
            request_id=None,
            exception=None,
        )
    if finding.verdict is Verdict.ABSENT:
        return attrs.evolve(
            publication,
            status=Status.FAILED,
            error=f"{NOT_FOUND_REASON} ({finding.reason}); publish again to send it",
            error_code=NOT_FOUND,
            status_code=None,
            request_id=None,
            exception=None,
        )
    return attrs.evolve(publication, error=finding.reason or publication.error)


def _releases(publication: Publication, finding: Finding) -> bool:
    """True when ``finding`` would let a re-run send ``publication`` on evidence other than its own id.

    An absence; or a ``failed`` post the vendor's list matched by content
    while this send has no id of its own: an earlier, failed try of the same
    post matches so too, and this send's post may not be listed yet.
    """
    if finding.verdict is Verdict.ABSENT:
        return True
    now = finding.publication
    return (
        finding.verdict is Verdict.FOUND
        and now is not None
        and now.status is Status.FAILED
        and not publication.id
    )


def too_recent(publication: Publication, finding: Finding, absent_after: float, now: datetime) -> Finding:
    """``finding``, unless it releases a send younger than ``absent_after`` seconds.

    A vendor may take a while to list a post it is still creating: judging
    such a send absent would let a re-run post it twice. So a young absence
    stays ``unknown``, saying when to reconcile again; so does a ``failed``
    post found for a send without an id of its own (:func:`_releases`): it may
    be an earlier try's, listed while this one is not yet.
    """
    if publication.attempt is None or not _releases(publication, finding):
        return finding
    ready = publication.attempt.sent_at + timedelta(seconds=absent_after)
    if now >= ready:
        return finding
    age = max(0.0, (now - publication.attempt.sent_at).total_seconds())
    if finding.verdict is Verdict.ABSENT:
        what = f"not found at the vendor yet ({finding.reason})"
    else:
        found = finding.publication.id if finding.publication is not None else None
        what = f"the vendor has a failed post like it ({found}), found without this send's own id"
    return Finding.uncheckable(
        f"{what}, but sent only {age:.0f} s ago and a post "
        f"still being made may not show: reconcile again after {ready:%Y-%m-%d %H:%M:%S} UTC"
    )


def checked_findings(
    adapter: Adapter, asked: Sequence[Publication], findings: Sequence[Finding]
) -> list[Finding]:
    """A flow's findings, one per publication asked about; a miscount leaves them all ``uncheckable``."""
    if len(findings) == len(asked):
        return list(findings)
    exc = PostmuxError(f"{adapter.name} plugin returned {len(findings)} findings for {len(asked)}")
    return not_asked(asked, adapter.name, exc)


def plan(
    core: PublisherCore, report: PublishReport | Publication | Sequence[Publication]
) -> tuple[list[Publication], list[Publication]]:
    """Every publication of ``report``, and the ``unknown`` ones to ask the vendor about."""
    from .core import as_publications

    current = as_publications(report)
    return current, [p for p in current if askable(p, core.provider)]


def _now(core: PublisherCore) -> datetime:
    """The time to judge a send's age by: the earlier of this machine's clock and the ledger's.

    An attempt read from the ledger was dated by its clock (a PostgreSQL server's), one made by
    this run by this machine's; the earlier of the two never makes a send look older than it is,
    whichever clock runs ahead. A ledger that cannot say leaves this machine's clock.
    """
    here = datetime.now(UTC)
    if core.ledger is None:
        return here
    try:
        there = datetime.fromtimestamp(core.ledger_now(), UTC)
    except LedgerError:
        return here
    return min(here, there)


def conclude(
    core: PublisherCore,
    report: PublishReport | Publication | Sequence[Publication],
    current: list[Publication],
    findings: Sequence[Finding],
    absent_after: float,
) -> PublishReport:
    """The report with each asked ``unknown`` settled by its finding, and the ledger told.

    A found or absent one is recorded (absent as ``failed``, which the ledger
    lets a re-run claim and send); an uncheckable one is recorded with its
    reason, still ``unknown``, so a re-run keeps holding it. An absence (or a
    failed post found without the send's own id) is believed only for a send
    at least ``absent_after`` seconds old (:func:`too_recent`).
    """
    todo = [i for i, p in enumerate(current) if askable(p, core.provider)]
    asked = [current[i] for i in todo]
    now = _now(core) if asked else datetime.now(UTC)
    key = core.adapter.answer_id_key  # an id its own answer still shows is this send's own
    findings = [
        too_recent(salvaged(p, key) if key is not None else p, f, absent_after, now)
        for p, f in zip(asked, checked_findings(core.adapter, asked, findings), strict=True)
    ]
    after = [settled(p, f) for p, f in zip(asked, findings, strict=True)]
    kept = core.remember(asked, after)
    for i, p in zip(todo, kept, strict=True):
        current[i] = p
    hosted = report.hosted if isinstance(report, PublishReport) else ()
    return PublishReport(tuple(current), hosted=hosted)
