"""TikTok's ``creator_info``, read once for every vendor that passes it through.

TikTok asks apps to read the creator's settings before each post (which
privacy levels they may pick, whether comments, duets and stitches are off,
the longest video). Vendors hand TikTok's object on, some in TikTok's
snake_case, some camelCased; :func:`tiktok_creator_info` reads either into
:class:`~postmux.CreatorInfo`, a missing or mistyped field being a
:class:`~postmux.ResponseError`.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .accounts import CreatorInfo
from .errors import ResponseError
from .wire import base_converter, excerpt, parse, snake_keys  # snake_keys: here before, kept importable

__all__ = ["snake_keys", "tiktok_creator_info"]


@attrs.frozen(slots=True, kw_only=True)
class _TikTokCreatorInfo:
    """TikTok's ``creator_info`` fields, in TikTok's spelling."""

    privacy_level_options: list[str]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_video_post_duration_sec: float | None = None
    creator_username: str | None = None
    creator_nickname: str | None = None
    creator_avatar_url: str | None = None

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash


_converter = base_converter()


def tiktok_creator_info(account_id: str, fields: Any, *, provider: str, raw: Any) -> CreatorInfo:
    """``fields`` (TikTok's object, snake_case or camelCase keys) as :class:`CreatorInfo`; ``raw`` kept."""
    info = parse(_converter, snake_keys(fields), _TikTokCreatorInfo, provider=provider, what="creator info")
    seconds = info.max_video_post_duration_sec
    if seconds is not None and not math.isfinite(seconds):  # JSON's 1e999 or NaN: no whole number of seconds
        raise ResponseError(
            f"cannot read creator info from the response: max_video_post_duration_sec is {seconds}",
            provider=provider,
            body=excerpt(raw),
        )
    return CreatorInfo(
        account_id=account_id,
        privacy_options=tuple(info.privacy_level_options),
        comments_disabled=info.comment_disabled,
        duets_disabled=info.duet_disabled,
        stitches_disabled=info.stitch_disabled,
        max_video_duration_s=int(seconds) if seconds is not None else None,
        username=info.creator_username,
        nickname=info.creator_nickname,
        avatar_url=info.creator_avatar_url,
        raw=raw,
    )
