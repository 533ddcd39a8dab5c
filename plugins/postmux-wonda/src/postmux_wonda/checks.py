"""Wonda's limits beyond the capability tables, checked before any I/O.

Wonda's carousels (two or more photos) are separate endpoints that take no
``scheduledAt``, no alt text and no story (its stories' lack of ``shareToFeed``
is declared in the vocabulary). ``post`` may hold wrong types (validation
reports those), so every check looks before it reads.
"""

from __future__ import annotations

from datetime import datetime

from postmux import InstagramOptions, Media, MediaKind, Post, Problem, Target
from postmux.rules import RULES

__all__ = ["check"]


def check(post: Post, provider: str) -> list[Problem]:
    """Limits the capability tables cannot say.

    Carousels take no schedule, alt text or story.
    """
    media = post.media if isinstance(post.media, tuple) else ()
    photos = sum(1 for m in media if isinstance(m, Media) and m.kind is MediaKind.PHOTO)
    carousel = photos >= 2 and photos == len(media)
    targets = post.targets if isinstance(post.targets, tuple) else ()
    named = {t.platform for t in targets if isinstance(t, Target)}
    platforms = [p for p in ("tiktok", "instagram") if p in named]  # the order its problems are listed in
    problems = []
    if carousel and isinstance(post.schedule_at, datetime):
        why = f"{provider} cannot schedule {{}} carousels"
        problems += [Problem("schedule_at", why.format(RULES[p].name), True) for p in platforms]
    ig = post.instagram
    if "instagram" in platforms and isinstance(ig, InstagramOptions):
        refused = {  # field → (refused in this post, why: worded with the provider's name)
            "alt_text": (carousel and ig.alt_text is not None, "{}'s Instagram carousels take no alt text"),
            "story": (carousel and ig.story, "{} cannot publish a carousel as a story"),
        }
        problems += [
            Problem(f"instagram.{field}", why.format(provider), True)
            for field, (refuse, why) in refused.items()
            if refuse
        ]
    return problems
