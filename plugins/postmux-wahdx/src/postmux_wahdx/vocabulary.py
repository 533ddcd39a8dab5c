"""Wahdx's words: the settings keys, statuses and error bodies, declared once.

Field names are Wahdx's own, from ``wahdx-multi-platform-api.txt``
(``https://wahdx.co/docs``) and ``wahdx-photo-carousel.txt``. The adapter's
request bodies, the docs tables, the capabilities and the emulator's reading
of a body all come from :data:`VOCABULARY`.
"""

from __future__ import annotations

from collections.abc import Mapping

from postmux import AccountStatus, ConnectStatus, InstagramOptions, Status, ThreadsOptions, TikTokOptions
from postmux.vocabulary import AccountFields, ErrorEnvelope, Opt, OptionMap, StatusMap, Vocabulary

__all__ = ["ACCOUNT_FIELDS", "INSTAGRAM", "QR_STATUSES", "STATUSES", "THREADS", "TIKTOK", "VOCABULARY"]

TIKTOK = OptionMap(
    TikTokOptions,
    {
        "privacy": "privacy_level",
        "allow_comment": "allow_comment",
        "allow_duet": "allow_duet",
        "allow_stitch": "allow_stitch",
        "cover_timestamp_ms": "video_cover_timestamp_ms",
        "cover_index": "photo_cover_index",
        "auto_add_music": "auto_add_music",
        "ai_generated": "video_made_with_ai",
        "draft": "draft",
    },
)
"""``TikTokOptions`` → ``tiktokSettings``."""

INSTAGRAM = OptionMap(InstagramOptions, {"share_to_feed": Opt(wire="share_to_feed", on=frozenset({"video"}))})
"""``InstagramOptions`` → ``instagramSettings``: a carousel sends ``{}``, as documented."""

THREADS = OptionMap(ThreadsOptions, {"reply_control": "who_can_reply"})
"""``ThreadsOptions`` → ``threadsSettings``."""

ACCOUNT_FIELDS = AccountFields(id="accountId", display_name="display_name", avatar_url="avatar_url")
"""``GET /api/content/accounts``' ``data[]`` keys (``platform``, ``username``, ``status`` as named)."""

STATUSES = StatusMap(
    {
        # documented in Wahdx's examples
        "PUBLISH_INITIATED": Status.PROCESSING,
        "PUBLISH_COMPLETE": Status.PUBLISHED,
        # TikTok's status vocabulary, which Wahdx's status answers mirror
        "PROCESSING_UPLOAD": Status.PROCESSING,
        "PROCESSING_DOWNLOAD": Status.PROCESSING,
        "SEND_TO_USER_INBOX": Status.INBOX,
        "FAILED": Status.FAILED,
        # assumed: a Meta-style failure, and the prose labels of wahdx.com/docs/status-tracking
        "PUBLISH_FAILED": Status.FAILED,
        "QUEUED": Status.QUEUED,
        "PROCESSING": Status.PROCESSING,
        "PUBLISHED": Status.PUBLISHED,
    },
    reasons={"publish_cancelled": Status.CANCELLED},
)
"""Wahdx status (any case) → neutral; ``FAILED`` with TikTok's ``publish_cancelled`` is ``cancelled``."""

QR_STATUSES: Mapping[str, ConnectStatus] = {
    "new": ConnectStatus.PENDING,
    "scanned": ConnectStatus.SCANNED,
    "confirmed": ConnectStatus.CONFIRMED,
    "expired": ConnectStatus.EXPIRED,
    "utilised": ConnectStatus.USED,
}
"""QR login ``data.status`` → neutral link status; anything else is still ``pending``."""

VOCABULARY = Vocabulary(
    options=(TIKTOK, INSTAGRAM, THREADS),
    statuses=STATUSES,
    errors=ErrorEnvelope(
        name="Wahdx",
        message=("error", "error.message", "message"),  # {"error": "…"}, or TikTok's error object
        success="success",  # {"success": false, "error": "…"}, whatever the HTTP status
        ok_codes=frozenset({"ok"}),  # TikTok's error.code, passed through on TikTok answers
    ),
    accounts={"active": AccountStatus.ACTIVE, "expired": AccountStatus.EXPIRED},
)
