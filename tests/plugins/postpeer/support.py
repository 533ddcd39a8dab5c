"""What the PostPeer tests share: answers in the spec's shapes and a sync-or-async caller."""

from __future__ import annotations

import inspect
from typing import Any

VIDEO = "https://cdn.example.com/vertical.mp4"
"""The media URL of the cross-post example in ``postpeer-tiktok.txt``."""

PHOTOS = ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"]


def created(post_id: str, status: str, *platforms: dict[str, Any], **more: Any) -> dict[str, Any]:
    """A ``POST /v1/posts`` answer in the spec's 202 shape."""
    return {"success": True, "status": status, "postId": post_id, "platforms": list(platforms), **more}


def ok(platform: str, url: str | None = None) -> dict[str, Any]:
    """A per-platform success in a create answer."""
    return {"platform": platform, "success": True, **({"platformPostUrl": url} if url else {})}


def post_detail(post_id: str, status: str, *platforms: dict[str, Any], **more: Any) -> dict[str, Any]:
    """A ``GET /v1/posts/{postId}`` answer with every field the spec requires."""
    post = {
        "postId": post_id,
        "content": "New tutorial out now!",
        "status": status,
        "scheduledFor": None,
        "timezone": "UTC",
        "mediaItems": [],
        "platforms": list(platforms),
        "crosspostingEnabled": False,
        "rawRequestBody": {},
        "createdAt": "2026-04-15T14:30:00.000Z",
        "updatedAt": "2026-04-15T14:30:01.000Z",
        **more,
    }
    return {"success": True, "post": post}


def entry(platform: str, status: str, **more: Any) -> dict[str, Any]:
    """One platform of a post, every nullable field present."""
    return {
        "platform": platform,
        "status": status,
        "content": None,
        "platformPostId": None,
        "platformPostUrl": None,
        "publishedAt": None,
        "errorMessage": None,
        "warningMessage": None,
        **more,
    }


def integration(id_: str, platform: str, username: str, **more: Any) -> dict[str, Any]:
    """One integration in the spec's shape."""
    return {
        "id": id_,
        "platform": platform,
        "platformUserId": f"u-{id_}",
        "username": username,
        "displayName": username.title(),
        "profileUrl": None,
        "imageUrl": f"https://cdn.example.com/{id_}.jpg",
        "profileId": None,
        "appId": None,
        "app": None,
        "byok": False,
        "authStatus": "active",
        "authFailureReason": None,
        "createdAt": "2026-04-15T14:30:00.000Z",
        **more,
    }


class Either:
    """One publisher (or connect session), sync or async, called the same way from an async test."""

    def __init__(self, pub: Any) -> None:
        self.pub = pub

    async def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.pub, method)(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result
