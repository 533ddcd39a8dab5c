"""Wonda's words: body fields, job statuses and error codes, declared once.

Field names come from ``wonda-publish-tiktok.txt`` and the Wonda pages cited
in ``VENDORS.md`` §2; error codes from Wonda's errors page, whose envelope is
``{"error": {"message": "…", "code": "…"}}`` (the official MCP client also
accepts ``error`` as a plain string). The request classes, the docs tables,
the capabilities and the emulator's reading of a body all come from
:data:`VOCABULARY`.
"""

from __future__ import annotations

from collections.abc import Mapping

from postmux import (
    AuthenticationError,
    ConflictError,
    InstagramOptions,
    InvalidRequestError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    ServerError,
    Status,
    TikTokOptions,
)
from postmux.vocabulary import TIKTOK_API, AccountFields, ErrorEnvelope, Opt, OptionMap, StatusMap, Vocabulary

__all__ = [
    "CODES",
    "INSTAGRAM",
    "INSTAGRAM_ACCOUNTS",
    "JOB_STATUSES",
    "TIKTOK",
    "TIKTOK_ACCOUNTS",
    "VOCABULARY",
]

TIKTOK = OptionMap(
    TikTokOptions,
    {
        **{
            k: TIKTOK_API[k] for k in ("privacy", "allow_comment", "allow_duet", "allow_stitch")
        },  # TikTok's names
        "cover_index": "coverIndex",
        "ai_generated": "isAigc",
        "draft": Opt(wire="postMode", values={False: "direct", True: "inbox"}),
        "brand_organic": "brandOrganic",
        "branded_content": "brandedContent",
    },
)
"""``TikTokOptions`` → the TikTok publish bodies; ``draft`` is ``postMode`` ``inbox``/``direct``."""

INSTAGRAM = OptionMap(
    InstagramOptions,
    {
        "share_to_feed": "shareToFeed",
        "story": Opt(wire="product", values={True: "STORIES"}, otherwise=False, built=True),
        "alt_text": "altText",
    },
)
"""``InstagramOptions`` → ``/publish/instagram``; ``story=True`` is ``product: "STORIES"``
(otherwise the media kind picks ``IMAGE`` or ``REELS``, so the mapping writes it)."""

TIKTOK_ACCOUNTS = AccountFields(
    id="tiktokAccountId", platform=None, display_name="displayName", avatar_url="avatarUrl"
)
"""``GET /tiktok/accounts``' ``accounts[]`` keys (only active accounts are listed, as documented)."""
INSTAGRAM_ACCOUNTS = AccountFields(id="instagramAccountId", platform=None)
"""``GET /instagram/accounts``' ``accounts[]`` keys."""

JOB_STATUSES = StatusMap(
    {
        "idle": Status.QUEUED,
        "locked": Status.QUEUED,
        "queued": Status.QUEUED,
        "scheduled": Status.SCHEDULED,
        "in_progress": Status.PROCESSING,
        "succeeded": Status.PUBLISHED,
        "failed": Status.FAILED,
        "canceled": Status.CANCELLED,
        "cancelled": Status.CANCELLED,
    }
)
"""Wonda job status → neutral status."""

CODES: Mapping[str, type[ProviderError]] = {
    "validation_error": InvalidRequestError,
    "bad_request": InvalidRequestError,
    "unknown_project": InvalidRequestError,
    "unauthorized": AuthenticationError,
    "payment_required": PaymentRequiredError,
    "insufficient_credits": PaymentRequiredError,
    "forbidden": PermissionDeniedError,
    "feature_disabled": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "project_exists": ConflictError,
    "gone": NotFoundError,
    "rate_limit_exceeded": RateLimitError,
    "throttled": RateLimitError,
    "internal_server_error": ServerError,
}
"""Every code on Wonda's errors page and the class it becomes, whatever the HTTP status."""

VOCABULARY = Vocabulary(
    options=(TIKTOK, INSTAGRAM),
    statuses=JOB_STATUSES,
    errors=ErrorEnvelope(
        name="Wonda",
        message=("error.message", "error", "message"),
        classes=CODES,
        retry_after=("error.deferUntil", "deferUntil"),  # a 429's hint when there is no Retry-After
    ),
)
