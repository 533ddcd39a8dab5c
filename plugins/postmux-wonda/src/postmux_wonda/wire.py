"""Wonda's wire format: request and answer bodies, and the one converter that maps them.

Request classes use postmux's neutral, positive field names and the converter
renames them to Wonda's camelCase by the vocabulary (:mod:`.vocabulary`); the
three interaction flags are *inverted* (``allow_comment=True`` ⇄
``"disableComment": false``). Field names come from ``wonda-publish-tiktok.txt``
and the Wonda pages cited in ``VENDORS.md`` §2.

Answer classes mirror Wonda's spelling and keep only what postmux reads;
unknown fields are tolerated (the raw body is kept on the publication).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from postmux.vocabulary import overrides
from postmux.wire import base_converter, configure, renamed

from .vocabulary import INSTAGRAM, TIKTOK

__all__ = [
    "INSTAGRAM_FIELDS",
    "INVERTED",
    "TIKTOK_FIELDS",
    "InstagramCarousel",
    "InstagramCarouselAnswer",
    "InstagramPost",
    "JobAnswer",
    "JobBody",
    "TikTokCarousel",
    "TikTokCarouselAnswer",
    "TikTokVideo",
    "UploadAnswer",
    "UploadItem",
    "converter",
    "unstructure",
]

TIKTOK_FIELDS: dict[str, str] = {name: o.wire for name, o in TIKTOK.fields.items()}
"""``TikTokOptions`` field → Wonda field (from the vocabulary)."""

INVERTED: frozenset[str] = frozenset(name for name, o in TIKTOK.fields.items() if o.invert)
"""Neutral fields whose Wonda counterpart means the opposite."""

INSTAGRAM_FIELDS: dict[str, str] = {name: o.wire for name, o in INSTAGRAM.fields.items()}
"""``InstagramOptions`` field → Wonda field. ``story=True`` becomes ``product: "STORIES"``."""


# -- requests ------------------------------------------------------------------


@attrs.frozen(slots=True, kw_only=True)
class TikTokVideo:
    """``POST /publish/tiktok``: every documented field, neutral defaults filled in.

    ``is_aigc`` is always sent: Wonda's own default has been ``true``, which
    would label every post AI-generated.
    """

    media_id: str
    account_id: str
    caption: str
    privacy: str
    ai_generated: bool
    post_mode: str
    allow_comment: bool
    allow_duet: bool
    allow_stitch: bool
    disclose_commercial: bool
    brand_organic: bool
    branded_content: bool
    schedule_at: datetime | None = None


@attrs.frozen(slots=True, kw_only=True)
class TikTokCarousel:
    """``POST /publish/tiktok/carousel`` (synchronous, 2–35 JPEG/WebP images, caption ≤ 90).

    Duet and stitch do not exist for photo posts, so their flags are not sent.
    """

    media_ids: list[str]
    account_id: str
    caption: str
    privacy: str
    post_mode: str
    cover_index: int
    ai_generated: bool
    allow_comment: bool
    disclose_commercial: bool
    brand_organic: bool
    branded_content: bool


@attrs.frozen(slots=True, kw_only=True)
class InstagramPost:
    """``POST /publish/instagram``: one image, reel or story."""

    media_id: str
    account_id: str
    caption: str
    product: str
    share_to_feed: bool | None = None
    alt_text: str | None = None
    schedule_at: datetime | None = None


@attrs.frozen(slots=True, kw_only=True)
class InstagramCarousel:
    """``POST /publish/instagram/carousel`` (synchronous, 2–10 images)."""

    media_ids: list[str]
    account_id: str
    caption: str


# -- answers -------------------------------------------------------------------


@attrs.frozen(slots=True, kw_only=True)
class UploadItem:
    """One uploaded file: the ``mediaId`` to publish with."""

    mediaId: str  # noqa: N815 - Wonda's spelling
    url: str | None = None
    mimeType: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class UploadAnswer:
    """``POST /media/upload``: ``uploads`` by form field, and ``errors`` by field on partial failure."""

    uploads: dict[str, UploadItem] = attrs.field(factory=dict)
    errors: dict[str, str] = attrs.field(factory=dict)
    mediaId: str | None = None  # noqa: N815 - the single-file form also has it at the top


@attrs.frozen(slots=True, kw_only=True)
class JobAnswer:
    """The answer to a single-post publish: a job to poll, or a scheduled job."""

    outputJobId: str  # noqa: N815
    status: str
    scheduledFor: datetime | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class JobBody:
    """``GET /jobs/publish/{id}``: only ``status`` and ``errorMessage`` are documented."""

    status: str
    errorMessage: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class TikTokCarouselAnswer:
    """The synchronous answer to a TikTok carousel."""

    tiktokPublishId: str  # noqa: N815
    permalink: str | None = None
    publishId: str | None = None  # noqa: N815
    tiktokMediaId: str | None = None  # noqa: N815
    imageCount: int | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class InstagramCarouselAnswer:
    """The synchronous answer to an Instagram carousel."""

    instagramPublishId: str  # noqa: N815
    permalink: str | None = None
    igMediaId: str | None = None  # noqa: N815
    imageCount: int | None = None  # noqa: N815


converter = base_converter()
"""Renames the request classes below by the vocabulary; the answer classes need no hooks."""

configure(
    converter,
    TikTokVideo,
    media_id=renamed("mediaId"),
    account_id=renamed("tiktokAccountId"),
    post_mode=renamed("postMode"),
    disclose_commercial=renamed("discloseCommercial"),
    schedule_at=renamed("scheduledAt"),
    **overrides(TIKTOK, TikTokVideo),
)
configure(
    converter,
    TikTokCarousel,
    media_ids=renamed("mediaIds"),
    account_id=renamed("tiktokAccountId"),
    post_mode=renamed("postMode"),
    disclose_commercial=renamed("discloseCommercial"),
    **overrides(TIKTOK, TikTokCarousel),
)
configure(
    converter,
    InstagramPost,
    media_id=renamed("mediaId"),
    account_id=renamed("instagramAccountId"),
    schedule_at=renamed("scheduledAt"),
    **overrides(INSTAGRAM, InstagramPost),
)
configure(
    converter,
    InstagramCarousel,
    media_ids=renamed("mediaIds"),
    account_id=renamed("instagramAccountId"),
)

RequestBody = TikTokVideo | TikTokCarousel | InstagramPost | InstagramCarousel


def unstructure(body: RequestBody) -> dict[str, Any]:
    """A request body as JSON-ready data in Wonda's spelling, unset optional fields left out."""
    data: dict[str, Any] = converter.unstructure(body)
    return data
