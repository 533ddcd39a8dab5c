"""The vendors' documented answers, and the posts the benchmarks send.

The bodies are the ones the repository's cassettes and plugin tests hold
(``cassettes/wahdx/publish_tiktok_video.yaml``, ``cassettes/wonda/tiktok_publish.yaml``,
``cassettes/wonda/job_wait.yaml``, ``cassettes/postpeer/publish_tiktok_video.yaml``,
``cassettes/postpeer/media_upload.yaml``, ``cassettes/postpeer/get_post.yaml``), written
out here because a benchmark must not import from ``tests/``. The benchmark
server (:mod:`benchmarks.server`) answers with them; the in-process figures
parse them.
"""

from __future__ import annotations

import json
from typing import Any

import postmux
from postmux import Post, Target, TikTokOptions

KEY = "sk_bench_0123456789abcdef"
VIDEO_URL = "https://cdn.example.com/clip.mp4"

WAHDX_PUBLISH: dict[str, Any] = {
    "success": True,
    "accountId": "acc-1",
    "platform": "tiktok",
    "status": "PUBLISH_INITIATED",
    "data": {"publish_id": "v_pub_file~v2.1234567890"},
    "mediaType": "video",
    "mediaUrls": ["https://media.wahdx.co/uploads/abc123.mp4"],
    "fileIds": ["uploads/abc123.mp4"],
}
"""``POST /api/content/post``, TikTok direct post (``PUBLISH_INITIATED``, then polled)."""


def wahdx_batch(checks: list[dict[str, str]]) -> dict[str, Any]:
    """``POST /api/content/status/batch``: each check answered ``PUBLISH_COMPLETE``, as documented."""
    return {
        "success": True,
        "data": {
            "results": [
                {
                    "accountId": c["accountId"],
                    "platform": "tiktok",
                    "publishId": c["publishId"],
                    "success": True,
                    "publish_id": c["publishId"],
                    "status": "PUBLISH_COMPLETE",
                    "public_post_url": "https://www.tiktok.com/@mybrand/video/7489123456789012345",
                }
                for c in checks
            ]
        },
    }


WONDA_JOB = "019e1b76-74d7-8c7e-a927-6bd34bfaa114"
WONDA_PUBLISH: dict[str, Any] = {"outputJobId": WONDA_JOB, "status": "queued"}
"""``POST /publish/tiktok``: a job to poll."""
WONDA_JOB_DONE: dict[str, Any] = {"status": "succeeded"}
"""``GET /jobs/publish/{id}``, the last answer of the documented wait."""
WONDA_UPLOAD: dict[str, Any] = {
    "mediaId": "019e1b70-6f9e-80fd-8c49-690bcbdaf8db",
    "url": "https://...",
    "mimeType": "video/mp4",
    "uploads": {
        "file": {"mediaId": "019e1b70-6f9e-80fd-8c49-690bcbdaf8db", "url": "...", "mimeType": "video/mp4"}
    },
}
"""``POST /media/upload`` (multipart, field ``file``)."""

POSTPEER_PUBLISH: dict[str, Any] = {
    "success": True,
    "status": "published",
    "postId": "post_pqr678",
    "platforms": [
        {
            "platform": "tiktok",
            "success": True,
            "platformPostUrl": "https://www.tiktok.com/@user/video/7123456789",
        }
    ],
}
"""``POST /v1/posts`` for one TikTok target."""


def postpeer_publishing(targets: int) -> dict[str, Any]:
    """``POST /v1/posts`` still publishing on ``targets`` TikTok accounts (so ``wait()`` polls it)."""
    platforms = [{"platform": "tiktok", "success": True} for _ in range(targets)]
    return {"success": True, "status": "publishing", "postId": "post_pqr678", "platforms": platforms}


def postpeer_detail(post_id: str, targets: int) -> dict[str, Any]:
    """``GET /v1/posts/{postId}``: published on ``targets`` TikTok accounts, every required field."""
    entry = {
        "platform": "tiktok",
        "status": "published",
        "content": None,
        "platformPostId": "1234567890",
        "platformPostUrl": "https://www.tiktok.com/@user/video/1234567890",
        "publishedAt": "2026-04-15T14:30:00.000Z",
        "errorMessage": None,
        "warningMessage": None,
    }
    post: dict[str, Any] = {
        "postId": post_id,
        "content": "Hello world!",
        "status": "published",
        "scheduledFor": None,
        "timezone": "UTC",
        "mediaItems": [],
        "platforms": [entry] * targets,
        "crosspostingEnabled": False,
        "rawRequestBody": {},
        "createdAt": "2026-04-15T14:30:00.000Z",
        "updatedAt": "2026-04-15T14:30:01.000Z",
    }
    return {"success": True, "post": post}


def postpeer_upload_url(origin: str) -> dict[str, Any]:
    """``POST /v1/media/upload``: the presigned PUT URL, pointed at the benchmark server."""
    return {
        "success": True,
        "data": {
            "uploadUrl": f"{origin}/presigned/launch.mp4",
            "publicUrl": "https://assets.postpeer.dev/uploads/launch.mp4",
        },
    }


PUBLISH_ANSWERS: dict[str, dict[str, Any]] = {
    "wahdx": WAHDX_PUBLISH,
    "wonda": WONDA_PUBLISH,
    "postpeer": POSTPEER_PUBLISH,
}

PUBLISH_PATHS: dict[str, str] = {
    "wahdx": "/api/content/post",
    "wonda": "/publish/tiktok",
    "postpeer": "/v1/posts",
}
"""Where each vendor's single-target TikTok video publish goes (below its base path)."""

BASE_PATHS: dict[str, str] = {"wahdx": "", "wonda": "/api/v1", "postpeer": ""}


def tiktok_post(targets: int = 1, media: str | postmux.Media = VIDEO_URL) -> Post:
    """A TikTok video post to ``targets`` accounts (``acc-0``, ``acc-1``…)."""
    return Post(
        text="Check out this video! #viral",
        media=[media],
        targets=[Target("tiktok", f"acc-{i}") for i in range(targets)],
        tiktok=TikTokOptions(privacy="PUBLIC_TO_EVERYONE", allow_comment=False, ai_generated=True),
    )


def dumps(value: object) -> bytes:
    """Compact JSON, as a vendor sends it."""
    return json.dumps(value, separators=(",", ":")).encode()
