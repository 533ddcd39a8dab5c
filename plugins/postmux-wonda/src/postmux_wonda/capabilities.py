"""What Wonda supports, per platform, from its documents.

Sources: ``wonda-publish-tiktok.txt`` (TikTok video and carousel fields, the
scheduling window, carousel limits) and the Wonda pages summarised in
``VENDORS.md`` §2 (Instagram publishing, media upload, accounts). Wonda has no
Threads, Facebook or YouTube endpoint, so those platforms are absent and
validation refuses them before any I/O.
"""

from __future__ import annotations

from datetime import timedelta

from postmux import Capabilities
from postmux.rules import TextLimit, TextUnit

from .vocabulary import INSTAGRAM, TIKTOK

__all__ = ["CAPABILITIES", "SCHEDULE_MAX", "SCHEDULE_MIN"]

SCHEDULE_MIN = timedelta(minutes=5)
"""``scheduledAt`` "must be 5 minutes to 29 days in the future"."""
SCHEDULE_MAX = timedelta(days=29)
CAROUSEL = frozenset({"carousel"})
"""Two or more photos: Wonda's carousel endpoints, which take less than a single post."""

CAPABILITIES = Capabilities(
    platforms={
        "tiktok": TIKTOK.support(
            target_text=True,
            draft=True,  # postMode "inbox"
            # /publish/tiktok/carousel: "2 to 35 media IDs", "only accept JPEG and WebP images" (TikTok's
            # own most and formats, as its 2200-unit video caption is); /publish/tiktok is video only
            min_photos=2,
            photo_caption=TextLimit(90, TextUnit.UTF16),  # carousel "caption, up to 90 characters"
            # /publish/tiktok/carousel takes no scheduledAt, and disregards privacyLevel for an inbox post
            never={"schedule_at": CAROUSEL, "privacy": frozenset({"photo", "draft"})},
            notes=(
                "a photo post's text is Wonda's carousel caption (≤ 90); there is no separate title",
                "no cover timestamp for videos and no auto-add-music for photos",
            ),
        ),
        "instagram": INSTAGRAM.support(
            target_text=True,
            # /publish/instagram/carousel: 2–10 images (Instagram's most); one image is product IMAGE,
            # and the carousel takes no scheduledAt, altText or product (so no story)
            never=dict.fromkeys(("schedule_at", "alt_text", "story"), CAROUSEL),
            notes=("carousels take no alt text, no story and no schedule",),
        ),
    },
    scheduling=True,
    schedule_min=SCHEDULE_MIN,
    schedule_max=SCHEDULE_MAX,
    local_files=True,
    remote_media=True,
    creator_info=False,
    batch_status=False,
    cancel=True,
    reschedule=False,
)
"""Wonda's capabilities, its carousels' limits included (``never``)."""
