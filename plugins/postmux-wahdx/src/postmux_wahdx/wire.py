"""Wahdx's wire format: the answers, and the one converter that reads them.

Field names are Wahdx's own (``privacy_level``, ``photoTitle``, ``mediaItems``…),
taken from the documents ``wahdx-multi-platform-api.txt`` (``https://wahdx.co/docs``)
and ``wahdx-photo-carousel.txt``. The neutral ⇄ wire renames are declared
once in :mod:`.vocabulary`; :data:`TIKTOK_FIELDS` and its siblings show them. Every
answer comes in a ``{"success": …, "data": …}`` envelope: the classes here are
what is inside ``data`` (the adapter reads ``at="data"``), except the publish
answer, whose top level carries the status too.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from postmux import AccountStatus, ConnectStatus
from postmux.wire import base_converter

from .vocabulary import INSTAGRAM, STATUSES, THREADS, TIKTOK, VOCABULARY

__all__ = [
    "ACCOUNT_STATUSES",
    "INSTAGRAM_FIELDS",
    "QR_STATUSES",
    "STATUSES",
    "THREADS_FIELDS",
    "TIKTOK_FIELDS",
    "BatchItem",
    "PublishBody",
    "QrCheckData",
    "QrRequestData",
    "StatusData",
    "converter",
]

TIKTOK_FIELDS: Mapping[str, str] = TIKTOK.docs
"""``TikTokOptions`` field → ``tiktokSettings`` key (from the vocabulary)."""

INSTAGRAM_FIELDS: Mapping[str, str] = INSTAGRAM.docs
"""``InstagramOptions`` field → ``instagramSettings`` key."""

THREADS_FIELDS: Mapping[str, str] = THREADS.docs
"""``ThreadsOptions`` field → ``threadsSettings`` key."""

QR_STATUSES: Mapping[str, ConnectStatus] = {
    "new": ConnectStatus.PENDING,
    "scanned": ConnectStatus.SCANNED,
    "confirmed": ConnectStatus.CONFIRMED,
    "expired": ConnectStatus.EXPIRED,
    "utilised": ConnectStatus.USED,
}
"""QR login ``data.status`` → neutral link status; anything else is still ``pending``."""

ACCOUNT_STATUSES: Mapping[str, AccountStatus] = VOCABULARY.accounts
"""Account ``status`` → neutral; missing (the older TikTok-only answer) is ``active``, others ``unknown``."""


@attrs.frozen(slots=True, kw_only=True)
class PublishData:
    """``data`` of a publish answer: TikTok gives only ``publish_id``; Meta platforms the post too."""

    publish_id: str
    id: str | None = None
    public_post_url: str | None = None
    fail_reason: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class PublishBody:
    """The answer to ``POST /api/content/post`` (current and older page alike)."""

    data: PublishData
    success: bool = True
    status: str | None = None
    platform: str | None = None
    accountId: str | None = None  # noqa: N815
    mediaType: str | None = None  # noqa: N815
    public_post_url: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class StatusData:
    """``data`` of a status answer, in TikTok's vocabulary."""

    status: str
    publish_id: str | None = None
    platform: str | None = None
    public_post_url: str | None = None
    public_post_url_candidates: dict[str, str | None] | None = None
    fail_reason: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class BatchItem:
    """One result of a batch status check; ``success: false`` items carry ``error``."""

    success: bool
    accountId: str | None = None  # noqa: N815
    publishId: str | None = None  # noqa: N815
    platform: str | None = None
    status: str | None = None
    publish_id: str | None = None
    public_post_url: str | None = None
    public_post_url_candidates: dict[str, str | None] | None = None
    fail_reason: str | None = None
    error: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class QrRequestData:
    """``data`` of ``POST /api/content/qr-login/request``."""

    qrCodeImage: str  # noqa: N815
    token: str
    unique_id: str | None = None
    expiresIn: int | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class QrAccount:
    """The account a confirmed QR login linked."""

    accountId: str  # noqa: N815
    username: str | None = None
    display_name: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class QrCheckData:
    """``data`` of ``POST /api/content/qr-login/check``."""

    status: str
    unique_id: str | None = None
    account: QrAccount | None = None
    message: str | None = None


converter = base_converter()
"""Reads every answer class here (attrs classes whose fields are Wahdx's spelling need no hooks)."""
