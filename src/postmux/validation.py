"""Checking a post against the platforms' rules and one vendor's capabilities.

:func:`validate` returns every problem at once and does no I/O, so an app can
show them all in its form; ``Publisher.publish`` raises them as a
:class:`~postmux.ValidationError` (or :class:`~postmux.UnsupportedError` when
every problem is the vendor's lack) before sending anything.
"""

from __future__ import annotations

import logging
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import attrs

from .capabilities import Capabilities, PlatformSupport, photo_count, photo_formats, tighter
from .errors import Problem, UnsupportedError, ValidationError
from .media import Media, MediaKind
from .options import (
    OPTION_TYPES,
    FacebookOptions,
    InstagramOptions,
    PlatformOptions,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from .post import Post, Target
from .rules import (
    INSTAGRAM_ALT_TEXT,
    INSTAGRAM_MAX_COLLABORATORS,
    PLATFORMS,
    RULES,
    YOUTUBE_TAGS_TOTAL,
    PlatformRules,
    TextLimit,
    count,
)
from .vocabulary import context_of

if TYPE_CHECKING:
    from .adapter import Adapter

log = logging.getLogger("postmux")

__all__ = [
    "accepted_by",
    "check_new_time",
    "option_problems",
    "raise_for_problems",
    "validate",
    "vendor_problems",
]

_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]*\w")  # "@ana." is @ana: a full stop ends no username
_HTTP_URL = re.compile(r"^https?://[^/\s]+")
_LINK = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_LINK_END = ".,;:!?'\")]}/"
"""What a sentence may put after a link, and a trailing slash: not part of which link it is."""


class _Problems:
    """A list of problems with de-duplication, since many targets share one post.

    ``found`` counts every :meth:`add`, listed or already there: a check can
    tell whether it found anything without a list of its own.
    """

    __slots__ = ("_seen", "found", "items")

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._seen: set[tuple[str, str]] = set()
        self.found = 0

    def add(self, field: str, message: str, *, unsupported: bool = False) -> None:
        self.found += 1
        if (field, message) not in self._seen:
            self._seen.add((field, message))
            self.items.append(Problem(field, message, unsupported))

    @property
    def fields(self) -> set[str]:
        """The fields already reported."""
        return {field for field, _ in self._seen}


def validate(
    post: object,
    capabilities: Capabilities,
    *,
    provider: str = "this provider",
    now: datetime | None = None,
) -> list[Problem]:
    """Every problem with ``post`` for a vendor with ``capabilities``; empty when it can be sent."""
    out = _Problems()
    if not isinstance(post, Post):
        out.add("post", f"expected a postmux.Post, got {type(post).__name__}")
        return out.items
    kind = _check_media(post, capabilities, provider, out)
    platforms = _check_targets(post, capabilities, provider, out)
    readable = _check_text_types(post, out)
    _check_option_types(post, out)
    _check_schedule(post, capabilities, platforms, provider, now, out)
    for platform in platforms:
        rules = RULES[platform]
        support = capabilities.platforms[platform]
        _check_platform_media(post, platform, rules, support, kind, provider, out)
        if readable:  # a text that is not Unicode cannot be measured
            _check_text(post, platform, rules, support, kind, provider, out)
        _check_options(post, platform, support, kind, provider, out)
        if support.never:
            _check_never(post, platform, support, kind, provider, out)
    if post.title and platforms and isinstance(post.title, str) and not _titled(post, platforms, kind):
        names = " or ".join(RULES[p].name for p in platforms)
        out.add("title", f"no target takes it: {names} posts of this kind have no title, so it would be lost")
    return out.items


def _titled(post: Post, platforms: list[str], kind: MediaKind | None) -> bool:
    """True when ``Post.title`` is sent to some platform: one whose posts of ``kind`` have a title
    (TikTok photos, YouTube), and for YouTube only where ``YouTubeOptions.title`` does not replace it."""
    for platform in platforms:
        rules = RULES[platform]
        if (rules.photo_title if kind is MediaKind.PHOTO else rules.title) is None:
            continue
        youtube = post.youtube if platform == "youtube" else None
        if not (isinstance(youtube, YouTubeOptions) and youtube.title is not None):
            return True
    return False


def raise_for_problems(problems: Iterable[Problem]) -> None:
    """Raise :class:`UnsupportedError` when every problem is a vendor lack, else :class:`ValidationError`."""
    items = tuple(problems)
    if not items:
        return
    if all(p.unsupported for p in items):
        raise UnsupportedError(items)
    raise ValidationError(items)


def check_new_time(at: object, *, field: str = "at", now: datetime | None = None) -> None:
    """Raise :class:`ValidationError` unless ``at`` is an aware datetime in the future.

    What every vendor's ``reschedule`` needs of its time, checked by both
    publishers before any adapter builds a request.
    """
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError([Problem(field, "must be a timezone-aware datetime")])
    if at <= (now or datetime.now(UTC)):
        raise ValidationError([Problem(field, "must be in the future")])


