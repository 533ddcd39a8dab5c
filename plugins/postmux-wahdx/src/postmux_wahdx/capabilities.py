"""What Wahdx supports, per platform, from its documents.

Sources: ``wahdx-multi-platform-api.txt`` (formats, counts, text limits),
``wahdx-photo-carousel.txt`` (the settings objects per platform) and the older
``wahdx-tiktok-api-older.txt`` (TikTok photos "2-35").
"""

from __future__ import annotations

from postmux import Capabilities, PlatformSupport
from postmux.rules import TextLimit, TextUnit

from .vocabulary import INSTAGRAM, THREADS, TIKTOK

__all__ = ["CAPABILITIES", "EXTENSIONS", "META_VIDEO", "PHOTOS"]

META_VIDEO = frozenset({"mp4", "mov", "webm", "m4v", "avi"})
"""Wahdx: "Instagram, Threads, Facebook: MP4, MOV, WebM, M4V, AVI"."""
PHOTOS = frozenset({"jpg", "jpeg", "png", "webp", "gif"})
EXTENSIONS = META_VIDEO | PHOTOS
"""Extensions the Wahdx documents name; Wahdx tells photo from video by nothing else."""

_CONTENT = TextLimit(4000, TextUnit.UTF16)
"""Wahdx: ``content`` "up to 4,000 characters" (video and photo posts alike); Meta
documents no Facebook limit, so Wahdx's is the one that applies there. TikTok's own
limits (caption 2200, photo description 4000, photo title 90, 35 photos: the core's
platform rules) are as tight or tighter, so they apply as they stand (as Instagram's 10 photos)."""

CAPABILITIES = Capabilities(
    platforms={
        "tiktok": TIKTOK.support(target_text=True, title=True, draft=True, min_photos=2),
        "instagram": INSTAGRAM.support(
            target_text=True,
            video_formats=META_VIDEO,
        ),
        "threads": THREADS.support(
            target_text=True,
            video_formats=META_VIDEO,
        ),
        "facebook": PlatformSupport(
            target_text=True, video_formats=META_VIDEO, caption=_CONTENT, photo_caption=_CONTENT
        ),
    },
    scheduling=False,
    local_files=False,
    remote_media=True,
    creator_info=True,
    batch_status=True,
    connect=frozenset({"tiktok"}),
)
