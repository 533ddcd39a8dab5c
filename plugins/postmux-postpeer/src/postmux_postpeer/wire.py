"""PostPeer's wire format: the neutral options ⇄ ``platformSpecificData``, and the answers.

Field names come from PostPeer's OpenAPI spec (``postpeer-openapi.json``), which
wins over the docs pages: YouTube privacy is ``visibility`` (not the docs'
``privacyStatus``), scheduling is ``scheduledFor`` + ``timezone`` (not
``scheduledAt``). The plugin's vocabulary (:mod:`.vocabulary`) drives both
directions of the options (``OptionMap.to_wire`` and ``from_wire``); this
module holds the answers and the times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs

from postmux import ResponseError
from postmux.wire import base_converter, parse_datetime

__all__ = ["converter", "parse_when", "schedule_fields"]

converter = base_converter()
"""Reads every answer class here as it is (their fields are PostPeer's spelling: no hooks needed)."""


# -- times -----------------------------------------------------------------


def _rfc3339(at: datetime) -> str:
    text = at.isoformat(timespec="milliseconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def schedule_fields(at: datetime) -> dict[str, str]:
    """``scheduledFor`` and ``timezone`` for an aware datetime.

    PostPeer's docs pair a wall-clock time with an IANA ``timezone``; its spec
    says ``format: date-time`` (RFC 3339, offset required). Sending both the
    offset and the zone that offset belongs to means the two readings agree:
    a ``ZoneInfo`` datetime goes out in its own zone with its key, anything
    else (UTC, a fixed offset) is converted to UTC and sent with ``"UTC"``. So is
    a wall-clock time a clock change makes ambiguous or skips (the second 01:30
    of a fall-back night): read in its zone, it would name another instant.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a naive datetime cannot be scheduled: its moment is ambiguous")
    zone = getattr(at.tzinfo, "key", None)
    if isinstance(zone, str) and zone and at.replace(fold=1 - at.fold).utcoffset() == at.utcoffset():
        return {"scheduledFor": _rfc3339(at), "timezone": zone}
    return {"scheduledFor": _rfc3339(at.astimezone(UTC)), "timezone": "UTC"}


def parse_when(value: str | None, zone: str | None = None) -> datetime | None:
    """A ``scheduledFor`` as an aware datetime; a value without offset is read in ``zone`` (else UTC).

    A value that is no time at all is a :class:`~postmux.ResponseError`, as any unreadable answer is.
    """
    if value is None:
        return None
    try:
        return parse_datetime(value, zone=zone)
    except ValueError:
        raise ResponseError(f"cannot read the time {value!r}", provider="postpeer", body=value) from None


# -- answers -----------------------------------------------------------------
# Only what postmux reads is required; everything else is optional so that a
# leaner docs example and a fuller spec answer both parse, and unknown keys are
# ignored. The whole body is kept in ``Publication.raw`` either way.


@attrs.frozen(slots=True, kw_only=True)
class PlatformEntry:
    """What a platform's entry says in every answer: which platform, its post's URL, a warning."""

    platform: str
    platformPostUrl: str | None = None  # noqa: N815 - PostPeer's spelling
    warningMessage: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class PlatformResult(PlatformEntry):
    """One entry of a create answer's ``platforms``."""

    success: bool
    error: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class CreateAnswer:
    """The 202 answer to ``POST /v1/posts``; ``success`` is false only when every platform failed."""

    postId: str  # noqa: N815
    status: str
    platforms: list[PlatformResult]
    scheduledFor: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class PlatformState(PlatformEntry):
    """One entry of ``post.platforms`` in ``GET /v1/posts/{postId}``."""

    status: str
    platformPostId: str | None = None  # noqa: N815
    errorMessage: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class PostDetail:
    """``post`` in ``GET /v1/posts/{postId}``."""

    postId: str  # noqa: N815
    status: str
    platforms: list[PlatformState]
    scheduledFor: str | None = None  # noqa: N815
    timezone: str | None = None
    rawRequestBody: dict[str, Any] | None = None  # noqa: N815
    content: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class PostsPage:
    """One page of ``GET /v1/posts``: full posts, each with the request that made it."""

    total: int
    posts: list[PostDetail]


@attrs.frozen(slots=True, kw_only=True)
class IntegrationsPage:
    """One page of ``GET /v1/connect/integrations``."""

    total: int
    integrations: list[dict[str, Any]]  # read as accounts by the vocabulary's INTEGRATION
