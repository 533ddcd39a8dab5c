"""The vendors' documented answers, and the posts the benchmarks send.

The documented answers are read from the repository's cassettes, where each
vendor document's examples are kept (each cassette folder's README names the
document and section of every answer); the plugin tests replay the same files,
and no benchmark takes its answers from ``tests/``. The rest are the documented
answers the cassettes do not hold (upload answers, which are multipart) or
documented shapes grown to many targets. The benchmark server
(:mod:`benchmarks.server`) answers with them; the in-process figures parse them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

import postmux
from postmux import Post, Target, TikTokOptions

KEY = "sk_bench_0123456789abcdef"
VIDEO_URL = "https://cdn.example.com/clip.mp4"
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


def documented(cassette: str, answer: int = 0) -> dict[str, Any]:
    """The JSON body of the ``answer``-th response in ``cassettes/<cassette>``: a vendor's example, exact."""
    interactions = yaml.safe_load((CASSETTES / cassette).read_text(encoding="utf-8"))["interactions"]
    body = json.loads(interactions[answer]["response"]["body"]["string"])
    assert isinstance(body, dict), f"{cassette}[{answer}] answers no JSON object"
    return body


WAHDX_PUBLISH = documented("wahdx/publish_tiktok_video.yaml")
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


WONDA_PUBLISH = documented("wonda/tiktok_publish.yaml")
"""``POST /publish/tiktok``: a job to poll."""
WONDA_JOB_DONE = documented("wonda/job_wait.yaml", -1)
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

POSTPEER_PUBLISH = documented("postpeer/publish_tiktok_video.yaml")
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
