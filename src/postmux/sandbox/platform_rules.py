"""The platforms' own rules, emulator side: refuse what the platform would, in the vendor's words.

Every emulator plays a vendor in front of a platform, and the platform's limits
(how many photos a post takes, which photo formats, one video or a carousel,
how long a caption may be) are already data in :mod:`postmux.rules`, tightened
per vendor by its :class:`~postmux.Capabilities`, the same tables validation
reads. :class:`PlatformCheck` reads them too, so an emulator states only how
its vendor words each refusal (:class:`Refusals`: a message per rule, ``None``
for a rule it does not check, its status and code) and never restates a number::

    CHECK = PlatformCheck(Refusals(count="'mediaIds' must hold {least} to {most} media IDs"), CAPABILITIES)
    kind = CHECK.media("tiktok", [(m.kind, m.mime_type) for m in media], field="mediaIds", kind="photo")
    caption = CHECK.text("tiktok", body, "caption", photo=kind == "photo")

Each refusal is a :class:`~postmux.sandbox.kit.Rejected`, answered once in the
vendor's shape. Where a vendor's own rule differs from the platform's (a format
it converts, a longer text it allows), the vendor's check stays in its plugin
and the rule's message here is ``None``. Needs nothing beyond the core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..capabilities import Capabilities, PlatformSupport, photo_count, photo_formats, tighter
from ..media import MIME_TYPES
from ..rules import RULES, PlatformRules, count
from .bodies import text
from .kit import Rejected

__all__ = ["PlatformCheck", "Refusals"]


@attrs.frozen(slots=True, kw_only=True)
class Refusals:
    """How one emulator words each refusal: ``str.format`` templates, ``None`` for a rule it does not check.

    The templates may name ``platform`` (the key, ``tiktok``), ``name`` (the
    platform's shown name, ``TikTok``), ``field``, and per rule: ``kind``
    (what the media must be), ``least``/``most``/``n`` (the photo count),
    ``format`` (the refused item's), ``limit``/``unit`` (the text's). ``formats``
    is by platform: only those listed have their photo formats checked. ``cover``
    words a cover index that is not the index of one of the photos; ``empty`` a
    post with no media to a platform that takes no text alone (off unless given).
    """

    status: int = 400
    code: str | None = None
    empty: str | None = None
    mixed: str | None = "photos and videos cannot be mixed in one post"
    videos: str | None = "a video post takes exactly one video"
    kind: Mapping[str, str] = attrs.field(factory=dict)
    count: str | None = "'{field}' must hold {least} to {most} photos"
    formats: Mapping[str, str] = attrs.field(factory=dict)
    cover: str | None = "'{field}' must be the index of one of the photos"
    text: str | None = "'{field}' must be at most {limit} {unit}"


@attrs.frozen(slots=True)
class PlatformCheck:
    """An emulator's check of a post against ``postmux.rules``, tightened by the vendor's ``capabilities``.

    Without ``capabilities`` the platform's own limits apply; with them, a
    vendor's tighter count, caption or (replacing) photo formats, as validation
    reads them.
    """

    refusals: Refusals = Refusals()
    capabilities: Capabilities | None = None

    def _limits(self, platform: str) -> tuple[PlatformRules, PlatformSupport]:
        support = self.capabilities.for_platform(platform) if self.capabilities else None
        return RULES[platform], support or _NO_SUPPORT

    def refuse(self, template: str, platform: str, **values: Any) -> Rejected:
        """A refusal worded by ``template``, with the vendor's status and code."""
        message = template.format(platform=platform, name=RULES[platform].name, **values)
        return Rejected(self.refusals.status, message, self.refusals.code)

    def media(
        self,
        platform: str,
        items: Sequence[tuple[str, str]],
        *,
        field: str = "media",
        kind: str | None = None,
        least: int | None = None,
        cover: tuple[str, Any] | None = None,
    ) -> str:
        """The post's kind, once its ``(kind, format)`` items fit ``platform``; else a :class:`Rejected`.

        ``kind`` is what an endpoint takes (``photo``/``video``; ``None``: either,
        never mixed); ``format`` an extension (``jpg``) or a MIME type
        (``image/jpeg``); ``least`` a count the endpoint itself needs (a
        carousel: 2); ``cover`` a ``(field, value)`` that must index the items
        (absent: ``None``). Checked in order: kind, mix, one video, photo count,
        formats, cover; before them all, no media where the platform needs some.
        """
        r, (rules, support) = self.refusals, self._limits(platform)
        if not items and r.empty is not None and not rules.text_only:
            raise self.refuse(r.empty, platform, field=field)
        kinds = {k for k, _ in items}
        if kind is not None and kind in r.kind and any(k != kind for k in kinds):
            raise self.refuse(r.kind[kind], platform, field=field, kind=kind)
        if r.mixed is not None and {"photo", "video"} <= kinds:
            raise self.refuse(r.mixed, platform, field=field)
        found = kind or (kinds.pop() if len(kinds) == 1 else "")
        if r.videos is not None and found == "video" and len(items) > 1:
            raise self.refuse(r.videos, platform, field=field)
        if found == "photo" and r.count is not None:
            fewest, high = photo_count(rules, support)
            low = least if least is not None else fewest
            if len(items) < low or (high is not None and len(items) > high):
                most = "any" if high is None else high
                raise self.refuse(r.count, platform, field=field, least=low, most=most, n=len(items))
        formats = photo_formats(rules, support)
        if found == "photo" and platform in r.formats and formats:
            allowed = formats | {MIME_TYPES[f] for f in formats if f in MIME_TYPES}
            for _, format_ in items:
                if format_.lower() not in allowed:
                    raise self.refuse(r.formats[platform], platform, field=field, format=format_)
        name, at = cover if cover is not None else (field, None)
        if at is not None and r.cover is not None and (type(at) is not int or not 0 <= at < len(items)):
            raise self.refuse(r.cover, platform, field=name)  # a bool is no index
        return found

    def text(self, platform: str, body: Mapping[str, Any], field: str, *, photo: bool = False) -> str:
        """``body[field]`` as a string within the platform's caption (``photo``: photo caption) limit.

        Absent or ``null`` is ``""``; another type is the kit's "must be a string"
        (:func:`postmux.sandbox.bodies.text`). The length is counted in the limit's own unit.
        """
        value = text(body, field)
        rules, support = self._limits(platform)
        if photo:
            limit = tighter(rules.photo_caption, support.photo_caption)
        else:
            limit = tighter(rules.caption, support.caption)
        if self.refusals.text is not None and limit is not None and count(value, limit.unit) > limit.limit:
            raise self.refuse(self.refusals.text, platform, field=field, limit=limit.limit, unit=limit.unit)
        return value


_NO_SUPPORT = PlatformSupport()
"""No vendor limits: the platform's own apply."""
