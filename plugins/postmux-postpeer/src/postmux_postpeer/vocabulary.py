"""PostPeer's words: ``platformSpecificData`` keys, statuses and error bodies, declared once.

Field names come from PostPeer's OpenAPI spec (``postpeer-openapi.json``),
which wins over the docs pages: YouTube privacy is ``visibility`` (not the
docs' ``privacyStatus``). The adapter's bodies, the docs tables, validation
(``isAigc`` is "Videos only") and the emulator's reading of a body all come
from :data:`VOCABULARY`.
"""

from __future__ import annotations

from postmux import (
    AccountStatus,
    FacebookOptions,
    InstagramOptions,
    Status,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from postmux.vocabulary import TIKTOK_API, AccountFields, ErrorEnvelope, Opt, OptionMap, StatusMap, Vocabulary

__all__ = ["FACEBOOK", "INSTAGRAM", "INTEGRATION", "STATUSES", "THREADS", "TIKTOK", "VOCABULARY", "YOUTUBE"]

TIKTOK = OptionMap(
    TikTokOptions,
    {
        **TIKTOK_API,  # TikTok's own names, every one
        "ai_generated": Opt(wire="isAigc", on=frozenset({"video"})),  # "Videos only"
        "draft": "draft",
    },
)
"""``TikTokOptions`` → ``TikTokConfigurations``: TikTok's names (:data:`postmux.vocabulary.TIKTOK_API`)."""

INSTAGRAM = OptionMap(
    InstagramOptions,
    {
        "story": Opt(wire="contentType", values={True: "story"}),  # a feed post or reel leaves it out
        "share_to_feed": Opt(wire="shareToFeed", on=frozenset({"video", "post"}), strict=True),  # reels only
        "cover_url": Opt(wire="coverUrl", on=frozenset({"post"})),
        "thumb_offset_ms": Opt(wire="thumbOffset", on=frozenset({"video", "post"})),  # a reel's cover
        "collaborators": Opt(wire="collaborators", on=frozenset({"post"})),
    },
)
"""``InstagramOptions`` → ``InstagramConfigurations``; PostPeer ignores all but ``contentType`` on a story."""

THREADS = OptionMap(
    ThreadsOptions,
    {
        "reply_control": "replyControl",
        "alt_text": Opt(wire="altText", on=frozenset({"photo"})),
    },  # images only
)
"""``ThreadsOptions`` → ``ThreadsConfigurations``."""

FACEBOOK = OptionMap(
    FacebookOptions,
    {
        "link": Opt(wire="link", on=frozenset({"text"})),  # PostPeer ignores it on a post with media
        "draft": "!published",
        "thumbnail_url": Opt(wire="videoThumbnailUrl", on=frozenset({"video"})),
    },
)
"""``FacebookOptions`` → ``FacebookConfigurations`` (``draft`` ⇄ not ``published``)."""

YOUTUBE = OptionMap(
    YouTubeOptions,
    {
        "title": "title",
        "visibility": "visibility",
        "tags": "tags",
        "made_for_kids": "madeForKids",
        "ai_generated": "containsSyntheticMedia",
        "category_id": "categoryId",
        "first_comment": "firstComment",
    },
)
"""``YouTubeOptions`` → ``YouTubeConfigurations``."""

INTEGRATION = AccountFields(
    status="authStatus", reason="authFailureReason", display_name="displayName", avatar_url="imageUrl"
)
"""An integration of ``GET /v1/connect/integrations`` as an account: its keys."""

STATUSES = StatusMap(
    {
        "draft": Status.CANCELLED,
        "pending": Status.QUEUED,
        "scheduled": Status.SCHEDULED,
        "publishing": Status.PROCESSING,
        "published": Status.PUBLISHED,
        "failed": Status.FAILED,
        "partial": Status.PUBLISHED,
    }
)
"""PostPeer status → neutral status.

``draft`` is where a cancelled scheduled post goes. A platform entry that is
``partial`` went out in part: it is ``published`` (with its error kept), never
``failed``, because a failed target may be sent again.
"""

VOCABULARY = Vocabulary(
    options=(TIKTOK, INSTAGRAM, THREADS, FACEBOOK, YOUTUBE),
    statuses=STATUSES,
    errors=ErrorEnvelope(
        name="PostPeer",
        message=("message", "error", "error.message"),  # posts, media… / connect, creator-info…
        code=("code",),
        request_id_header="x-request-id",
        success="success",  # creator-info: TikTok's refusals come back as 200 with success false
    ),
    # an integration's authStatus; any other word is unknown, with authFailureReason kept
    accounts={"active": AccountStatus.ACTIVE, "reconnect_required": AccountStatus.RECONNECT_REQUIRED},
)