def _check_media(post: Post, caps: Capabilities, provider: str, out: _Problems) -> MediaKind | None:
    media = post.media
    if not isinstance(media, tuple):
        out.add("media", f"expected a list of URLs, Paths or Media, got {type(media).__name__}")
        return None
    kinds: set[MediaKind] = set()
    for i, item in enumerate(media):
        if isinstance(item, str):
            out.add(
                f"media[{i}]",
                f"{item[:80]!r} is not a URL; a local file must be a pathlib.Path or Media(path=…)",
            )
            continue
        if not isinstance(item, Media):
            out.add(f"media[{i}]", f"expected a URL, a pathlib.Path or Media, got {type(item).__name__}")
            continue
        if (item.url is None) == (item.path is None):
            out.add(f"media[{i}]", "give exactly one of url or path")
            continue
        where = item.location
        if not isinstance(where, str) or not where:
            out.add(f"media[{i}]", "the URL or path must be a non-empty string")
            continue
        if item.url is not None:
            if not _HTTP_URL.match(item.url) or not _splits(item.url):  # _splits: cheap for the common URL
                out.add(f"media[{i}].url", f"not an http(s) URL: {item.url!r}")
            elif not caps.remote_media:
                out.add(f"media[{i}].url", "this provider takes no media URLs", unsupported=True)
        elif not caps.local_files:
            from .hosting import HOW_TO_CONFIGURE  # a refusal's words: hosting's code is not loaded before

            out.add(
                f"media[{i}].path",
                f"this provider takes public URLs only, not local files: {HOW_TO_CONFIGURE}",
                unsupported=True,
            )
        elif caps.upload_types is not None:
            _check_upload_type(i, item, caps.upload_types, provider, out)
        if not isinstance(item.kind, MediaKind):
            if item.kind is None:
                out.add(
                    f"media[{i}]",
                    f"cannot tell photo from video by the extension {item.extension or '(none)'!r}; "
                    "pass Media(..., kind='photo' or 'video')",
                )
            else:
                out.add(f"media[{i}].kind", f"must be 'photo' or 'video', got {_shown(item.kind)}")
            continue
        kinds.add(item.kind)
    if len(kinds) > 1:
        out.add("media", "photos and videos cannot be mixed in one post")
        return None
    if not kinds:
        return None
    kind = kinds.pop()
    if kind is MediaKind.VIDEO and len(media) > 1:
        out.add("media", f"a video post has exactly one video, got {len(media)}")
    return kind


def _splits(url: str) -> bool:
    """True when :func:`~urllib.parse.urlsplit` reads ``url`` (an unclosed ``[`` in its host it cannot).

    It refuses only a bracket out of place and a non-ASCII host that Unicode normalisation
    changes, so an ASCII URL without brackets (every common one) is told without parsing it.
    """
    if url.isascii() and "[" not in url and "]" not in url:
        return True
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def _check_upload_type(i: int, item: Media, types: frozenset[str], provider: str, out: _Problems) -> None:
    """A local file the vendor's upload cannot take: no MIME type to send, or one not in ``types``."""
    mime = item.mime_type
    if not mime:
        why = f"{provider}'s upload needs a MIME type; pass Media(..., mime_type=...)"
        out.add(f"media[{i}]", why, unsupported=True)
    elif mime not in types and not any(t.endswith("/") and mime.startswith(t) for t in types):
        named = " and ".join(sorted(t + "*" if t.endswith("/") else t for t in types))
        out.add(f"media[{i}]", f"{provider}'s upload takes only {named} files, not {mime}", unsupported=True)


def _check_targets(post: Post, caps: Capabilities, provider: str, out: _Problems) -> list[str]:
    targets = post.targets
    if not isinstance(targets, tuple) or not targets:
        out.add("targets", "at least one Target is needed")
        return []
    platforms: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, target in enumerate(targets):
        if not isinstance(target, Target):
            out.add(f"targets[{i}]", f"expected a Target or 'platform:account', got {_shown(target)}")
            continue
        if not isinstance(target.platform, str):
            got = type(target.platform).__name__
            out.add(f"targets[{i}].platform", f"expected a platform name, got {got}")
            continue
        if not isinstance(target.account, str):
            out.add(
                f"targets[{i}].account",
                f"expected an account id or @username, got {type(target.account).__name__}",
            )
            continue
        if not target.account.strip("@ "):
            out.add(f"targets[{i}].account", "an account id or @username is needed")
        where = (target.platform, target.account)  # the same account, whatever its own text
        if where in seen:
            out.add(f"targets[{i}]", f"{target} is listed twice; it would be posted twice")
        seen.add(where)
        if target.platform not in RULES:
            out.add(
                f"targets[{i}].platform",
                f"unknown platform {target.platform!r}; known: {', '.join(PLATFORMS)}",
            )
            continue
        if not caps.supports(target.platform):
            out.add(
                f"targets[{i}].platform",
                f"{provider} does not publish to {RULES[target.platform].name}",
                unsupported=True,
            )
            continue
        if target.platform not in platforms:
            platforms.append(target.platform)
    return platforms


def not_unicode(value: str) -> bool:
    """True when ``value`` holds a lone surrogate: it cannot be encoded, so it cannot be sent."""
    if value.isascii():  # the common text, told without encoding it
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_LONE_SURROGATE = "holds a lone surrogate (half of a UTF-16 pair): it is not text that can be sent"


