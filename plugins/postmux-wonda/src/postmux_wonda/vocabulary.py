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

import postmux
from postmux import InstagramOptions, Status, TikTokOptions
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
        **{k: TIKTOK_API[k] for k in ("privacy", "allow_comment")},  # TikTok's names
        "allow_duet": Opt(wire="disableDuet", invert=True, on=frozenset({"video"})),  # photos have none
        "allow_stitch": Opt(wire="disableStitch", invert=True, on=frozenset({"video"})),
        "cover_index": Opt(wire="coverIndex", on=frozenset({"photo"})),  # the carousel's
        "ai_generated": "isAigc",
        "draft": Opt(wire="postMode", values={False: "direct", True: "inbox"}),
        "brand_organic": "brandOrganic",
        "branded_content": "brandedContent",
    },
)
"""``TikTokOptions`` → the TikTok publish bodies; ``draft`` is ``postMode`` ``inbox``/``direct``;
duet and stitch go to ``/publish/tiktok`` only, ``coverIndex`` to the carousel only."""

INSTAGRAM = OptionMap(
    InstagramOptions,
    {
        "share_to_feed": Opt(wire="shareToFeed", on=frozenset({"video", "post"}), strict=True),  # reels only
        "story": Opt(wire="product", values={True: "STORIES"}, otherwise=False, built=True),
        "alt_text": Opt(wire="altText", on=frozenset({"photo"})),  # images only
    },
)
"""``InstagramOptions`` → ``/publish/instagram``; ``story=True`` is ``product: "STORIES"``
(otherwise the media kind picks ``IMAGE`` or ``REELS``, so the mapping writes it), which has no
``shareToFeed``: a story refuses any feed flag."""

TIKTOK_ACCOUNTS = AccountFields(
    id="tiktokAccountId", platform=None, display_name="displayName", avatar_url="avatarUrl"
)
"""``GET /tiktok/accounts``' ``accounts[]`` keys (only active accounts are listed, as documented)."""
INSTAGRAM_ACCOUNTS = AccountFields(id="instagramAccountId", platform=None)
"""``GET /instagram/accounts``' ``accounts[]`` keys."""

JOB_STATUSES = StatusMap(
    dict.fromkeys(("queued", "idle", "locked"), Status.QUEUED)
    | dict.fromkeys(("canceled", "cancelled"), Status.CANCELLED)
    | {
        "scheduled": Status.SCHEDULED,
        "in_progress": Status.PROCESSING,
        "succeeded": Status.PUBLISHED,
        "failed": Status.FAILED,
    }
)
"""Wonda job status → neutral status (the first word of each is the one the emulator says)."""

CODES: Mapping[str, type[postmux.ProviderError]] = {
    **dict.fromkeys(("validation_error", "bad_request", "unknown_project"), postmux.InvalidRequestError),
    "unauthorized": postmux.AuthenticationError,
    **dict.fromkeys(("payment_required", "insufficient_credits"), postmux.PaymentRequiredError),
    **dict.fromkeys(("forbidden", "feature_disabled"), postmux.PermissionDeniedError),
    **dict.fromkeys(("not_found", "gone"), postmux.NotFoundError),
    **dict.fromkeys(("conflict", "project_exists"), postmux.ConflictError),
    **dict.fromkeys(("rate_limit_exceeded", "throttled"), postmux.RateLimitError),
    "internal_server_error": postmux.ServerError,
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
