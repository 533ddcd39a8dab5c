"""PostPeer's own rules beyond the capability tables, checked before any I/O.

Each one stops a field from being dropped or refused by PostPeer after the
fact. The options a post sets are held, in PostPeer's keys, against the
plugin's schema of ``platformSpecificData`` (:mod:`.schema`, from the spec:
its enums are narrower than the neutral ones in places, its URLs absolute,
its lengths bounded), so every constraint the emulator enforces is caught
here first, named by its neutral field. The rest are documented as "ignored"
in situations a caller could ask for. ``post`` may hold wrong types
(validation reports those), so every check looks before it reads.
"""

from __future__ import annotations

import re

from postmux import InstagramOptions, MediaKind, Post, Problem, Target
from postmux.options import PlatformOptions
from postmux.validation import option_problems
from postmux.vocabulary import OptionMap

from .body import handles
from .schema import MORE, SCHEMA, definition_of
from .vocabulary import VOCABULARY

__all__ = ["check", "spec_problems"]

_TYPE_ONLY = re.compile(r"^must be (string|boolean|integer|number|array|object)$")
"""A wrong type: validation has reported it in neutral terms already."""
_BOUNDED = {
    m.platform: tuple(
        n for n, o in m.fields.items() if set(MORE[m.platform].get(o.wire, {"type"})) - {"type"}
    )
    for m in VOCABULARY.options
}
"""Per platform, the fields whose keys the spec bounds beyond a type (a format, a length, an enum…)."""
_FREE = frozenset(platform for platform, names in _BOUNDED.items() if not names)
"""The platforms the spec bounds nothing of beyond the neutral types (TikTok): no rule below is theirs."""


def check(post: Post) -> list[Problem]:
    """Every PostPeer-specific problem with ``post``."""
    problems: list[Problem] = []
    targets = post.targets if isinstance(post.targets, tuple) else ()
    platforms = {t.platform for t in targets if isinstance(t, Target)}
    if platforms <= _FREE:
        return problems  # the rest is about the other platforms' options
    for option_map in VOCABULARY.options:  # a platform the spec bounds nothing of (TikTok) is skipped at once
        bounded = _BOUNDED[option_map.platform] if option_map.platform in platforms else ()
        options = getattr(post, option_map.platform, None) if bounded else None
        if isinstance(options, option_map.options) and any(getattr(options, n) is not None for n in bounded):
            found = spec_problems(option_map, options)
            if found:  # the fields the platform's rules name already are left to them
                known = {p.field for p in option_problems(post, option_map.platform)}
                problems += [p for p in found if p.field not in known]
    ig = post.instagram if "instagram" in platforms and isinstance(post.instagram, InstagramOptions) else None
    reel = ig is not None and post.kind is MediaKind.VIDEO and ig.story is not True  # else the tables refuse
    if reel and ig is not None and ig.cover_url is not None and ig.thumb_offset_ms is not None:
        why = "PostPeer ignores thumbOffset when coverUrl is set: give cover_url or thumb_offset_ms"
        problems.append(Problem("instagram.thumb_offset_ms", why, unsupported=True))
    names = ig.collaborators if ig is not None and isinstance(ig.collaborators, tuple) else ()
    distinct = {str(n).lstrip("@").lower() for n in names} if len(names) > 1 else names  # names ignore case
    if len(distinct) != len(names):
        problems.append(Problem("instagram.collaborators", "a collaborator is listed twice"))
    return problems


def spec_problems(option_map: OptionMap, options: PlatformOptions) -> list[Problem]:
    """What PostPeer's spec refuses in the options set, as ``platformSpecificData`` would carry them.

    Only the keys the spec says more of than their neutral field's type
    (:data:`.schema.MORE`) are held against it: validation has checked the
    types, ``Literal`` values and counts the rest are derived from. A value
    outside one of the spec's enums is one PostPeer does not support
    (``unsupported``); a malformed one (a URL without host, a text too long) is
    invalid. Options of the wrong type are validation's to report.
    """
    platform = option_map.platform
    bounded = {option_map.fields[name].wire for name in _BOUNDED[platform]}
    try:
        data = {k: v for k, v in option_map.to_wire(options, defaults=False).items() if k in bounded}
    except (TypeError, ValueError):
        return []
    if not data:
        return []  # the common case: nothing set that the spec bounds beyond the neutral types
    if isinstance(data.get("collaborators"), list):
        data["collaborators"] = handles(data["collaborators"])
    neutral = {o.wire: name for name, o in option_map.fields.items()}
    problems = []
    for where, message in SCHEMA.value_errors(definition_of(platform), data):
        key = where.split("/", 1)[0]
        if key in neutral and not _TYPE_ONLY.match(message):
            text = f"PostPeer's spec: {where} {message}"
            problems.append(
                Problem(f"{platform}.{neutral[key]}", text, unsupported="allowed values" in message)
            )
    return problems
