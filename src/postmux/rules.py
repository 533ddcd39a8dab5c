"""The platforms' own publishing rules, as data.

Numbers come from each platform's developer documentation (TikTok Content
Posting API, Instagram Graph API, Threads API, Facebook Pages API, YouTube
Data API v3). Validation reads these tables; a vendor's
:class:`~postmux.Capabilities` may narrow or replace them.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from .options import ThreadsReplyControl, TikTokPrivacy, YouTubeVisibility

__all__ = [
    "PLATFORMS",
    "RULES",
    "PlatformRules",
    "TextLimit",
    "TextUnit",
    "count",
]

MiB = 1 << 20
GiB = 1 << 30


class TextUnit(enum.StrEnum):
    """How a platform counts the length of a text."""

    CHARACTERS = "characters"
    UTF16 = "UTF-16 code units"
    UTF8_BYTES = "UTF-8 bytes"
    THREADS = "characters (emoji count as their UTF-8 bytes)"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


_VS16 = "\ufe0f"
"""VARIATION SELECTOR-16: the character before it is shown, and counted, as an emoji."""


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (
        # the emoji blocks of plane 1 (not the CJK ideographs of planes 2 and 3, which are letters),
        # and the tag characters of subdivision flags (England's, Scotland's, Wales')
        0x1F000 <= cp <= 0x1FAFF
        or 0xE0020 <= cp <= 0xE007F
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x25FD <= cp <= 0x25FE  # shown as emoji by default
        or cp in (0x200D, 0xFE0F, 0x20E3, 0x00A9, 0x00AE)
    )


def _threads(text: str) -> int:
    """Threads' length (platform-rules §3, TH-POSTS): characters, but "emojis are counted as the
    number of UTF-8 bytes" — a character followed by VS16 (``▶️``, ``↔️``, ``™️``) is one too."""
    if text.isascii():
        return len(text)
    n = 0
    before = ""
    for ch in text:
        if _is_emoji(ch):
            n += len(ch.encode("utf-8"))
            if ch == _VS16 and before and not _is_emoji(before):  # its base was counted as 1
                n += len(before.encode("utf-8")) - 1
        else:
            n += 1
        before = ch
    return n


_COUNTERS: dict[TextUnit, Callable[[str], int]] = {
    TextUnit.CHARACTERS: len,
    TextUnit.UTF16: _utf16,
    TextUnit.UTF8_BYTES: _utf8,
    TextUnit.THREADS: _threads,
}


def count(text: str, unit: TextUnit) -> int:
    """The length of ``text`` in ``unit``."""
    if text.isascii():  # one unit a character in every unit; ``str.isascii`` is O(1), an encoding is not
        return len(text)
    return _COUNTERS[unit](text)


# NamedTuples rather than attrs classes: tables defined at every import, read-only
# records with equality; attrs would compile each class's methods at start-up.


class TextLimit(NamedTuple):
    """A maximum length and the unit it is counted in."""

    limit: int
    unit: TextUnit = TextUnit.CHARACTERS


class PlatformRules(NamedTuple):
    """What one platform accepts, for client-side validation.

    ``caption`` limits ``Post.text`` on video posts and ``photo_caption`` on
    photo posts; ``title`` limits ``Post.title`` where the platform has one
    (``None``: no title on this platform). ``max_photo_bytes`` and
    ``max_video_bytes`` are the largest file the platform takes: they cap what
    postmux itself downloads (:class:`~postmux.FetchPolicy`).
    """

    name: str
    video: bool = True
    photos: bool = True
    text_only: bool = False
    min_photos: int = 1
    max_photos: int | None = None
    photo_formats: frozenset[str] = frozenset()
    video_formats: frozenset[str] = frozenset()
    caption: TextLimit | None = None
    photo_caption: TextLimit | None = None
    title: TextLimit | None = None
    photo_title: TextLimit | None = None
    forbidden_chars: str = ""
    max_hashtags: int | None = None
    max_mentions: int | None = None
    max_links: int | None = None
    max_photo_bytes: int | None = None
    max_video_bytes: int | None = None
    enums: Mapping[str, frozenset[str]] = MappingProxyType({})


