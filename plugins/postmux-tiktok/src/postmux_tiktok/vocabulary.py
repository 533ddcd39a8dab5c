"""TikTok's words and capabilities, from its Direct Post, photo post, Get Post Status and error references.

Every answer is ``{"data": {…}, "error": {"code": "ok", "message": "", "log_id": "…"}}``, a 2xx
included. TikTok only: videos (direct or inbox drafts) and photo posts, no scheduling, no text alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import postmux
from postmux import Status
from postmux.vocabulary import ErrorEnvelope, Opt, OptionMap, StatusMap, Vocabulary

__all__ = ["CAPABILITIES", "CODES", "HINTS", "REASONS", "STATUSES", "TIKTOK", "VOCABULARY", "hinted"]

POST, VIDEO_POST = frozenset({"post"}), frozenset({"video", "post"})
"""A video draft (the inbox endpoint) takes no ``post_info`` at all, a photo draft only its texts."""

TIKTOK = OptionMap(
    postmux.TikTokOptions,
    {
        "privacy": Opt(wire="privacy_level", on=POST),
        "allow_comment": Opt(wire="disable_comment", invert=True, on=POST),
        "allow_duet": Opt(wire="disable_duet", invert=True, on=VIDEO_POST),
        "allow_stitch": Opt(wire="disable_stitch", invert=True, on=VIDEO_POST),
        "cover_timestamp_ms": Opt(wire="video_cover_timestamp_ms", on=VIDEO_POST),
        "cover_index": Opt(wire="photo_cover_index", on=frozenset({"photo"}), built=True),
        "auto_add_music": Opt(wire="auto_add_music", on=frozenset({"photo", "post"})),
        "ai_generated": Opt(wire="is_aigc", on=VIDEO_POST),
        "draft": Opt(wire="post_mode", values={False: "DIRECT_POST", True: "MEDIA_UPLOAD"}, built=True),
        "brand_organic": Opt(wire="brand_organic_toggle", on=POST),
        "branded_content": Opt(wire="brand_content_toggle", on=POST),
    },
)
"""``TikTokOptions`` → ``post_info``; the adapter writes ``cover_index`` (``source_info``) and ``draft``."""

STATUSES = StatusMap(
    dict.fromkeys(["PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"], Status.PROCESSING)
    | {"SEND_TO_USER_INBOX": Status.INBOX, "PUBLISH_COMPLETE": Status.PUBLISHED, "FAILED": Status.FAILED},
    reasons={"publish_cancelled": Status.CANCELLED},
)

REASONS: Mapping[str, str] = {
    "file_format_check_failed": "TikTok could not read the file's format",
    "duration_check_failed": "the video is longer or shorter than TikTok allows",
    "picture_size_check_failed": "the picture size is outside what TikTok accepts",
    "spam_risk_too_many_posts": "the creator reached TikTok's daily post cap",
    "video_pull_failed": "TikTok could not download the video from its URL",
    "photo_pull_failed": "TikTok could not download a photo from its URL",
    "auth_removed": "the creator removed the app's access",
}
"""``fail_reason`` → a readable reason (another reason is shown as TikTok wrote it)."""

CODES: Mapping[str, type[postmux.ProviderError]] = {
    "spam_risk_too_many_posts": postmux.PermissionDeniedError,
    "unaudited_client_can_only_post_to_private_accounts": postmux.PermissionDeniedError,
    "access_token_invalid": postmux.AuthenticationError,
    "invalid_grant": postmux.AuthenticationError,  # OAuth: a refresh token TikTok no longer takes
    "rate_limit_exceeded": postmux.RateLimitError,
}
"""Codes whose class holds whatever the HTTP status; the others follow their documented status."""

HINTS: Mapping[str, str] = {
    "spam_risk_too_many_posts": "the creator reached TikTok's daily cap of API posts: try again tomorrow",
    "unaudited_client_can_only_post_to_private_accounts": "post as SELF_ONLY, or have TikTok audit the app",
    "url_ownership_unverified": "verify the media URL's domain or prefix in TikTok's developer portal",
    "access_token_invalid": "the creator's token is invalid or expired: link the account again",
    "invalid_grant": "the creator's refresh token is invalid or expired: link the account again",
}
"""What to do, appended to the message of an error with that code (:func:`hinted`)."""


def hinted(error: postmux.ProviderError) -> postmux.ProviderError:
    """``error``, its message saying what to do where its code has a hint."""
    if hint := HINTS.get(error.code or ""):
        error.message = f"{error.message}: {hint}"
        error.args = (error.message,)
    return error


VOCABULARY = Vocabulary(
    options=(TIKTOK,),
    statuses=STATUSES,
    errors=ErrorEnvelope(  # the OAuth endpoint: {"error": "invalid_grant", "error_description": …}
        name="TikTok",
        message=("error.message", "error_description"),
        code=("error.code", "error"),
        request_id=("error.log_id", "log_id"),
        ok_codes=frozenset({"ok"}),
        classes=CODES,
    ),
)

CAPABILITIES = postmux.Capabilities(
    platforms={  # TikTok's own limits (photos, formats, texts) are the platform's: nothing to tighten
        "tiktok": postmux.PlatformSupport(
            target_text=True,
            title=True,  # a photo post's title; its text is the description
            draft=True,
            options=TIKTOK.names,
            only=TIKTOK.only,
            never={"text": frozenset({"video", "draft"})},  # the inbox endpoint has no post_info
            notes=("creator info is read before every direct post", "photos are taken by URL only"),
        )
    },
    local_files=True,
    upload_types=frozenset({"video/"}),  # photos are pulled from URLs only
    creator_info=True,
    connect=frozenset({"tiktok"}),
)
