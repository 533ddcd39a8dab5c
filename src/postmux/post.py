"""What an app publishes: a :class:`Post` to one or more :class:`Target` accounts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import PurePath
from typing import Any

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .media import Media, MediaKind, to_media
from .options import (
    FacebookOptions,
    InstagramOptions,
    PlatformOptions,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)

__all__ = ["Post", "Target"]


@attrs.frozen(slots=True)
class Target:
    """One account on one platform: ``Target("tiktok", "acc-1")`` or ``Target("instagram", "@brand")``.

    An ``@username`` is resolved to the vendor's account id through ``accounts()``.
    ``text``, when given, replaces ``Post.text`` for this target only (platforms
    talk differently); a vendor that cannot carry it refuses it before any I/O.
    """

    platform: str
    account: str
    text: str | None = attrs.field(default=None, kw_only=True)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def is_username(self) -> bool:
        """True when ``account`` is an ``@username`` still to be resolved."""
        return isinstance(self.account, str) and self.account.startswith("@")

    def __str__(self) -> str:
        return f"{self.platform}:{self.account}"


def _media_list(value: object) -> tuple[object, ...]:
    """One medium or a list of them; a single value is a list of one (as for targets)."""
    if isinstance(value, str | Media) or _is_path(value):
        value = [value]
    if isinstance(value, list | tuple):
        return tuple(to_media(v) for v in value)
    return value  # type: ignore[return-value]  # validation reports the wrong type


def _target_list(value: object) -> tuple[object, ...]:
    """One target or a list of them: ``targets="tiktok:@x"`` is one target, as ``media="https://…"``
    is one medium (the same rule for both, so a lone string never means "no targets")."""
    if isinstance(value, str | Target):
        value = [value]
    if isinstance(value, list | tuple):
        return tuple(_to_target(v) for v in value)
    return value  # type: ignore[return-value]


def _is_path(value: object) -> bool:
    return isinstance(value, PurePath)


def _to_target(value: object) -> object:
    if isinstance(value, str) and ":" in value:
        platform, _, account = value.partition(":")
        return Target(platform, account)
    if isinstance(value, tuple) and len(value) == 2:
        return Target(*value)
    return value


@attrs.frozen(slots=True, kw_only=True)
class Post:
    """One piece of content and where it goes.

    ``text`` is the caption (description on TikTok photo posts); ``title`` the
    headline where a platform has one (TikTok photo title, YouTube title);
    ``media`` URLs (``str``), local files (``pathlib.Path``) or :class:`Media`
    — a string is always a URL, never a path on disk; ``targets``
    :class:`Target` or ``"platform:account"`` strings. Each takes one value or
    a list: a single medium or target is a list of one. ``schedule_at`` must be
    timezone-aware. ``extras`` holds raw vendor fields, keyed by provider name,
    merged over that vendor's request body by one rule (:func:`postmux.extras.merge`:
    mappings key by key, anything else replaced). ``key`` names the post for
    the ledger; by default it is a digest of the content, so re-running the same
    post after a crash is recognised.

    Nothing is checked on construction: :meth:`Publisher.validate` reports
    every problem at once, and ``publish`` raises them before any I/O.
    """

    text: str = ""
    media: tuple[Media, ...] = attrs.field(factory=tuple, converter=_media_list)
    targets: tuple[Target, ...] = attrs.field(factory=tuple, converter=_target_list)
    title: str | None = None
    tiktok: TikTokOptions | None = None
    instagram: InstagramOptions | None = None
    threads: ThreadsOptions | None = None
    facebook: FacebookOptions | None = None
    youtube: YouTubeOptions | None = None
    schedule_at: datetime | None = None
    extras: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    key: str | None = None

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def text_for(self, target: Target) -> str:
        """The text for ``target``: its own ``text`` if given, else the post's."""
        return target.text if target.text is not None else self.text

    def options_for(self, platform: str) -> PlatformOptions | None:
        """The option object for ``platform``, or ``None`` if the app gave none."""
        value = getattr(self, platform, None) if platform in _OPTION_FIELDS else None
        return value if isinstance(value, PlatformOptions) else None

    @property
    def kind(self) -> MediaKind | None:
        """Photo or video: the one kind of all the media; ``None`` with no media (or an invalid mix)."""
        media = self.media
        if type(media) is tuple and len(media) == 1:  # the commonest post: one medium
            first = media[0]
            return first.kind if isinstance(first, Media) else None
        if not isinstance(media, tuple) or not media or not isinstance(media[0], Media):
            return None
        kind = media[0].kind
        for item in media[1:]:  # read for every target of every publish: no set, no copy
            if not isinstance(item, Media) or item.kind is not kind:
                return None
        return kind

    @property
    def ledger_key(self) -> str:
        """``key`` if given, else a stable digest of everything that is published."""
        if self.key:
            return self.key
        return _digest(self)


_OPTION_FIELDS = frozenset({"tiktok", "instagram", "threads", "facebook", "youtube"})


_LEAVES = (str, int, float)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The attrs field names of ``cls`` (cached), or ``None`` for a class attrs did not make."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if not attrs.has(cls):
            return None
        names = _FIELD_NAMES[cls] = tuple(f.name for f in attrs.fields(cls))
    return names


def _plain(value: object) -> object:
    if value is None or isinstance(value, _LEAVES):  # bool and str enums are leaves too
        return value
    names = _field_names(type(value))
    if names is not None:
        return {k: _plain(getattr(value, k)) for k in names}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _digest(post: Post) -> str:
    # computed for every publish, so kept quick: cached field names, leaves first
    names = _field_names(Post)
    assert names is not None
    content = {k: _plain(getattr(post, k)) for k in names if k not in ("key", "targets")}
    texts = [
        [t.platform, t.account, t.text] for t in post.targets if isinstance(t, Target) and t.text is not None
    ]
    if texts:  # per-target text is content too (left out when unused, so older digests stay the same)
        content["target_texts"] = texts
    blob = json.dumps(content, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()[:32]