def _shown(value: object) -> str:
    """``repr(value)`` for a message, never raising: validate() reports, it does not fail.

    An int past Python's limit for turning ints into text (4300 digits by default) has no
    repr, nor has an object whose ``__repr__`` raises; such a value is named by its type.
    """
    try:
        return repr(value)
    except Exception:
        name = type(value).__name__
        return f"{'an' if name[:1] in 'aeiouAEIOU' else 'a'} {name} that cannot be shown"


_SHORT_INT_BITS = 2000
"""Under this many bits (603 digits) an int is written as text whatever Python's digit limit (640 or more)."""


def _unwritable(value: int) -> bool:
    """True for an int too long to be written as JSON text (Python's int-to-text digit limit)."""
    if value.bit_length() < _SHORT_INT_BITS:
        return False
    try:
        str(value)
    except ValueError:
        return True
    return False


_UNWRITABLE = "has too many digits to be sent (Python's limit for writing an int as text)"


def _check_text_types(post: Post, out: _Problems) -> bool:
    """Type checks of the texts; False when some text cannot be encoded, so not measured either."""
    readable = True
    if not isinstance(post.text, str):
        out.add("text", f"expected a string, got {type(post.text).__name__}")
    elif not_unicode(post.text):
        out.add("text", _LONE_SURROGATE)
        readable = False
    if post.title is not None and not isinstance(post.title, str):
        out.add("title", f"expected a string, got {type(post.title).__name__}")
    elif isinstance(post.title, str) and not_unicode(post.title):
        out.add("title", _LONE_SURROGATE)
        readable = False
    targets = post.targets if isinstance(post.targets, tuple) else ()
    for i, target in enumerate(targets):
        if isinstance(target, Target) and isinstance(target.text, str) and not_unicode(target.text):
            out.add(f"targets[{i}].text", _LONE_SURROGATE)
            readable = False
    if post.key is not None and (not isinstance(post.key, str) or not post.key):
        out.add("key", "expected a non-empty string")
    extras = post.extras
    if type(extras) is dict and not extras:  # the common case: no raw fields at all
        pass
    elif not isinstance(extras, Mapping) or not all(isinstance(v, Mapping) for v in extras.values()):
        out.add("extras", "expected a mapping of provider name to a mapping of raw fields")
    else:
        for provider_name, fields in post.extras.items():
            _check_json(f"extras.{provider_name}", fields, out, depth=0)
    return readable


_JSON_DEPTH = 32
"""How deep raw vendor fields may nest: far beyond any vendor's schema, far short of a RecursionError."""