# the option types' Literal values: one list for mypy and for validate()
TIKTOK_PRIVACY: frozenset[str] = frozenset(typing.get_args(TikTokPrivacy))
THREADS_REPLY_CONTROL: frozenset[str] = frozenset(typing.get_args(ThreadsReplyControl))
YOUTUBE_VISIBILITY: frozenset[str] = frozenset(typing.get_args(YouTubeVisibility))

RULES: Mapping[str, PlatformRules] = {
    # TikTok: T-DP, T-PH, T-MT — video caption 2200, photo title 90 and
    # description 4000, all in UTF-16 code units; photos JPEG/WebP only, ≤35.
    "tiktok": PlatformRules(
        name="TikTok",
        max_photos=35,
        photo_formats=frozenset({"jpg", "jpeg", "webp"}),
        video_formats=frozenset({"mp4", "mov", "webm"}),
        caption=TextLimit(2200, TextUnit.UTF16),
        photo_caption=TextLimit(4000, TextUnit.UTF16),
        photo_title=TextLimit(90, TextUnit.UTF16),
        max_photo_bytes=20 * MiB,
        max_video_bytes=4 * GiB,
        enums={"tiktok.privacy": TIKTOK_PRIVACY},
    ),
    # Instagram: I-MEDIA, I-PUB — JPEG only, carousels up to 10, reels MP4/MOV,
    # caption 2200 (unit unstated: UTF-16 to be safe), 30 hashtags, 20 mentions.
    "instagram": PlatformRules(
        name="Instagram",
        max_photos=10,
        photo_formats=frozenset({"jpg", "jpeg"}),
        video_formats=frozenset({"mp4", "mov"}),
        caption=TextLimit(2200, TextUnit.UTF16),
        photo_caption=TextLimit(2200, TextUnit.UTF16),
        max_hashtags=30,
        max_mentions=20,
        max_photo_bytes=8 * MiB,
        max_video_bytes=300 * MiB,  # reels, in the current reference (older versions said 1 GB)
    ),
    # Threads: TH-POSTS, TH-OV — 500 characters with emoji as UTF-8 bytes,
    # at most 5 unique links, JPEG/PNG images, carousels up to 20, MP4/MOV video.
    "threads": PlatformRules(
        name="Threads",
        text_only=True,
        max_photos=20,
        photo_formats=frozenset({"jpg", "jpeg", "png"}),
        video_formats=frozenset({"mp4", "mov"}),
        caption=TextLimit(500, TextUnit.THREADS),
        photo_caption=TextLimit(500, TextUnit.THREADS),
        max_links=5,  # "at most 5 unique links" a post (TH-POSTS); more fails at container creation
        max_photo_bytes=8 * MiB,
        max_video_bytes=1 * GiB,
        enums={"threads.reply_control": THREADS_REPLY_CONTROL},
    ),
    # Facebook Pages: F-PHOTOS, F-VIDEOS — photo formats listed (≤ 10 MB), no
    # documented maximum photo count or message length.
    "facebook": PlatformRules(
        name="Facebook",
        text_only=True,
        photo_formats=frozenset({"jpg", "jpeg", "bmp", "png", "gif", "tif", "tiff"}),
        video_formats=frozenset({"mp4", "mov", "m4v", "avi", "webm", "mkv"}),
        max_photo_bytes=10 * MiB,
        max_video_bytes=10 * GiB,  # not stated by Meta (read at run time); what aggregators quote
    ),
    # YouTube: Y-INS, Y-RES — video only, of any format; title 1..100 characters,
    # description 5000 UTF-8 bytes, neither with < or >.
    "youtube": PlatformRules(
        name="YouTube",
        photos=False,
        # Y-INS (platform-rules §5): "MIME video/* or application/octet-stream", so any video
        # (a .wmv, .flv, .3gp or .mts given kind="video"): no list of formats to hold it to
        caption=TextLimit(5000, TextUnit.UTF8_BYTES),
        title=TextLimit(100, TextUnit.CHARACTERS),
        forbidden_chars="<>",
        max_video_bytes=256 * GiB,
        enums={"youtube.visibility": YOUTUBE_VISIBILITY},
    ),
}

PLATFORMS: tuple[str, ...] = tuple(RULES)
"""Every platform postmux knows, in a stable order."""

INSTAGRAM_MAX_COLLABORATORS = 3
INSTAGRAM_ALT_TEXT = 1000
YOUTUBE_TAGS_TOTAL = 500
