"""Wahdx's wire format: the answers the adapter reads.

Field names are Wahdx's own (``privacy_level``, ``photoTitle``, ``mediaItems``…),
taken from the documents ``wahdx-multi-platform-api.txt`` (``https://wahdx.co/docs``)
and ``wahdx-photo-carousel.txt``. The neutral ⇄ wire renames, statuses and words are
declared once in :mod:`.vocabulary`. Every answer comes in a ``{"success": …, "data": …}``
envelope: the classes here are what is inside ``data`` (the adapter reads ``at="data"``),
except the publish answer, whose top level carries the status too. They need no cattrs
hooks, so the adapter parses them with the core's plain converter.
"""

from __future__ import annotations

import attrs

from postmux.wire import fields_eq, fields_hash, fields_repr

__all__ = ["BatchItem", "PublishBody", "Reading", "StatusData"]


@attrs.frozen(slots=True, kw_only=True)
class Reading:
    """Where a post stands, in TikTok's vocabulary, as every answer below says it (each its part)."""

    status: str | None = None
    publish_id: str | None = None
    platform: str | None = None
    public_post_url: str | None = None
    public_post_url_candidates: dict[str, str | None] | None = None
    fail_reason: str | None = None
    __repr__, __eq__, __hash__ = fields_repr, fields_eq, fields_hash  # attrs' own, not compiled per class


@attrs.frozen(slots=True, kw_only=True, repr=False, eq=False)  # Reading's repr, eq and hash
class PublishData(Reading):
    """``data`` of a publish answer: TikTok gives only ``publish_id``; Meta platforms the post too."""

    publish_id: str
    id: str | None = None


@attrs.frozen(slots=True, kw_only=True, repr=False, eq=False)  # Reading's repr, eq and hash
class PublishBody(Reading):
    """The answer to ``POST /api/content/post`` (current and older page alike): its top level
    carries the status (the older page none) and, once done, the post's URL."""

    data: PublishData
    success: bool = True
    accountId: str | None = None  # noqa: N815
    mediaType: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True, repr=False, eq=False)  # Reading's repr, eq and hash
class StatusData(Reading):
    """``data`` of a status answer: it always names the status."""

    status: str


@attrs.frozen(slots=True, kw_only=True, repr=False, eq=False)  # Reading's repr, eq and hash
class BatchItem(Reading):
    """One result of a batch status check; ``success: false`` items carry ``error`` (and no status)."""

    success: bool
    accountId: str | None = None  # noqa: N815
    publishId: str | None = None  # noqa: N815
    error: str | None = None
