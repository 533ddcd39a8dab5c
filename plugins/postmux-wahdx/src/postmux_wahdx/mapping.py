"""Neutral ⇄ Wahdx: request bodies out, statuses, URLs and creator info back.

Plain functions with no I/O, so the adapter's flows stay short and the tests
can read every mapping both ways. Field names come from :mod:`.wire`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import httpx

from postmux import (
    InstagramOptions,
    MediaKind,
    Post,
    ProviderError,
    Publication,
    Route,
    Status,
    ThreadsOptions,
    TikTokOptions,
)

from . import wire

__all__ = [
    "WAHDX_EXTENSIONS",
    "creator_fields",
    "kind_of",
    "neutral_status",
    "pick_url",
    "post_body",
    "raise_for_refusal",
    "refreshed",
]

WAHDX_EXTENSIONS: frozenset[str] = frozenset(
    {"mp4", "mov", "webm", "m4v", "avi", "jpg", "jpeg", "png", "webp", "gif"}
)
"""Extensions the Wahdx documents name; Wahdx tells photo from video by nothing else."""

_PROVIDER = "wahdx"


def kind_of(post: Post) -> MediaKind | None:
    """Photo or video: a valid post is all one kind."""
    return post.media[0].kind if post.media else None


def post_body(post: Post, route: Route, media: Sequence[str]) -> dict[str, Any]:
    """The JSON body of ``POST /api/content/post`` for one target.

    Every option the app left unset is sent as the neutral default, never
    left to Wahdx's own; ``Post.extras["wahdx"]`` is merged over the result.
    """
    photos = kind_of(post) is MediaKind.PHOTO
    platform = route.platform
    body = wire.PostBody(
        platform=platform,
        accountId=route.account_id,
        content=post.text_for(route.target),  # one target per request: its own text, if any
        mediaItems=[wire.MediaItem(url) for url in media],
        photoTitle=post.title if platform == "tiktok" and photos and post.title else None,
        tiktokSettings=tiktok_settings(post.tiktok, photos) if platform == "tiktok" else None,
        instagramSettings=instagram_settings(post.instagram, photos) if platform == "instagram" else None,
        threadsSettings=threads_settings(post.threads) if platform == "threads" else None,
        facebookSettings=wire.FacebookSettings() if platform == "facebook" else None,
    )
    return merge(wire.unstructure(body), post.extras.get(_PROVIDER, {}))


def tiktok_settings(options: TikTokOptions | None, photos: bool) -> wire.TikTokSettings:
    """``tiktokSettings`` with the neutral defaults; ``media_type: "photo"`` marks a photo post."""
    resolved = (options or TikTokOptions()).resolved_for(photos=photos)
    values = {wire_name: getattr(resolved, name) for name, wire_name in wire.TIKTOK_FIELDS.items()}
    return wire.TikTokSettings(**values, media_type="photo" if photos else None)


def instagram_settings(options: InstagramOptions | None, photos: bool) -> wire.InstagramSettings:
    """``instagramSettings``: ``share_to_feed`` for reels, ``{}`` for carousels (as documented)."""
    if photos:
        return wire.InstagramSettings()
    return wire.InstagramSettings(share_to_feed=(options or InstagramOptions()).resolved().share_to_feed)


def threads_settings(options: ThreadsOptions | None) -> wire.ThreadsSettings:
    """``threadsSettings``: who may reply, ``everyone`` unless the app says otherwise."""
    return wire.ThreadsSettings(who_can_reply=(options or ThreadsOptions()).resolved().reply_control)


def merge(body: dict[str, Any], extras: Mapping[str, Any]) -> dict[str, Any]:
    """Raw extras over the body; settings objects merge key by key."""
    for key, value in extras.items():
        if isinstance(value, Mapping) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


# -- answers ------------------------------------------------------------------


def neutral_status(value: str | None, *, default: Status, fail_reason: str | None = None) -> Status:
    """A Wahdx status as a neutral one (see :data:`wire.STATUSES`)."""
    if value is None:
        return default
    status = wire.STATUSES.get(value.upper(), Status.PROCESSING)
    if status is Status.FAILED and fail_reason == "publish_cancelled":
        return Status.CANCELLED
    return status


def pick_url(
    url: str | None, candidates: Mapping[str, str | None] | None, kind: MediaKind | None
) -> str | None:
    """The single URL, or, from a legacy answer, the candidate for the post's media kind."""
    if url:
        return url
    if not candidates:
        return None
    if kind is not None and candidates.get(kind.value):
        return candidates[kind.value]
    return candidates.get("video") or next((u for u in candidates.values() if u), None)


def refreshed(
    publication: Publication,
    *,
    status: Status,
    url: str | None,
    fail_reason: str | None,
    raw: Mapping[str, Any],
) -> Publication:
    """``publication`` with what a status answer said; a URL once known is kept."""
    failed = status in (Status.FAILED, Status.CANCELLED)
    return attrs.evolve(
        publication,
        status=status,
        url=url or publication.url,
        error=(fail_reason or "Wahdx reported the post as failed") if failed else None,
        error_code=fail_reason if failed else None,
        raw=raw,
    )


def raise_for_refusal(data: Any, response: httpx.Response) -> None:
    """A 2xx answer that still says no: ``success: false``, or TikTok's ``error.code`` other than ``ok``."""
    if not isinstance(data, dict):
        return
    error = data.get("error")
    if data.get("success") is False:
        message = error if isinstance(error, str) else data.get("message")
        raise ProviderError(
            message if isinstance(message, str) else "Wahdx answered success: false",
            provider=_PROVIDER,
            status_code=response.status_code,
            body=response.text,
        )
    if isinstance(error, dict) and error.get("code") not in (None, "", "ok"):
        code = str(error["code"])
        message = error.get("message")
        raise ProviderError(
            message if isinstance(message, str) and message else code,
            provider=_PROVIDER,
            status_code=response.status_code,
            code=code,
            body=response.text,
        )


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def creator_fields(data: Any) -> Any:
    """TikTok's creator_info fields wherever Wahdx puts them, with snake_case keys.

    No answer is documented, so ``data``, ``data.data``, ``data.creator_info``
    and the top level are all tried, and camelCase keys are read as snake_case.
    """
    node = _snake(data)
    for _ in range(4):
        if not isinstance(node, dict) or "privacy_level_options" in node:
            return node
        inner = next((node[k] for k in ("data", "creator_info") if isinstance(node.get(k), dict)), None)
        if inner is None:
            return node
        node = inner
    return node


def _snake(value: Any) -> Any:
    if isinstance(value, dict):
        return {_CAMEL.sub(r"_\1", str(k)).lower(): _snake(v) for k, v in value.items()}
    return value
