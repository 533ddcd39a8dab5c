"""What one vendor can do, per platform — read by validation and by the capability matrix.

A plugin declares its :class:`Capabilities` once, as data; postmux checks
every post against it before any I/O and raises :class:`~postmux.UnsupportedError`
for what the vendor cannot carry, instead of letting a field fall on the floor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .rules import PlatformRules, TextLimit

__all__ = ["Capabilities", "PlatformSupport", "photo_count", "photo_formats", "tighter"]


@attrs.frozen(slots=True, kw_only=True)
class PlatformSupport:
    """One platform through one vendor.

    ``options`` names the fields of the platform's option class the vendor can
    carry (``{"privacy", "allow_comment", …}``). ``text_only``: a post with no
    media (text alone) can go to this platform; ``target_text``: a per-target
    ``Target(..., text=…)`` can be carried. Limits given here replace the
    platform's own formats or tighten its counts and text lengths, where the
    vendor documents stricter ones (or, for formats, converts others).

    ``only`` limits an option (or ``"text"``, the caption) to some contexts:
    media kinds ``video``/``photo`` and modes ``post``/``draft`` (a draft is
    ``draft=True`` in the platform's options), e.g. ``{"ai_generated":
    frozenset({"video"})}``; validation refuses it elsewhere, naming the
    field. A vendor's :class:`~postmux.vocabulary.OptionMap` gives it as
    :attr:`~postmux.vocabulary.OptionMap.only`. Set to the neutral default
    outside its contexts, an option is let by (not sending it gives that),
    unless it is in ``strict``: there it means nothing at all.

    ``never`` is the other way round: a field the vendor refuses where *every*
    word of its set holds, as ``{"text": frozenset({"video", "draft"})}`` (a
    video draft takes no caption: neither the post's, where it is used, nor a
    target's own). Its words are those of ``only`` and ``carousel`` (two or
    more photos); its fields are options, ``"text"`` and ``"schedule_at"``
    (``{"schedule_at": frozenset({"carousel"})}``: carousels cannot be scheduled).
    """

    video: bool = True
    photos: bool = True
    text_only: bool = False
    target_text: bool = False
    title: bool = False
    draft: bool = False
    scheduling: bool | None = None
    options: frozenset[str] = frozenset()
    only: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    strict: frozenset[str] = frozenset()
    never: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    min_photos: int | None = None
    max_photos: int | None = None
    photo_formats: frozenset[str] | None = None
    video_formats: frozenset[str] | None = None
    caption: TextLimit | None = None
    photo_caption: TextLimit | None = None
    photo_title: TextLimit | None = None
    notes: tuple[str, ...] = ()

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash


@attrs.frozen(slots=True, kw_only=True)
class Capabilities:
    """Everything a vendor supports.

    ``scheduling`` with ``schedule_min``/``schedule_max`` bounds how far ahead
    ``schedule_at`` may be; ``local_files`` whether ``Media(path=…)`` can be
    uploaded; ``remote_media`` whether ``Media(url=…)`` is accepted;
    ``connect`` lists platforms whose accounts can be linked through postmux.
    ``upload_types``: the MIME types the vendor's upload takes (``"video/"``,
    ending in ``/``, is the whole family); with it, validation refuses a local
    file whose type is not among them, or unknown (no extension postmux knows and
    no ``Media(mime_type=…)``), since the upload could not name it. ``None``: any.
    ``reconcile``: the vendor's API can find a post sent without its id (it
    lists posts), so ``reconcile()`` settles every ``unknown`` — found or
    proved absent; without it, only those with an id are, and the others get
    a reason saying what to check by hand.
    """

    platforms: Mapping[str, PlatformSupport]
    scheduling: bool = False
    schedule_min: timedelta | None = None
    schedule_max: timedelta | None = None
    local_files: bool = False
    upload_types: frozenset[str] | None = None
    remote_media: bool = True
    creator_info: bool = False
    batch_status: bool = False
    cancel: bool = False
    reschedule: bool = False
    connect: frozenset[str] = frozenset()
    reconcile: bool = False

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def supports(self, platform: str) -> bool:
        """True when the vendor publishes to ``platform`` at all."""
        return platform in self.platforms

    def for_platform(self, platform: str) -> PlatformSupport | None:
        """The support entry for ``platform``, if any."""
        return self.platforms.get(platform)

    def can_schedule(self, platform: str) -> bool:
        """True when ``schedule_at`` can be sent for posts to ``platform``."""
        support = self.platforms.get(platform)
        if support is None:
            return False
        return self.scheduling if support.scheduling is None else support.scheduling

    def matrix(self) -> Iterator[tuple[str, str, bool]]:
        """(platform, feature, supported) rows for the capability matrix."""
        for platform, support in self.platforms.items():
            yield platform, "video", support.video
            yield platform, "photos", support.photos
            yield platform, "draft", support.draft
            yield platform, "scheduling", self.can_schedule(platform)


# What a platform's rules become through one vendor: validation, the generated docs and the
# emulators' platform check read them here, so the three can never disagree.


def tighter(a: TextLimit | None, b: TextLimit | None) -> TextLimit | None:
    """The stricter of two text limits (the platform's and the vendor's; ``None``: no limit)."""
    if a is None or b is None:
        return a or b
    return a if a.limit <= b.limit else b


def photo_count(rules: PlatformRules, support: PlatformSupport) -> tuple[int, int | None]:
    """The fewest and most photos a post takes through the vendor (``None``: no most)."""
    low = max(rules.min_photos, support.min_photos or 0)
    if rules.max_photos is None:
        return low, support.max_photos
    if support.max_photos is None:
        return low, rules.max_photos
    return low, min(rules.max_photos, support.max_photos)


def photo_formats(rules: PlatformRules, support: PlatformSupport) -> frozenset[str]:
    """The photo formats the vendor takes: its own list where it has one, else the platform's."""
    return support.photo_formats if support.photo_formats is not None else rules.photo_formats