def _check_json(field: str, value: object, out: _Problems, *, depth: int) -> None:
    """A problem for each part of ``value`` standard JSON cannot carry (``extras`` go out as they are)."""
    if depth > _JSON_DEPTH:
        out.add(field, f"nested deeper than {_JSON_DEPTH} levels")
    elif value is None or isinstance(value, bool):
        return
    elif isinstance(value, int):
        if _unwritable(value):
            out.add(field, _UNWRITABLE)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            out.add(field, f"{value!r} is not a JSON number")
    elif isinstance(value, str):
        if not_unicode(value):
            out.add(field, _LONE_SURROGATE)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                out.add(field, f"a JSON object's keys are strings, got {type(key).__name__}")
            elif not_unicode(key):
                out.add(field, f"a key {_LONE_SURROGATE}")
            else:
                _check_json(f"{field}.{key}", item, out, depth=depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_json(f"{field}[{i}]", item, out, depth=depth + 1)
    else:
        out.add(field, f"JSON cannot carry a {type(value).__name__}")


def _check_option_types(post: Post, out: _Problems) -> None:
    for name, cls in OPTION_TYPES.items():
        value = getattr(post, name)
        if value is not None and not isinstance(value, cls):
            out.add(name, f"expected postmux.{cls.__name__}, got {type(value).__name__}")


def _check_schedule(
    post: Post,
    caps: Capabilities,
    platforms: list[str],
    provider: str,
    now: datetime | None,
    out: _Problems,
) -> None:
    at = post.schedule_at
    if at is None:
        return
    if not isinstance(at, datetime):
        out.add("schedule_at", f"expected a datetime, got {type(at).__name__}")
        return
    if at.tzinfo is None or at.utcoffset() is None:
        out.add("schedule_at", "must be timezone-aware (for example datetime(..., tzinfo=UTC))")
        return
    now = now or datetime.now(UTC)
    past = at <= now
    if past:
        out.add("schedule_at", "must be in the future")
    # what the vendor cannot do is reported whatever the time, so that every problem shows at once
    for platform in platforms:
        if not caps.can_schedule(platform):
            out.add(
                "schedule_at",
                f"{provider} cannot schedule posts to {RULES[platform].name}",
                unsupported=True,
            )
    if past:
        return  # a window ahead of now means nothing for a time already gone
    ahead = at - now
    if caps.schedule_min is not None and ahead < caps.schedule_min:
        out.add("schedule_at", f"must be at least {_span(caps.schedule_min)} ahead for {provider}")
    if caps.schedule_max is not None and ahead > caps.schedule_max:
        out.add("schedule_at", f"must be at most {_span(caps.schedule_max)} ahead for {provider}")


def _span(delta: object) -> str:
    seconds = int(delta.total_seconds())  # type: ignore[attr-defined]
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days"
    if seconds % 60 == 0:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"


def _check_platform_media(
    post: Post,
    platform: str,
    rules: PlatformRules,
    support: PlatformSupport,
    kind: MediaKind | None,
    provider: str,
    out: _Problems,
) -> None:
    name = rules.name
    if not isinstance(post.media, tuple):
        return  # not a list at all: _check_media said so, once
    media = post.media
    if not media:
        if not rules.text_only:
            out.add("media", f"{name} posts need a photo or a video")
        elif not support.text_only:
            out.add("media", f"{provider} cannot publish {name} posts without media", unsupported=True)
        else:
            for i, target in enumerate(post.targets):
                if isinstance(target, Target) and target.platform == platform:
                    text = post.text_for(target)
                    if isinstance(text, str) and not text.strip():
                        field = "text" if target.text is None else f"targets[{i}].text"
                        out.add(field, f"a {name} post with no media needs text")
        return
    if kind is MediaKind.VIDEO:
        if not rules.video:
            out.add("media", f"{name} takes no videos")
        elif not support.video:
            out.add("media", f"{provider} cannot publish videos to {name}", unsupported=True)
        formats = support.video_formats if support.video_formats is not None else rules.video_formats
        _check_formats(media, formats, name, "videos", out, platform_formats=rules.video_formats)
    elif kind is MediaKind.PHOTO:
        if not rules.photos:
            out.add("media", f"{name} takes no photos")
            return
        if not support.photos:
            out.add("media", f"{provider} cannot publish photos to {name}", unsupported=True)
            return
        low, high = photo_count(rules, support)
        n = len(media)
        # a count the platform allows but this vendor does not is the vendor's lack
        if n < low:
            out.add(
                "media",
                f"{name} photo posts need at least {low} photos through {provider}, got {n}",
                unsupported=n >= rules.min_photos,
            )
        if high is not None and n > high:
            out.add(
                "media",
                f"{name} takes at most {high} photos, got {n}",
                unsupported=rules.max_photos is None or n <= rules.max_photos,
            )
        formats = photo_formats(rules, support)
        _check_formats(media, formats, name, "photos", out, platform_formats=rules.photo_formats)


def _check_formats(
    media: tuple[Media, ...],
    formats: frozenset[str],
    name: str,
    what: str,
    out: _Problems,
    *,
    platform_formats: frozenset[str] = frozenset(),
) -> None:
    if not formats:
        return
    for i, item in enumerate(media):
        if not isinstance(item, Media):
            continue  # already reported by _check_media
        ext = item.extension
        if item.mime_type and not ext:
            continue  # kind and type given explicitly for an extension-less URL
        if ext not in formats:
            allowed = ", ".join(sorted(formats))
            out.add(
                f"media[{i}]",
                f"{name} {what} must be one of {allowed}; got {ext or 'no extension'!r}",
                unsupported=bool(ext) and ext in platform_formats,  # the platform takes it; the vendor not
            )


def _check_length(
    field: str,
    text: str,
    limit: TextLimit | None,
    where: str,
    out: _Problems,
    *,
    vendor: bool = False,
    platform: TextLimit | None = None,
) -> None:
    """``limit`` is the binding one. With ``vendor``, ``limit`` may be a vendor's, tighter than the
    ``platform``'s own (``None``: the platform has none): a text within that is the vendor's lack."""
    if limit is None:
        return
    n = count(text, limit.unit)
    if n > limit.limit:
        vendor_only = vendor and (
            platform is None or (platform is not limit and count(text, platform.unit) <= platform.limit)
        )
        out.add(field, f"{where} allows {limit.limit} {limit.unit}, got {n}", unsupported=vendor_only)


def _check_text(
    post: Post,
    platform: str,
    rules: PlatformRules,
    support: PlatformSupport,
    kind: MediaKind | None,
    provider: str,
    out: _Problems,
) -> None:
    name = rules.name
    photos = kind is MediaKind.PHOTO
    own: list[tuple[int, Target]] = []
    shared_too = False  # some target on this platform takes Post.text
    for i, t in enumerate(post.targets):
        if isinstance(t, Target) and t.platform == platform:
            if t.text is not None:
                own.append((i, t))
            else:
                shared_too = True
    shared = not own or shared_too
    if isinstance(post.text, str) and shared:  # Post.text goes to some target on this platform
        _check_caption("text", post.text, rules, support, photos, provider, out)
    for i, target in own:
        field = f"targets[{i}].text"
        if not isinstance(target.text, str):
            out.add(field, f"expected a string, got {type(target.text).__name__}")
        elif not support.target_text:
            out.add(
                field,
                f"{provider} cannot send a text of its own to one {name} target; "
                "put it in Post.text or publish a separate post",
                unsupported=True,
            )
        else:
            _check_caption(field, target.text, rules, support, photos, provider, out)
    if isinstance(post.title, str) and post.title:
        title_limit = rules.photo_title if photos else rules.title
        if title_limit is None and platform != "youtube":
            return  # no title on this kind of post; the title serves other platforms
        if support.title is False and title_limit is not None:
            out.add("title", f"{provider} cannot send a title to {name}", unsupported=True)
            return
        limit = tighter(title_limit, support.photo_title if photos else None)
        _check_length(
            "title", post.title, limit, f"{name} title via {provider}", out, vendor=True, platform=title_limit
        )
        if rules.forbidden_chars and any(c in post.title for c in rules.forbidden_chars):
            out.add("title", f"{name} titles may not contain {' or '.join(rules.forbidden_chars)}")


def _check_caption(
    field: str,
    text: str,
    rules: PlatformRules,
    support: PlatformSupport,
    photos: bool,
    provider: str,
    out: _Problems,
) -> None:
    """One text (the post's, or one target's own) against one platform through one vendor."""
    name = rules.name
    if photos:
        own = rules.photo_caption
        limit = tighter(own, support.photo_caption)
        what = "photo description"
    else:
        own = rules.caption
        limit = tighter(own, support.caption)
        what = "caption"
    if limit is not None and count(text, limit.unit) > limit.limit:  # else nothing to say: no words made
        _check_length(field, text, limit, f"{name} {what} via {provider}", out, vendor=True, platform=own)
    if rules.max_hashtags is not None and len(_HASHTAG.findall(text)) > rules.max_hashtags:
        out.add(field, f"{name} allows at most {rules.max_hashtags} hashtags")
    if rules.max_mentions is not None:
        mentions = {m.lower() for m in _MENTION.findall(text)}
        if len(mentions) > rules.max_mentions:
            out.add(field, f"{name} allows at most {rules.max_mentions} @mentions")
    if rules.max_links is not None and "://" in text:
        links = {m.rstrip(_LINK_END).lower() for m in _LINK.findall(text)}
        if len(links) > rules.max_links:
            # platform-rules §3 (TH-POSTS): "at most 5 unique links"; only http(s) URLs are counted
            # here, and told apart loosely, so a text refused has more links than that for certain
            out.add(field, f"{name} allows at most {rules.max_links} unique links, got {len(links)}")
    if rules.forbidden_chars and any(c in text for c in rules.forbidden_chars):
        out.add(field, f"{name} descriptions may not contain {' or '.join(rules.forbidden_chars)}")


def _check_options(
    post: Post,
    platform: str,
    support: PlatformSupport,
    kind: MediaKind | None,
    provider: str,
    out: _Problems,
) -> None:
    options = post.options_for(platform)
    if not isinstance(options, OPTION_TYPES[platform]):
        if support.only:
            _check_contexts(post, platform, support, None, kind, provider, out)
        return  # unset, or of the wrong class (already reported by _check_option_types)
    given = options.given()
    if _plain_options(options, given, support):  # the common options: the checks below would find nothing
        check = _OPTION_CHECKS.get(platform)
        if check is not None:  # so the platform's own rules are asked at once
            check(post, options, kind, out)
    else:
        for field_name, value in given.items():
            if field_name not in support.options and value != options.defaults.get(field_name):
                # a field the vendor cannot carry, set to anything but the neutral
                # default (which not sending it already gives), would be lost
                out.add(
                    f"{platform}.{field_name}",
                    f"{provider} cannot carry this {RULES[platform].name} option (set to {_shown(value)})",
                    unsupported=True,
                )
        _check_platform_options(post, platform, options, given, kind, out)
    if support.only:  # after the platform's own rules, which say it better where they apply
        _check_contexts(post, platform, support, options, kind, provider, out)


def _plain_options(options: PlatformOptions, given: Mapping[str, object], support: PlatformSupport) -> bool:
    """True when no field set could be a problem to the carrying, type or text checks (one loop, not three).

    Each field is one the vendor carries (or at its neutral default), of its scalar type
    exactly where it has one, and no text but ASCII (which holds no lone surrogate) and no list
    of texts. Anything else (False) goes through those checks, which say what it is.
    """
    scalars = _scalar_fields(type(options))
    carried, defaults = support.options, options.defaults
    for name, value in given.items():
        scalar = scalars.get(name)
        if (
            (name not in carried and value != defaults.get(name))
            or (scalar is not None and type(value) is not scalar)
            or name in _TEXT_TUPLES
            or (isinstance(value, str) and not value.isascii())
            or (type(value) is int and value.bit_length() >= _SHORT_INT_BITS)  # perhaps too long to write
        ):
            return False
    return True


def _check_platform_options(
    post: Post,
    platform: str,
    options: PlatformOptions,
    given: Mapping[str, object],
    kind: MediaKind | None,
    out: _Problems,
) -> None:
    """The platform's own rules for its options (:mod:`postmux.rules`): types first, then values."""
    before = out.found
    _check_option_values(platform, options, out, given)
    check = _OPTION_CHECKS.get(platform)
    # the platform's rules read the values as typed (so they need not check the types again)
    if check is not None and out.found == before:
        check(post, options, kind, out)


def option_problems(post: Post, platform: str) -> list[Problem]:
    """What the platform's own rules say of ``post``'s options for ``platform``, whatever the vendor.

    For a plugin's :meth:`~postmux.Adapter.check` that holds options against
    its vendor's stricter rules (a schema): a field named here is refused by
    validation already, in neutral words, so the plugin need not name it again.
    """
    options = post.options_for(platform)
    out = _Problems()
    if options is not None and isinstance(options, OPTION_TYPES[platform]):
        _check_platform_options(post, platform, options, options.given(), post.kind, out)
    return out.items


def _check_contexts(
    post: Post,
    platform: str,
    support: PlatformSupport,
    options: PlatformOptions | None,
    kind: MediaKind | None,
    provider: str,
    out: _Problems,
) -> None:
    """Options (and the caption) the vendor carries only for some media kinds or modes."""
    word, mode = _context(post, options, kind)
    for field_name, on in support.only.items():
        if (word is None or word in on or on.isdisjoint(_KINDS)) and (mode in on or on.isdisjoint(_MODES)):
            continue  # carried in this context (the common case: checked before reading anything)
        if field_name == "text":
            if not (isinstance(post.text, str) and post.text):
                continue
        elif not _option_set(options, field_name, support):
            continue  # unset, or the neutral default that not sending it gives
        name = RULES[platform].name
        if not (mode in on or on.isdisjoint(_MODES)):
            plural = _MODE_WORDS.get(mode)
            allowed = " or ".join(_MODE_WORDS[m] for m in sorted(on & _MODES) if m in _MODE_WORDS)
            where = f"{name} {plural}" if plural else f"{name} posts that are not {allowed}"
        else:
            where = f"{name} {word} posts"
        label = "caption" if field_name == "text" else field_name
        field = "text" if field_name == "text" else f"{platform}.{field_name}"
        if field not in out.fields:
            out.add(field, f"{where} take no {label} at {provider}", unsupported=True)


def _context(post: Post, options: PlatformOptions | None, kind: MediaKind | None) -> tuple[str | None, str]:
    """The post's context on a platform (:func:`context_of`): its media kind (``None``: a mix) and mode."""
    return context_of(options, str(kind) if kind is not None else ("text" if post.media == () else None))


def _option_set(options: PlatformOptions | None, field_name: str, support: PlatformSupport) -> bool:
    """True when an option is sent: set, and not to the neutral default that not sending it gives
    (which counts too for a ``strict`` option, meaningless in that context at any value)."""
    value = getattr(options, field_name, None) if options is not None else None
    if value is None or options is None:
        return False
    return field_name in support.strict or value != options.defaults.get(field_name)


_KINDS = frozenset({"video", "photo", "text"})
_MODES = frozenset({"post", "draft", "story"})
_MODE_WORDS = {"draft": "drafts", "story": "stories"}


def _check_never(
    post: Post, platform: str, support: PlatformSupport, kind: MediaKind | None, provider: str, out: _Problems
) -> None:
    """What :attr:`PlatformSupport.never` refuses in this post's context: options, the caption, a schedule."""
    options = post.options_for(platform)
    word, mode = _context(post, options, kind)
    words = {word, mode}
    if kind is MediaKind.PHOTO and len(post.media) > 1:
        words.add("carousel")
    targets = post.targets if isinstance(post.targets, tuple) else ()
    for field_name, where in support.never.items():
        if not where <= words:
            continue
        kinds = [w + " " for w in ("video", "photo", "text") if w in where]  # "TikTok video drafts"
        modes = [_MODE_WORDS.get(m, "posts") for m in where & _MODES]
        noun = "carousels" if "carousel" in where else (modes or ["posts"])[0]
        why = f"{RULES[platform].name} {''.join(kinds)}{noun} take no {{}} at {provider}"
        if field_name == "schedule_at":
            if isinstance(post.schedule_at, datetime):
                out.add("schedule_at", why.format("schedule"), unsupported=True)
        elif field_name == "text":  # the post's caption where it is used, and each target's own
            mine = [(i, t) for i, t in enumerate(targets) if isinstance(t, Target) and t.platform == platform]
            if isinstance(post.text, str) and post.text and any(t.text is None for _, t in mine):
                out.add("text", why.format("caption"), unsupported=True)
            for i, t in mine:
                if t.text:
                    out.add(f"targets[{i}].text", why.format("caption"), unsupported=True)
        elif _option_set(options, field_name, support) and f"{platform}.{field_name}" not in out.fields:
            out.add(f"{platform}.{field_name}", why.format(field_name), unsupported=True)  # rules said none


def _check_option_values(
    prefix: str, options: PlatformOptions, out: _Problems, given: Mapping[str, object]
) -> None:
    """Every option value of the wrong type, and every text in them that is not Unicode."""
    _check_bools(prefix, options, out, given)
    lists, ints = _list_fields(type(options)), _scalar_fields(type(options))
    for name, value in given.items():
        if name in lists and isinstance(value, str):
            # a lone string is no list of one: sent as it is, a vendor refuses it or reads its letters
            out.add(f"{prefix}.{name}", f"expected a list of strings, got {_shown(value)}")
            continue
        if name in _TEXT_TUPLES:
            items = (value,) if isinstance(value, str) else value
            if not isinstance(items, tuple) or not all(isinstance(v, str) for v in items):
                out.add(f"{prefix}.{name}", f"expected a string or a list of strings, got {_shown(value)}")
                continue
            value = "".join(items)
        if isinstance(value, str) and not_unicode(value):
            out.add(f"{prefix}.{name}", _LONE_SURROGATE)
        elif ints.get(name) is int and isinstance(value, int) and _unwritable(value):
            out.add(f"{prefix}.{name}", _UNWRITABLE)


_TEXT_TUPLES = frozenset({"collaborators", "alt_text", "tags"})
"""Option fields that take a list of strings (or, for ``InstagramOptions.alt_text``, one string)."""

_LIST_FIELDS: dict[type, frozenset[str]] = {}


def _list_fields(cls: type[PlatformOptions]) -> frozenset[str]:
    """The fields of ``cls`` typed ``tuple[str, ...] | None`` (once per class): no lone string there."""
    cached = _LIST_FIELDS.get(cls)
    if cached is None:
        hints = typing.get_type_hints(cls)
        cached = _LIST_FIELDS[cls] = frozenset(
            f.name
            for f in attrs.fields(cls)
            if any(typing.get_origin(arg) is tuple for arg in typing.get_args(hints[f.name]))
        )
    return cached


_ENUMS: dict[str, frozenset[str]] = {f: allowed for r in RULES.values() for f, allowed in r.enums.items()}


def _check_enum(field: str, value: object, out: _Problems) -> None:
    allowed = _ENUMS.get(field)
    if value is not None and allowed is not None and (not isinstance(value, str) or value not in allowed):
        out.add(field, f"must be one of {', '.join(sorted(allowed))}; got {_shown(value)}")


_SCALAR_FIELDS: dict[type, dict[str, type]] = {}
_SCALAR_WORDS = {bool: "True or False", int: "a whole number", str: "a string"}


def _literal_base(hint: object) -> object:
    """``str`` for a ``Literal`` of strings (the option types): checked as a string, then as an enum."""
    if typing.get_origin(hint) is typing.Literal:
        kinds = {type(v) for v in typing.get_args(hint)}
        return kinds.pop() if len(kinds) == 1 else hint
    return hint


def _scalar_fields(cls: type[PlatformOptions]) -> dict[str, type]:
    """field → type for every ``bool | None``, ``int | None`` or ``str | None`` field, once per class."""
    cached = _SCALAR_FIELDS.get(cls)
    if cached is None:
        hints = typing.get_type_hints(cls)
        cached = {
            f.name: scalar
            for f in attrs.fields(cls)
            for scalar in (bool, int, str)
            if tuple(map(_literal_base, typing.get_args(hints[f.name]))) == (scalar, type(None))
        }
        _SCALAR_FIELDS[cls] = cached
    return cached


def _check_bools(prefix: str, options: PlatformOptions, out: _Problems, given: Mapping[str, object]) -> None:
    """The scalar fields set to a value of another type (``given``: the fields set, in field order)."""
    scalars = _scalar_fields(type(options))
    for name, value in given.items():
        scalar = scalars.get(name)
        if scalar is None or type(value) is scalar:
            continue
        if scalar is not bool and isinstance(value, scalar) and not isinstance(value, bool):
            continue  # a str or int subclass (an enum value) is fine
        out.add(f"{prefix}.{name}", f"expected {_SCALAR_WORDS[scalar]}, got {_shown(value)}")


def _check_tiktok(post: Post, options: PlatformOptions, kind: MediaKind | None, out: _Problems) -> None:
    assert isinstance(options, TikTokOptions)
    _check_enum("tiktok.privacy", options.privacy, out)
    photos = kind is MediaKind.PHOTO
    n = len(post.media) if isinstance(post.media, tuple) else 0
    if options.cover_index is not None and isinstance(options.cover_index, int):
        if not photos:
            out.add("tiktok.cover_index", "applies to photo posts; use cover_timestamp_ms for a video")
        elif not 0 <= options.cover_index < n:
            out.add("tiktok.cover_index", f"must be between 0 and {n - 1} for {n} photos")
    if options.cover_timestamp_ms is not None and isinstance(options.cover_timestamp_ms, int):
        if photos:
            out.add("tiktok.cover_timestamp_ms", "applies to videos; use cover_index for photos")
        elif options.cover_timestamp_ms < 0:
            out.add("tiktok.cover_timestamp_ms", "must not be negative")
    if photos:
        for name in ("allow_duet", "allow_stitch"):
            if getattr(options, name) is not None:
                out.add(f"tiktok.{name}", "duet and stitch exist only for videos")
    elif options.auto_add_music is not None:
        out.add("tiktok.auto_add_music", "applies to photo posts only")
    if options.branded_content and options.resolved().privacy == "SELF_ONLY":
        out.add(
            "tiktok.privacy",
            "branded content cannot be SELF_ONLY; choose a public or friends privacy",
        )


def _check_instagram(post: Post, options: PlatformOptions, kind: MediaKind | None, out: _Problems) -> None:
    assert isinstance(options, InstagramOptions)
    if options.share_to_feed is not None and kind is MediaKind.PHOTO:
        out.add("instagram.share_to_feed", "applies to reels (videos) only")
    if options.collaborators is not None and len(options.collaborators) > INSTAGRAM_MAX_COLLABORATORS:
        out.add("instagram.collaborators", f"at most {INSTAGRAM_MAX_COLLABORATORS} collaborators")
    if isinstance(options.alt_text, str) and len(options.alt_text) > INSTAGRAM_ALT_TEXT:
        out.add("instagram.alt_text", f"at most {INSTAGRAM_ALT_TEXT} characters")
    if options.alt_text is not None and kind is MediaKind.VIDEO:
        out.add("instagram.alt_text", "applies to images only")
    elif options.alt_text is not None and options.story:
        out.add("instagram.alt_text", "Instagram stories take no alt text (feed images only)")
    if isinstance(options.thumb_offset_ms, int) and options.thumb_offset_ms < 0:
        out.add("instagram.thumb_offset_ms", "must not be negative")
    if options.cover_url is not None and kind is MediaKind.PHOTO:
        out.add("instagram.cover_url", "applies to reels (videos) only")
    n = len(post.media) if isinstance(post.media, tuple) else 0
    if options.story is True and n > 1:  # a STORIES container takes one image_url or video_url
        out.add("instagram.story", f"an Instagram story is one photo or one video, not {n} media items")


def _check_threads(post: Post, options: PlatformOptions, kind: MediaKind | None, out: _Problems) -> None:
    assert isinstance(options, ThreadsOptions)
    _check_enum("threads.reply_control", options.reply_control, out)
    n = len(post.media) if isinstance(post.media, tuple) else 0
    if options.alt_text is not None and len(options.alt_text) > n:
        out.add("threads.alt_text", f"{len(options.alt_text)} alt texts for {n} media items")


def _check_facebook(post: Post, options: PlatformOptions, kind: MediaKind | None, out: _Problems) -> None:
    assert isinstance(options, FacebookOptions)
    if options.link is not None and not re.match(r"^https?://", str(options.link)):
        out.add("facebook.link", "must be an http(s) URL")


def _check_youtube(post: Post, options: PlatformOptions, kind: MediaKind | None, out: _Problems) -> None:
    assert isinstance(options, YouTubeOptions)
    _check_enum("youtube.visibility", options.visibility, out)
    if isinstance(options.title, str):
        if not options.title.strip():  # snippet.title is required: 1 to 100 characters
            out.add(
                "youtube.title", "must not be empty (leave it unset for Post.title or the vendor's default)"
            )
        _check_length("youtube.title", options.title, RULES["youtube"].title, "YouTube title", out)
        if any(c in options.title for c in "<>"):
            out.add("youtube.title", "YouTube titles may not contain < or >")
    if options.tags is not None and not all(isinstance(t, str) for t in options.tags):
        out.add("youtube.tags", "expected a list of strings")
    elif options.tags is not None and _tags_length(options.tags) > YOUTUBE_TAGS_TOTAL:
        out.add("youtube.tags", f"all tags together allow {YOUTUBE_TAGS_TOTAL} characters")


def _tags_length(tags: tuple[str, ...]) -> int:
    """``snippet.tags`` as YouTube counts it (platform-rules §5, Y-RES): the commas between tags count,
    and a tag with a space counts the quotation marks the API wraps it in ("Foo Baz" is 9, not 7)."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


_OPTION_CHECKS: dict[str, Callable[[Post, PlatformOptions, MediaKind | None, _Problems], None]] = {
    "tiktok": _check_tiktok,
    "instagram": _check_instagram,
    "threads": _check_threads,
    "facebook": _check_facebook,
    "youtube": _check_youtube,
}


# -- one vendor's whole check (moved from postmux.portable: a publisher need not import the
# portability report's classes to validate) ---------------------------------------------


def vendor_problems(
    adapter: Adapter,
    post: object,
    *,
    hosting: bool = False,
    now: datetime | None = None,
    safe: bool = True,
) -> list[Problem]:
    """Every problem with ``post`` at ``adapter``'s vendor: the tables, then the plugin's own checks.

    ``hosting`` says a media host turns local files into URLs, so a URL-only
    vendor takes them. This is what ``Publisher.validate`` returns (before it
    names the vendors that would accept a refusal). It never raises: a
    plugin check that trips over a bad post adds a ``post`` problem when the
    tables found none (``safe=False`` lets it raise instead, for a caller that
    leaves such a vendor out).
    """
    caps = adapter.capabilities
    if hosting and not caps.local_files:
        caps = attrs.evolve(caps, local_files=True)
    problems = validate(post, caps, provider=adapter.name, now=now)
    if isinstance(post, Post):
        try:
            own = adapter.check(post)
        except Exception as exc:  # validate() never raises: a plugin that trips on a bad post
            if not safe:
                raise
            if problems:  # the tables already said what is wrong; its checks met the same
                return problems
            log.debug("postmux: %s could not check the post", adapter.name, exc_info=True)
            return [Problem("post", f"{adapter.name} could not check this post ({type(exc).__name__})")]
        if own:  # the common post: the plugin found nothing
            seen = set(problems)
            problems += [p for p in own if p not in seen]
    return problems


def accepted_by(
    problem: Problem,
    others: Mapping[str, list[Problem]],
) -> list[str]:
    """The vendors among ``others`` (name → their problems with the post) with no problem on that field.

    A vendor that cannot publish to some target's platform at all checks nothing of that
    platform (its options, its captions), so it takes no part of the post but the targets it can:
    it is named for a refused target's platform only.
    """
    if _is_platform_field(problem.field):
        return sorted(name for name, found in others.items() if all(p.field != problem.field for p in found))
    return sorted(
        name
        for name, found in others.items()
        if all(
            p.field != problem.field and not (p.unsupported and _is_platform_field(p.field)) for p in found
        )
    )


def _is_platform_field(field: str) -> bool:
    """True for ``targets[i].platform``: where a vendor that does not publish to a platform says so."""
    return field.startswith("targets[") and field.endswith("].platform")
