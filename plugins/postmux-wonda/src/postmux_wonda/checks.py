"""Wonda's limits beyond the capability tables, checked before any I/O.

Wonda's carousels (two or more photos) are separate endpoints that take no
``scheduledAt``, no alt text and no story; its stories (product ``STORIES``)
have no ``shareToFeed``. ``post`` may hold wrong types (validation reports
those), so every check looks before it reads.
"""

from __future__ import annotations

from datetime import datetime

from postmux import InstagramOptions, Media, MediaKind, Post, Problem, Target

__all__ = ["check"]

_CAROUSEL_NAMES = {"tiktok": "TikTok", "instagram": "Instagram"}


def check(post: Post, provider: str) -> list[Problem]:
    """Limits the capability tables cannot say.

    Carousels take no schedule, alt text or story; stories take no alt text.
    """
    media = post.media if isinstance(post.media, tuple) else ()
    photos = sum(1 for m in media if isinstance(m, Media) and m.kind is MediaKind.PHOTO)
    carousel = photos >= 2 and photos == len(media)
    targets = post.targets if isinstance(post.targets, tuple) else ()
    platforms = {t.platform for t in targets if isinstance(t, Target)}
    problems: list[Problem] = []
    if carousel and isinstance(post.schedule_at, datetime):
        for platform, label in _CAROUSEL_NAMES.items():
            if platform in platforms:
                problems.append(Problem("schedule_at", f"{provider} cannot schedule {label} carousels", True))
    ig = post.instagram
    if "instagram" in platforms and isinstance(ig, InstagramOptions):
        if carousel and ig.alt_text is not None:
            problems.append(
                Problem("instagram.alt_text", f"{provider}'s Instagram carousels take no alt text", True)
            )
        if carousel and ig.story:
            problems.append(
                Problem("instagram.story", f"{provider} cannot publish a carousel as a story", True)
            )
        if ig.story and ig.share_to_feed is not None:
            problems.append(
                Problem(
                    "instagram.share_to_feed",
                    f"{provider} publishes stories as product STORIES, which has no shareToFeed",
                    True,
                )
            )
    return problems
