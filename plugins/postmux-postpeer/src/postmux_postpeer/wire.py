"""PostPeer's wire format: the neutral options ⇄ ``platformSpecificData``, and the answers.

Field names come from PostPeer's OpenAPI spec (``postpeer-openapi.json``), which
wins over the docs pages: YouTube privacy is ``visibility`` (not the docs'
``privacyStatus``), scheduling is ``scheduledFor`` + ``timezone`` (not
``scheduledAt``). The neutral option classes are registered on this plugin's
own converter with their renames, so one table (``*_FIELDS``) drives both
directions and the tests read it both ways.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from cattrs.gen import override
from cattrs.gen._consts import AttributeOverride

from postmux import (
    FacebookOptions,
    InstagramOptions,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from postmux.options import PlatformOptions
from postmux.wire import base_converter, configure, inverted, renamed

__all__ = [
    "FACEBOOK_FIELDS",
    "FIELDS",
    "INSTAGRAM_FIELDS",
    "THREADS_FIELDS",
    "TIKTOK_FIELDS",
    "YOUTUBE_FIELDS",
    "converter",
    "from_wire",
    "parse_when",
    "schedule_fields",
    "to_wire",
]

TIKTOK_FIELDS: dict[str, str] = {
    "privacy": "privacyLevel",
    "allow_comment": "!disableComment",
    "allow_duet": "!disableDuet",
    "allow_stitch": "!disableStitch",
    "branded_content": "brandContentToggle",
    "brand_organic": "brandOrganicToggle",
    "ai_generated": "isAigc",
    "cover_timestamp_ms": "videoCoverTimestampMs",
    "auto_add_music": "autoAddMusic",
    "cover_index": "photoCoverIndex",
    "draft": "draft",
}
"""``TikTokOptions`` field → ``TikTokConfigurations`` key; ``!`` marks an inverted boolean."""

INSTAGRAM_FIELDS: dict[str, str] = {
    "story": "contentType",
    "share_to_feed": "shareToFeed",
    "cover_url": "coverUrl",
    "thumb_offset_ms": "thumbOffset",
    "collaborators": "collaborators",
}
"""``InstagramOptions`` field → ``InstagramConfigurations`` key (``story`` ⇄ ``contentType: "story"``)."""

THREADS_FIELDS: dict[str, str] = {"reply_control": "replyControl", "alt_text": "altText"}
"""``ThreadsOptions`` field → ``ThreadsConfigurations`` key."""

FACEBOOK_FIELDS: dict[str, str] = {
    "link": "link",
    "draft": "!published",
    "thumbnail_url": "videoThumbnailUrl",
}
"""``FacebookOptions`` field → ``FacebookConfigurations`` key (``draft`` ⇄ not ``published``)."""

YOUTUBE_FIELDS: dict[str, str] = {
    "title": "title",
    "visibility": "visibility",
    "tags": "tags",
    "made_for_kids": "madeForKids",
    "ai_generated": "containsSyntheticMedia",
    "category_id": "categoryId",
    "first_comment": "firstComment",
}
"""``YouTubeOptions`` field → ``YouTubeConfigurations`` key."""

FIELDS: Mapping[type[PlatformOptions], Mapping[str, str]] = {
    TikTokOptions: TIKTOK_FIELDS,
    InstagramOptions: INSTAGRAM_FIELDS,
    ThreadsOptions: THREADS_FIELDS,
    FacebookOptions: FACEBOOK_FIELDS,
    YouTubeOptions: YOUTUBE_FIELDS,
}


def _story() -> AttributeOverride:
    """``story=True`` is ``contentType: "story"``; anything else leaves the key out (feed or reel)."""
    return override(
        rename="contentType",
        unstruct_hook=lambda value: "story" if value else None,
        struct_hook=lambda value, _: value == "story",
    )


def _override(neutral: str, wire_name: str) -> AttributeOverride:
    if neutral == "story":
        return _story()
    if wire_name.startswith("!"):
        return inverted(wire_name[1:])
    return renamed(wire_name)


def _is_tuple(t: Any) -> bool:
    return get_origin(t) is tuple or t is tuple


converter = base_converter()
converter.register_unstructure_hook_func(_is_tuple, list)  # JSON arrays, for the body and its schema
for _cls, _fields in FIELDS.items():
    _overrides: dict[str, Any] = {name: _override(name, wire_name) for name, wire_name in _fields.items()}
    _overrides.update({f.name: override(omit=True) for f in attrs.fields(_cls) if f.name not in _fields})
    configure(converter, _cls, **_overrides)


def to_wire(options: PlatformOptions) -> dict[str, Any]:
    """An option object as ``platformSpecificData``; unset fields (and a feed ``contentType``) left out."""
    data: dict[str, Any] = converter.unstructure(options, type(options))
    return {k: v for k, v in data.items() if v is not None}


def from_wire(data: Mapping[str, Any], cls: type[PlatformOptions]) -> PlatformOptions:
    """``platformSpecificData`` read back as the neutral option class (the inverse of :func:`to_wire`)."""
    result: PlatformOptions = converter.structure(dict(data), cls)
    return result


# -- times -----------------------------------------------------------------


def _rfc3339(at: datetime) -> str:
    text = at.isoformat(timespec="milliseconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def schedule_fields(at: datetime) -> dict[str, str]:
    """``scheduledFor`` and ``timezone`` for an aware datetime.

    PostPeer's docs pair a wall-clock time with an IANA ``timezone``; its spec
    says ``format: date-time`` (RFC 3339, offset required). Sending both the
    offset and the zone that offset belongs to means the two readings agree:
    a ``ZoneInfo`` datetime goes out in its own zone with its key, anything
    else (UTC, a fixed offset) is converted to UTC and sent with ``"UTC"``.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a naive datetime cannot be scheduled: its moment is ambiguous")
    zone = getattr(at.tzinfo, "key", None)
    if isinstance(zone, str) and zone:
        return {"scheduledFor": _rfc3339(at), "timezone": zone}
    return {"scheduledFor": _rfc3339(at.astimezone(UTC)), "timezone": "UTC"}


