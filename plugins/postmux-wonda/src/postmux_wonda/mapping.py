"""A neutral :class:`~postmux.Post` → the one Wonda endpoint and body for one target.

Wonda has one endpoint per platform and per carousel, so the choice of path
is part of the mapping: a TikTok video is a job (``/publish/tiktok``), TikTok
photos a synchronous carousel; an Instagram video or single image is a job
(``/publish/instagram``, product ``REELS``/``IMAGE``/``STORIES``), two to ten
images a synchronous carousel. Every option left unset is sent as postmux's
neutral default, never Wonda's (whose ``isAigc`` default has been ``true``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from postmux import InstagramOptions, MediaKind, Post, Route, TikTokOptions
from postmux.extras import merge

from . import wire
from .vocabulary import TIKTOK

__all__ = ["Call", "build", "instagram_post", "tiktok_carousel", "tiktok_video"]


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
    photos = post.kind is MediaKind.PHOTO
    if route.platform == "tiktok":
        if photos:
            carousel = tiktok_carousel(post, route.account_id, media_ids, text=post.text_for(route.target))
            return Call(
                path="/publish/tiktok/carousel",
                body=merge(wire.unstructure(carousel), extras),
                synchronous=True,
                post_mode=carousel.post_mode,
            )
        video = tiktok_video(post, route.account_id, media_ids[0], text=post.text_for(route.target))
        return Call(
            path="/publish/tiktok",
            body=merge(wire.unstructure(video), extras),
            synchronous=False,
            post_mode=video.post_mode,
        )
    if route.platform == "instagram":
        if photos and len(media_ids) > 1:
            ig_carousel = wire.InstagramCarousel(
                media_ids=list(media_ids), account_id=route.account_id, caption=post.text_for(route.target)
            )
            return Call(
                path="/publish/instagram/carousel",
                body=merge(wire.unstructure(ig_carousel), extras),
                synchronous=True,
            )
        single = instagram_post(post, route.account_id, media_ids[0], text=post.text_for(route.target))
        return Call(
            path="/publish/instagram", body=merge(wire.unstructure(single), extras), synchronous=False
        )
    raise ValueError(f"wonda does not publish to {route.platform!r}")  # validation stops this earlier


def _post_mode(options: TikTokOptions) -> str:
    mode: str = TIKTOK.fields["draft"].encode(bool(options.draft))
    return mode


def _tiktok_options(post: Post, *, photos: bool) -> TikTokOptions:
    return (post.tiktok or TikTokOptions()).resolved_for(photos=photos)


def tiktok_video(post: Post, account_id: str, media_id: str, *, text: str | None = None) -> wire.TikTokVideo:
    """``/publish/tiktok``: interactions inverted, commercial disclosure derived from its toggles."""
    o = _tiktok_options(post, photos=False)
    return wire.TikTokVideo(
        media_id=media_id,
        account_id=account_id,
        caption=post.text if text is None else text,  # a target's own text, if any
        privacy=str(o.privacy),
        ai_generated=bool(o.ai_generated),
        post_mode=_post_mode(o),
        allow_comment=bool(o.allow_comment),
        allow_duet=bool(o.allow_duet),
        allow_stitch=bool(o.allow_stitch),
        disclose_commercial=o.commercial,
        brand_organic=bool(o.brand_organic),
        branded_content=bool(o.branded_content),
        schedule_at=post.schedule_at,
    )


def tiktok_carousel(
    post: Post, account_id: str, media_ids: Sequence[str], *, text: str | None = None
) -> wire.TikTokCarousel:
    """``/publish/tiktok/carousel``: the post's text is the (≤ 90) caption."""
    o = _tiktok_options(post, photos=True)
    return wire.TikTokCarousel(
        media_ids=list(media_ids),
        account_id=account_id,
        caption=post.text if text is None else text,  # a target's own text, if any
        privacy=str(o.privacy),
        post_mode=_post_mode(o),
        cover_index=int(o.cover_index or 0),
        ai_generated=bool(o.ai_generated),
        allow_comment=bool(o.allow_comment),
        disclose_commercial=o.commercial,
        brand_organic=bool(o.brand_organic),
        branded_content=bool(o.branded_content),
    )


def instagram_post(
    post: Post, account_id: str, media_id: str, *, text: str | None = None
) -> wire.InstagramPost:
    """``/publish/instagram``: ``story`` picks ``STORIES``, else the media kind picks IMAGE or REELS."""
    o = (post.instagram or InstagramOptions()).resolved()
    photo = post.kind is MediaKind.PHOTO
    product = "STORIES" if o.story else ("IMAGE" if photo else "REELS")
    return wire.InstagramPost(
        media_id=media_id,
        account_id=account_id,
        caption=post.text if text is None else text,  # a target's own text, if any
        product=product,
        share_to_feed=bool(o.share_to_feed) if product == "REELS" else None,
        alt_text=o.alt_text if photo else None,
        schedule_at=post.schedule_at,
    )
