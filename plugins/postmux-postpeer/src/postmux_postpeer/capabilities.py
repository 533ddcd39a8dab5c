"""What PostPeer supports, per platform, from its OpenAPI spec and docs.

Sources: ``postpeer-openapi.json`` (the ``*Configurations`` schemas name every
option PostPeer carries, declared once in :mod:`.vocabulary`;
``POST /v1/media/upload`` makes local files possible;
``/v1/posts/scheduled`` schedules, cancels and reschedules) and
``postpeer.dev/docs/platforms/tiktok`` (TikTok videos: MP4 and WebM).
"""

from __future__ import annotations

from postmux import Capabilities
from postmux.rules import TextLimit, TextUnit

from .vocabulary import FACEBOOK, INSTAGRAM, THREADS, TIKTOK, YOUTUBE

__all__ = ["CAPABILITIES"]

CAPABILITIES = Capabilities(
    platforms={
        "tiktok": TIKTOK.support(
            video_formats=frozenset({"mp4", "webm"}),
            photo_caption=TextLimit(4000, TextUnit.UTF16),  # platformSpecificData.description
            photo_title=TextLimit(90, TextUnit.UTF16),
            draft=True,
            title=True,
            target_text=True,
        ),
        "instagram": INSTAGRAM.support(
            target_text=True, max_photos=10, notes=("alt_text has no PostPeer field for Instagram",)
        ),
        "threads": THREADS.support(target_text=True, text_only=True),
        "facebook": FACEBOOK.support(target_text=True, text_only=True, draft=True),
        "youtube": YOUTUBE.support(target_text=True, photos=False, title=True),
    },
    scheduling=True,
    local_files=True,
    upload_types=frozenset({"image/", "video/"}),  # POST /v1/media/upload names each file's mimeType
    remote_media=True,
    creator_info=True,
    batch_status=True,
    cancel=True,
    reschedule=True,
    connect=frozenset(
        {"tiktok", "instagram", "threads", "facebook", "youtube"}
    ),  # GET /v1/connect/{platform}
    reconcile=True,  # GET /v1/posts: every unknown found or proved absent (reconcile.py)
)
