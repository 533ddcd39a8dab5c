"""What PostPeer supports, per platform, from its OpenAPI spec and docs.

Sources: ``postpeer-openapi.json`` (the ``*Configurations`` schemas name every
option PostPeer carries; ``POST /v1/media/upload`` makes local files possible;
``/v1/posts/scheduled`` schedules, cancels and reschedules) and
``postpeer.dev/docs/platforms/tiktok`` (TikTok videos: MP4 and WebM).
"""

from __future__ import annotations

from postmux import Capabilities, PlatformSupport
from postmux.rules import TextLimit, TextUnit

__all__ = ["CAPABILITIES", "CONNECT_PLATFORMS"]

CONNECT_PLATFORMS = frozenset({"tiktok", "instagram", "threads", "facebook", "youtube"})
"""Platforms whose accounts ``connect()`` links through ``GET /v1/connect/{platform}``."""

CAPABILITIES = Capabilities(
    platforms={
        "tiktok": PlatformSupport(
            target_text=True,
            title=True,
            draft=True,
            video_formats=frozenset({"mp4", "webm"}),
            photo_caption=TextLimit(4000, TextUnit.UTF16),
            photo_title=TextLimit(90, TextUnit.UTF16),
            options=frozenset(
                {
                    "privacy",
                    "allow_comment",
                    "allow_duet",
                    "allow_stitch",
                    "cover_timestamp_ms",
                    "cover_index",
                    "auto_add_music",
                    "ai_generated",
                    "draft",
                    "brand_organic",
                    "branded_content",
                }
            ),
        ),
        "instagram": PlatformSupport(
            target_text=True,
            max_photos=10,
            options=frozenset({"share_to_feed", "story", "cover_url", "thumb_offset_ms", "collaborators"}),
            notes=("alt_text has no PostPeer field for Instagram",),
        ),
        "threads": PlatformSupport(
            target_text=True,
            text_only=True,
            options=frozenset({"reply_control", "alt_text"}),
        ),
        "facebook": PlatformSupport(
            target_text=True,
            text_only=True,
            draft=True,
            options=frozenset({"link", "draft", "thumbnail_url"}),
        ),
        "youtube": PlatformSupport(
            target_text=True,
            photos=False,
            title=True,
            options=frozenset(
                {
                    "title",
                    "visibility",
                    "tags",
                    "made_for_kids",
                    "ai_generated",
                    "category_id",
                    "first_comment",
                }
            ),
        ),
    },
    scheduling=True,
    local_files=True,
    remote_media=True,
    creator_info=True,
    batch_status=True,
    cancel=True,
    reschedule=True,
    connect=CONNECT_PLATFORMS,
)
