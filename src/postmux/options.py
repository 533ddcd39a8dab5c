"""Per-platform options, in positive, vendor-neutral terms.

Every field defaults to ``None``, meaning "the app did not say". Plugins never
leave such a field to the vendor's own default: they send the neutral default
from :meth:`resolved` (TikTok privacy ``SELF_ONLY``, interactions allowed, no
AI label…), so switching vendors never changes what gets published. A field a
vendor cannot carry is an :class:`~postmux.UnsupportedError`, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Self, TypeAlias

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr

__all__ = [
    "OPTION_TYPES",
    "FacebookOptions",
    "InstagramOptions",
    "PlatformOptions",
    "ThreadsOptions",
    "ThreadsReplyControl",
    "TikTokOptions",
    "TikTokPrivacy",
    "YouTubeOptions",
    "YouTubeVisibility",
]

TikTokPrivacy: TypeAlias = Literal[
    "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"
]
"""Who may see a TikTok post. A type only: at run time any value is checked by ``validate()``."""

ThreadsReplyControl: TypeAlias = Literal[
    "everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only", "followers_only"
]
"""Who may reply to a Threads post."""

YouTubeVisibility: TypeAlias = Literal["public", "private", "unlisted"]
"""Who may watch a YouTube video."""


def _tuple_or_none(value: object) -> object:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """The attrs fields of an option class, once per class (``attrs.fields`` each time costs more)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in attrs.fields(cls))
    return names


@attrs.frozen(slots=True)
class PlatformOptions:
    """Shared behaviour of the option classes."""

    platform: ClassVar[str] = ""
    defaults: ClassVar[Mapping[str, object]] = {}

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def resolved(self) -> Self:
        """A copy with every unset field that has a neutral default filled in."""
        changes = {k: v for k, v in self.defaults.items() if getattr(self, k) is None}
        return self._replaced(changes) if changes else self

    def given(self) -> dict[str, Any]:
        """The fields the app set (not ``None``), by name."""
        out: dict[str, Any] = {}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    def _replaced(self, changes: Mapping[str, object]) -> Self:
        """``attrs.evolve(self, **changes)`` for these classes (public names, no aliases), at less cost."""
        values = {name: getattr(self, name) for name in _field_names(type(self))}
        values.update(changes)
        return type(self)(**values)


@attrs.frozen(slots=True)
class TikTokOptions(PlatformOptions):
    """TikTok post settings.

    ``privacy`` is one of ``PUBLIC_TO_EVERYONE``, ``MUTUAL_FOLLOW_FRIENDS``,
    ``FOLLOWER_OF_CREATOR``, ``SELF_ONLY``; unset it is ``SELF_ONLY`` on every
    vendor. ``cover_timestamp_ms`` is for videos, ``cover_index`` and
    ``auto_add_music`` for photos; duet and stitch exist only for videos.
    ``draft`` sends the post to the creator's TikTok inbox instead of publishing.
    ``brand_organic`` (your own brand) and ``branded_content`` (a paid
    partnership) are TikTok's commercial-content disclosure.
    """

    platform: ClassVar[str] = "tiktok"
    defaults: ClassVar[Mapping[str, object]] = {
        "privacy": "SELF_ONLY",
        "allow_comment": True,
        "allow_duet": True,
        "allow_stitch": True,
        "ai_generated": False,
        "draft": False,
        "brand_organic": False,
        "branded_content": False,
    }
    photo_defaults: ClassVar[Mapping[str, object]] = {"cover_index": 0, "auto_add_music": True}
    video_defaults: ClassVar[Mapping[str, object]] = {"cover_timestamp_ms": 1000}

    privacy: TikTokPrivacy | None = None
    allow_comment: bool | None = None
    allow_duet: bool | None = None
    allow_stitch: bool | None = None
    cover_timestamp_ms: int | None = None
    cover_index: int | None = None
    auto_add_music: bool | None = None
    ai_generated: bool | None = None
    draft: bool | None = None
    brand_organic: bool | None = None
    branded_content: bool | None = None

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def resolved_for(self, *, photos: bool) -> TikTokOptions:
        """:meth:`resolved`, plus the defaults of the photo or the video fields.

        Duet and stitch do not exist for photos, so they are left unset there.
        """
        extra = self.photo_defaults if photos else self.video_defaults
        # one evolve for both sets of defaults: this runs for every TikTok target
        changes: dict[str, object] = {
            k: v
            for defaults in (self.defaults, extra)
            for k, v in defaults.items()
            if getattr(self, k) is None
        }
        if photos:
            changes.update({k: None for k in ("allow_duet", "allow_stitch") if getattr(self, k) is None})
        return self._replaced(changes) if changes else self

    @property
    def commercial(self) -> bool:
        """True when either commercial disclosure toggle is on."""
        return bool(self.brand_organic) or bool(self.branded_content)


@attrs.frozen(slots=True)
class InstagramOptions(PlatformOptions):
    """Instagram settings.

    ``share_to_feed`` (reels: also show in the feed, default True); ``story``
    publishes a story instead of a feed post or reel; ``alt_text`` for images;
    ``cover_url`` / ``thumb_offset_ms`` pick a reel's cover; up to three
    ``collaborators`` (usernames).
    """

    platform: ClassVar[str] = "instagram"
    defaults: ClassVar[Mapping[str, object]] = {"share_to_feed": True, "story": False}

    share_to_feed: bool | None = None
    story: bool | None = None
    alt_text: str | None = None
    cover_url: str | None = None
    thumb_offset_ms: int | None = None
    collaborators: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple_or_none)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash


@attrs.frozen(slots=True)
class ThreadsOptions(PlatformOptions):
    """Threads settings: who may reply, and alt text per image."""

    platform: ClassVar[str] = "threads"
    defaults: ClassVar[Mapping[str, object]] = {"reply_control": "everyone"}

    reply_control: ThreadsReplyControl | None = None
    alt_text: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple_or_none)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash


@attrs.frozen(slots=True)
class FacebookOptions(PlatformOptions):
    """Facebook Page settings: a link to attach, a draft instead of a post, a video thumbnail."""

    platform: ClassVar[str] = "facebook"
    defaults: ClassVar[Mapping[str, object]] = {"draft": False}

    link: str | None = None
    draft: bool | None = None
    thumbnail_url: str | None = None

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash


@attrs.frozen(slots=True)
class YouTubeOptions(PlatformOptions):
    """YouTube settings.

    ``title`` (≤100 characters, falls back to ``Post.title``); ``visibility`` is
    ``public``, ``private`` or ``unlisted`` and, unset, ``private`` on every
    vendor (the same careful default as TikTok's ``SELF_ONLY``).
    """

    platform: ClassVar[str] = "youtube"
    defaults: ClassVar[Mapping[str, object]] = {
        "visibility": "private",
        "made_for_kids": False,
        "ai_generated": False,
    }

    title: str | None = None
    visibility: YouTubeVisibility | None = None
    tags: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple_or_none)
    made_for_kids: bool | None = None
    ai_generated: bool | None = None
    category_id: str | None = None
    first_comment: str | None = None

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash


OPTION_TYPES: dict[str, type[PlatformOptions]] = {
    "tiktok": TikTokOptions,
    "instagram": InstagramOptions,
    "threads": ThreadsOptions,
    "facebook": FacebookOptions,
    "youtube": YouTubeOptions,
}
"""The options class of each platform (the ``Post`` field of the same name holds one)."""