def parse_when(value: str | None, zone: str | None = None) -> datetime | None:
    """A ``scheduledFor`` as an aware datetime; a value without offset is read in ``zone`` (else UTC)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        return parsed
    try:
        tz: Any = ZoneInfo(zone) if zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    return parsed.replace(tzinfo=tz)


# -- answers -----------------------------------------------------------------
# Only what postmux reads is required; everything else is optional so that a
# leaner docs example and a fuller spec answer both parse, and unknown keys are
# ignored. The whole body is kept in ``Publication.raw`` either way.


@attrs.frozen(slots=True, kw_only=True)
class PlatformResult:
    """One entry of a create answer's ``platforms``."""

    platform: str
    success: bool
    platformPostUrl: str | None = None  # noqa: N815 - PostPeer's spelling
    error: str | None = None
    warningMessage: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class CreateAnswer:
    """The 202 answer to ``POST /v1/posts``; ``success`` is false only when every platform failed."""

    postId: str  # noqa: N815
    status: str
    platforms: list[PlatformResult]
    success: bool = True
    scheduledFor: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class PlatformState:
    """One entry of ``post.platforms`` in ``GET /v1/posts/{postId}``."""

    platform: str
    status: str
    platformPostId: str | None = None  # noqa: N815
    platformPostUrl: str | None = None  # noqa: N815
    publishedAt: str | None = None  # noqa: N815
    errorMessage: str | None = None  # noqa: N815
    warningMessage: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class PostDetail:
    """``post`` in ``GET /v1/posts/{postId}``."""

    postId: str  # noqa: N815
    status: str
    platforms: list[PlatformState]
    scheduledFor: str | None = None  # noqa: N815
    timezone: str | None = None
    rawRequestBody: dict[str, Any] | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class PostsPage:
    """One page of ``GET /v1/posts``: full posts, each with the request that made it."""

    total: int
    posts: list[PostDetail]


@attrs.frozen(slots=True, kw_only=True)
class PostAnswer:
    """The answer to ``GET /v1/posts/{postId}``."""

    post: PostDetail
    success: bool = True


@attrs.frozen(slots=True, kw_only=True)
class Integration:
    """One linked account of ``GET /v1/connect/integrations``."""

    id: str
    platform: str
    username: str | None = None
    displayName: str | None = None  # noqa: N815
    imageUrl: str | None = None  # noqa: N815
    authStatus: str = "active"  # noqa: N815
    authFailureReason: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class IntegrationsPage:
    """One page of ``GET /v1/connect/integrations``."""

    total: int
    integrations: list[Integration]
    success: bool = True


@attrs.frozen(slots=True, kw_only=True)
class CreatorInfoData:
    """``data`` of ``GET /v1/tiktok/creator-info``: TikTok's creator_info in camelCase."""

    privacyLevelOptions: list[str]  # noqa: N815
    commentDisabled: bool  # noqa: N815
    duetDisabled: bool  # noqa: N815
    stitchDisabled: bool  # noqa: N815
    maxVideoPostDurationSec: float | None = None  # noqa: N815
    creatorUsername: str | None = None  # noqa: N815
    creatorNickname: str | None = None  # noqa: N815
    creatorAvatarUrl: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class CreatorInfoAnswer:
    """The answer to creator-info; TikTok's own refusals come back as 200 with ``error``."""

    success: bool
    data: CreatorInfoData | None = None
    error: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class UploadData:
    """Where to PUT the bytes, and the URL the post then names."""

    uploadUrl: str  # noqa: N815
    publicUrl: str  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class UploadAnswer:
    """The answer to ``POST /v1/media/upload``."""

    data: UploadData
    success: bool = True


@attrs.frozen(slots=True, kw_only=True)
class RescheduleAnswer:
    """The answer to ``PATCH /v1/posts/scheduled/{postId}``."""

    success: bool = True
    message: str | None = None
    scheduledFor: str | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class ConnectAnswer:
    """The answer to ``GET /v1/connect/{platform}``: the OAuth URL to open."""

    url: str


for _answer in (
    PlatformResult,
    CreateAnswer,
    PlatformState,
    PostDetail,
    PostAnswer,
    PostsPage,
    Integration,
    IntegrationsPage,
    CreatorInfoData,
    CreatorInfoAnswer,
    UploadData,
    UploadAnswer,
    RescheduleAnswer,
    ConnectAnswer,
):
    configure(converter, _answer)
