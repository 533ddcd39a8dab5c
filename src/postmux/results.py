"""What publishing returns: one :class:`Publication` per target, gathered in a :class:`PublishReport`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .errors import PostmuxError
from .media import MediaKind
from .post import Target
from .status import Status

if TYPE_CHECKING:
    from .hosting import HostedFile
    from .reconcile import Attempt

__all__ = ["Publication", "PublishReport", "error_facts"]


def error_facts(exc: BaseException) -> dict[str, Any]:
    """The plain facts of an error a publication keeps: ``status_code``, ``error_code``, ``request_id``.

    A vendor's or a media host's HTTP error carries its status and the vendor's
    code; a network failure or an unreadable body has neither. ``request_id``
    is read where a vendor's error carries one.
    """
    status_code = getattr(exc, "status_code", None)
    code = getattr(exc, "code", None)
    request_id = getattr(exc, "request_id", None)
    return {
        "status_code": status_code if isinstance(status_code, int) else None,
        "error_code": code if isinstance(code, str) else None,
        "request_id": request_id if isinstance(request_id, str) else None,
    }


@attrs.frozen(slots=True, kw_only=True)
class Publication:
    """The outcome of sending one post to one target.

    ``id`` is the vendor's handle for following it (``status()``, ``wait()``,
    ``cancel()``); ``url`` the public post once known; ``error`` the reason
    for ``failed`` (or for ``unknown``); ``raw`` every field the vendor sent,
    untouched. ``post_key`` is the ledger's key for the post (``Post.key``, or
    its content digest when a ledger is in use). ``account_id`` is the vendor's
    id of the target account (an ``@username`` target resolved). ``media_kind``
    and ``state`` carry what a vendor needs to look the publication up again
    (``state`` holds plain strings only, so a publication can be stored and
    restored).

    When an error decided the outcome, its facts are kept as plain data, so an
    app can branch on them and a stored publication still has them:
    ``status_code`` is the HTTP status of the vendor's (or a media host's)
    error answer (``None`` for a network failure), ``error_code`` the vendor's
    own code where it sent one, ``request_id`` the vendor's id of the request
    for its support, where it sent one. ``exception`` is the
    :class:`~postmux.PostmuxError` itself (its class, ``retry_after``, ``body``
    …; :meth:`raise_for_error` raises it): kept in memory only, left out of
    ``to_dict``, equality and the ledger, and holding no API key.

    ``attempt`` (on an ``unknown``) is what identifies the send — account,
    content digest, media, when it was sent (:class:`~postmux.reconcile.Attempt`)
    — so that ``reconcile()`` can find it at the vendor later; it is stored
    with the publication, and left out of equality.
    """

    target: Target
    provider: str
    status: Status
    id: str | None = None
    url: str | None = None
    error: str | None = None
    error_code: str | None = None
    status_code: int | None = None
    request_id: str | None = None
    scheduled_for: datetime | None = None
    media_kind: MediaKind | None = None
    account_id: str | None = None
    post_key: str | None = None
    state: Mapping[str, str] = attrs.field(factory=dict)
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    exception: PostmuxError | None = attrs.field(default=None, repr=False, eq=False)
    attempt: Attempt | None = attrs.field(default=None, repr=False, eq=False)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def ok(self) -> bool:
        """True unless it failed, was cancelled, or its fate is unknown."""
        return self.status not in (Status.FAILED, Status.CANCELLED, Status.UNKNOWN)

    @property
    def is_final(self) -> bool:
        """True when polling cannot change the status any more."""
        return self.status.is_final

    def to_dict(self, *, raw: bool = True) -> dict[str, Any]:
        """Plain JSON-ready data (the exception left out; ``raw`` optional, it can be large)."""
        data: dict[str, Any] = {
            "provider": self.provider,
            "platform": self.target.platform,
            "account": self.target.account,
            "account_id": self.account_id,
            "status": self.status.value,
            "id": self.id,
            "url": self.url,
            "error": self.error,
            "error_code": self.error_code,
            "status_code": self.status_code,
            "request_id": self.request_id,
            "scheduled_for": self.scheduled_for.isoformat() if self.scheduled_for else None,
            "media_kind": self.media_kind.value if self.media_kind else None,
            "post_key": self.post_key,
            "state": dict(self.state),
        }
        if self.target.text is not None:  # left out when unset, so older stored dicts stay the same
            data["target_text"] = self.target.text
        if self.attempt is not None:
            data["attempt"] = self.attempt.to_dict()
        if raw:
            data["raw"] = self.raw
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Publication:
        """The inverse of :meth:`to_dict`, so a publication can be stored and followed later."""
        when = data.get("scheduled_for")
        kind = data.get("media_kind")
        attempt = data.get("attempt")
        if attempt:
            from .reconcile import Attempt

            attempt = Attempt.from_dict(attempt)
        return cls(
            target=Target(data["platform"], data["account"], text=data.get("target_text")),
            provider=data["provider"],
            status=Status(data["status"]),
            id=data.get("id"),
            url=data.get("url"),
            error=data.get("error"),
            error_code=data.get("error_code"),
            status_code=data.get("status_code"),
            request_id=data.get("request_id"),
            scheduled_for=datetime.fromisoformat(when) if when else None,
            media_kind=MediaKind(kind) if kind else None,
            account_id=data.get("account_id"),
            post_key=data.get("post_key"),
            state=data.get("state") or {},
            raw=data.get("raw") or {},
            attempt=attempt or None,
        )

    def raise_for_error(self) -> None:
        """Re-raise the error behind a failed publication, if one was caught."""
        if self.exception is not None:
            raise self.exception


@attrs.frozen(slots=True)
class PublishReport:
    """Every target's :class:`Publication`, in the order of ``Post.targets``.

    ``hosted`` lists the local files a media host turned into URLs for this
    publish, until ``wait()`` (once all is final) or ``clean_up()`` removes them.
    """

    results: tuple[Publication, ...]
    hosted: tuple[HostedFile, ...] = attrs.field(default=(), kw_only=True, eq=False)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def ok(self) -> bool:
        """True when no target failed and none is in doubt."""
        return all(p.ok for p in self.results)

    @property
    def failed(self) -> tuple[Publication, ...]:
        """The publications that did not go through (failed, cancelled or unknown)."""
        return tuple(p for p in self.results if not p.ok)

    @property
    def succeeded(self) -> tuple[Publication, ...]:
        """The publications that went through or are on their way."""
        return tuple(p for p in self.results if p.ok)

    @property
    def is_final(self) -> bool:
        """True when every publication's status is final."""
        return all(p.is_final for p in self.results)

    def __iter__(self) -> Iterator[Publication]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, index: int) -> Publication:
        return self.results[index]
