"""Neutral ⇄ Wahdx: request bodies out, statuses, URLs and creator info back.

Plain functions with no I/O, so the adapter's flows stay short and the tests
can read every mapping both ways. Field names come from :mod:`.wire`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from postmux import MediaKind, Post, Publication, Route, Status
from postmux.extras import merge
from postmux.wire import find, snake_keys

from .vocabulary import STATUSES, VOCABULARY
from .wire import Reading

__all__ = ["creator_fields", "pick_url", "post_body", "refreshed", "said"]

_PROVIDER = "wahdx"
_WRAPPERS = ("data", "creator_info")


def post_body(post: Post, route: Route, media: Sequence[str]) -> dict[str, Any]:
    """The JSON body of ``POST /api/content/post`` for one target.

    Every option the app left unset is sent as the neutral default, never
    left to Wahdx's own; ``Post.extras["wahdx"]`` is merged over the result
    (the core's one rule: settings objects key by key).
    """
    kind = post.kind
    photos = kind is MediaKind.PHOTO
    platform = route.platform
    settings = VOCABULARY.to_wire(platform, post.options_for(platform), kind=kind)  # {}: Facebook's
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


def said(
    r: Reading, raw: Mapping[str, Any], *, default: Status, kind: MediaKind | None, url: str | None = None
) -> dict[str, Any]:
    """What an answer says, as :class:`~postmux.Publication` fields (a publish makes one, not two).

    The status is read by :data:`.vocabulary.STATUSES` (``default`` if it names none), the URL by
    :func:`pick_url` (``url``, once known, is kept); a failure says why as Wahdx gave it.
    """
    status = STATUSES(r.status, default=default, reason=r.fail_reason)
    failed, why = status in (Status.FAILED, Status.CANCELLED), r.fail_reason
    error = (why or "Wahdx reported the post as failed") if failed else None
    url = pick_url(r.public_post_url, r.public_post_url_candidates, kind) or url
    return {"status": status, "url": url, "error": error, "error_code": why if failed else None, "raw": raw}


def refreshed(p: Publication, reading: Reading, raw: Mapping[str, Any], *, default: Status) -> Publication:
    """``p`` with what an answer :func:`said`."""
    return attrs.evolve(p, **said(reading, raw, default=default, kind=p.media_kind, url=p.url))


def creator_fields(data: Any) -> Any:
    """TikTok's creator_info fields wherever Wahdx puts them, with snake_case keys.

    No answer is documented, so ``data``, ``data.data``, ``data.creator_info``
    and the top level are all tried, and camelCase keys are read as snake_case.
    """
    node = snake_keys(data)
    found = find(node, lambda v: isinstance(v, dict) and "privacy_level_options" in v, under=_WRAPPERS)
    return node if found is None else found  # none: the parse says what is missing
