"""A neutral :class:`~postmux.Post` → the one Wonda endpoint and body for one target.

Wonda has one endpoint per platform and per carousel, so the choice of path
is part of the mapping: a TikTok video is a job (``/publish/tiktok``), TikTok
photos a synchronous carousel; an Instagram video or single image is a job
(``/publish/instagram``, product ``REELS``/``IMAGE``/``STORIES``), two to ten
images a synchronous carousel. The bodies are plain dicts in Wonda's spelling,
the options written by the vocabulary (:meth:`~postmux.vocabulary.OptionMap.to_wire`):
every option left unset is sent as postmux's neutral default, never Wonda's
(whose ``isAigc`` default has been ``true``), and duet and stitch, which photo
posts do not have, are left out of the carousel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from postmux import InstagramOptions, MediaKind, Post, Route, TikTokOptions
from postmux.extras import merge

from .vocabulary import INSTAGRAM, TIKTOK

__all__ = ["Call", "build"]


@attrs.frozen(slots=True, kw_only=True)
class Call:
    """One publish request: where it goes, what it says, and whether the answer is final at once."""

    path: str
    body: dict[str, Any]
    synchronous: bool
    post_mode: str | None = None


def build(post: Post, route: Route, media_ids: Sequence[str], *, extras: Mapping[str, Any]) -> Call:
    """The request for ``route``; ``extras`` (``Post.extras["wonda"]``) is merged over the body
    by the core's one rule (:func:`postmux.extras.merge`)."""
    kind, platform = post.kind, route.platform
    carousel = kind is MediaKind.PHOTO and (platform == "tiktok" or len(media_ids) > 1)
    media = {"mediaIds": list(media_ids)} if carousel else {"mediaId": media_ids[0]}
    body: dict[str, Any] = {**media, f"{platform}AccountId": route.account_id}
    body["caption"] = post.text_for(route.target)  # one target per request: its own text, if any
    if platform == "tiktok":
        tiktok = post.tiktok or TikTokOptions()
        body |= TIKTOK.to_wire(tiktok, kind=kind)  # postMode, the inverted flags, isAigc…
        body["discloseCommercial"] = tiktok.commercial  # derived from the two toggles
    elif platform == "instagram" and not carousel:  # a carousel takes no product, alt text or feed flag
        ig = post.instagram or InstagramOptions()
        body |= INSTAGRAM.to_wire(ig, kind=kind)
        body["product"] = "STORIES" if ig.story else ("IMAGE" if kind is MediaKind.PHOTO else "REELS")
    elif platform != "instagram":
        raise ValueError(f"wonda does not publish to {platform!r}")  # validation stops this earlier
    if post.schedule_at is not None and not carousel:
        body["scheduledAt"] = post.schedule_at.isoformat()
    path = f"/publish/{platform}" + ("/carousel" if carousel else "")
    body = merge(body, extras)  # postMode as sent, an extras' too: a draft is read back as inbox
    return Call(path=path, body=body, synchronous=carousel, post_mode=body.get("postMode"))
