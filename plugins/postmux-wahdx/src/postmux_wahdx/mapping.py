"""Neutral ⇄ Wahdx: request bodies out, statuses, URLs and creator info back.

Plain functions with no I/O, so the adapter's flows stay short and the tests
can read every mapping both ways. Field names come from :mod:`.wire`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from postmux import MediaKind, Post, Publication, Route, Status
from postmux.creator import snake_keys
from postmux.extras import merge

from .vocabulary import STATUSES, VOCABULARY

__all__ = ["WAHDX_EXTENSIONS", "creator_fields", "neutral_status", "pick_url", "post_body", "refreshed"]

WAHDX_EXTENSIONS: frozenset[str] = frozenset(
    {"mp4", "mov", "webm", "m4v", "avi", "jpg", "jpeg", "png", "webp", "gif"}
)
"""Extensions the Wahdx documents name; Wahdx tells photo from video by nothing else."""

_PROVIDER = "wahdx"


def post_body(post: Post, route: Route, media: Sequence[str]) -> dict[str, Any]:
    """The JSON body of ``POST /api/content/post`` for one target.

    Every option the app left unset is sent as the neutral default, never
    left to Wahdx's own; ``Post.extras["wahdx"]`` is merged over the result
    (the core's one rule: settings objects key by key).
    """
    kind = post.kind
    photos = kind is MediaKind.PHOTO
    platform = route.platform
    option_map = VOCABULARY.for_platform(platform)
    settings = option_map.to_wire(post.options_for(platform), kind=kind) if option_map else {}
    if platform == "tiktok" and photos:
        settings["media_type"] = "photo"  # marks a photo post
    body: dict[str, Any] = {
        "platform": platform,
        "accountId": route.account_id,
        "content": post.text_for(route.target),  # one target per request: its own text, if any
        "mediaItems": [{"url": url} for url in media],  # Wahdx tells photo from video by the extension
    }
    if platform == "tiktok" and photos and post.title:
        body["photoTitle"] = post.title
    body[f"{platform}Settings"] = settings  # tiktokSettings, …; facebookSettings is documented as {}
    return merge(body, post.extras.get(_PROVIDER, {}))


# -- answers ------------------------------------------------------------------


def neutral_status(value: str | None, *, default: Status, fail_reason: str | None = None) -> Status:
    """A Wahdx status as a neutral one (see :data:`.vocabulary.STATUSES`)."""
    return STATUSES(value, default=default, reason=fail_reason)


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


def creator_fields(data: Any) -> Any:
    """TikTok's creator_info fields wherever Wahdx puts them, with snake_case keys.

    No answer is documented, so ``data``, ``data.data``, ``data.creator_info``
    and the top level are all tried, and camelCase keys are read as snake_case.
    """
    node = snake_keys(data)
    for _ in range(4):
        if not isinstance(node, dict) or "privacy_level_options" in node:
            return node
        inner = next((node[k] for k in ("data", "creator_info") if isinstance(node.get(k), dict)), None)
        if inner is None:
            return node
        node = inner
    return node
