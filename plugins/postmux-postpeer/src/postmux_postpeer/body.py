"""The body of ``POST /v1/posts``: one neutral post, every target, one request.

PostPeer takes many platforms in one request, so the whole post is built here
at once: top-level ``content`` and ``mediaItems``, one ``platforms[]`` entry
per target with its ``platformSpecificData`` (neutral defaults filled in,
never PostPeer's own), and either ``publishNow`` or ``scheduledFor`` +
``timezone``.

How the neutral text fields land:

* ``Post.text`` is the top-level ``content``: caption, Threads/Facebook text,
  YouTube description.
* TikTok photo posts: ``Post.text`` also goes to ``description`` (≤4000) and
  ``Post.title``, when given, is that entry's own ``content`` (PostPeer uses a
  photo post's content as the TikTok title). With no title, PostPeer gets the
  text as content and derives the title from it.
* ``Target(..., text=…)`` is that entry's own ``content`` (PostPeer's per-platform
  override; for TikTok photos, its ``description``).
* YouTube: ``YouTubeOptions.title``, else ``Post.title``, is ``title``; with
  neither, the key is left out and PostPeer uses the first 100 characters of
  the content (its documented default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from postmux import Media, MediaKind, Post, Route
from postmux.extras import merge

from . import wire
from .vocabulary import VOCABULARY

__all__ = ["handles", "media_type", "platform_data", "post_body"]


def handles(names: list[object]) -> list[object]:
    """Instagram usernames as PostPeer takes them: without the ``@`` (anything else left for the checks)."""
    return [n.lstrip("@") if isinstance(n, str) else n for n in names]


def media_type(item: Media) -> str:
    """``mediaItems[].type``: ``video``, ``gif`` for a GIF, else ``image``."""
    if item.kind is MediaKind.VIDEO:
        return "video"
    return "gif" if item.extension == "gif" else "image"


def platform_data(post: Post, platform: str) -> dict[str, Any]:
    """``platformSpecificData`` for one platform, every neutral default sent explicitly."""
    kind = post.kind
    data = VOCABULARY.to_wire(platform, post.options_for(platform), kind=kind)  # isAigc: not on photos
    if platform == "tiktok" and kind is MediaKind.PHOTO and post.text:
        data["description"] = post.text
    elif platform == "instagram" and "collaborators" in data:
        data["collaborators"] = handles(data["collaborators"])
    elif platform == "youtube" and "title" not in data and post.title:
        data["title"] = post.title
    return data


def post_body(post: Post, routes: Sequence[Route], media: Sequence[str], *, provider: str) -> dict[str, Any]:
    """The JSON body for every route of ``post``; ``media`` holds one URL per media item."""
    entries: list[dict[str, Any]] = []
    body: dict[str, Any] = {"content": post.text, "platforms": entries}
    photos = post.kind is MediaKind.PHOTO
    for route in routes:  # a loop, not a comprehension: no function made and called for it
        entry: dict[str, Any] = {"platform": route.platform, "accountId": route.account_id}
        own = route.target.text  # Target(..., text=…): PostPeer's per-platform content override
        tiktok_photos = photos and route.platform == "tiktok"
        if tiktok_photos and post.title:
            entry["content"] = post.title
        elif own is not None:
            entry["content"] = own
        data = platform_data(post, route.platform)
        if tiktok_photos and own is not None:
            data["description"] = own
        if data:
            entry["platformSpecificData"] = data
        entries.append(entry)
    if post.media:
        body["mediaItems"] = [
            {"type": media_type(item), "url": url} for item, url in zip(post.media, media, strict=True)
        ]
    if post.schedule_at is None:
        body["publishNow"] = True
    else:
        body.update(wire.schedule_fields(post.schedule_at))
    extras = post.extras.get(provider)
    return merge_extras(body, extras) if extras else body  # the common post: nothing to merge


def merge_extras(body: dict[str, Any], extras: Mapping[str, Any]) -> dict[str, Any]:
    """``Post.extras["postpeer"]`` over the body, by the core's one rule (:func:`postmux.extras.merge`).

    ``platformSpecificData`` is a mapping of platform → raw keys, merged into
    every entry of that platform (one request carries every platform).
    """
    per_platform = extras.get("platformSpecificData")
    if isinstance(per_platform, Mapping):
        for entry in body["platforms"]:
            more = per_platform.get(entry["platform"])
            if isinstance(more, Mapping):
                entry["platformSpecificData"] = merge(dict(entry.get("platformSpecificData", {})), more)
    return merge(body, {k: v for k, v in extras.items() if k != "platformSpecificData"})
