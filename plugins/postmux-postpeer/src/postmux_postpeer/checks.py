"""PostPeer's own rules beyond the capability tables, checked before any I/O.

Each one stops a field from being dropped or refused by PostPeer after the
fact: the spec's enums are narrower than the neutral ones in places, and
several keys are documented as "ignored" in situations a caller could ask
for. ``post`` may hold wrong types (validation reports those), so every check
looks before it reads.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from postmux import (
    FacebookOptions,
    InstagramOptions,
    Media,
    MediaKind,
    Post,
    Problem,
    Target,
    ThreadsOptions,
    YouTubeOptions,
)

__all__ = ["THREADS_REPLY_CONTROL", "check"]

THREADS_REPLY_CONTROL = frozenset({"everyone", "accounts_you_follow", "mentioned_only"})
"""``ThreadsConfigurations.replyControl`` in the spec: three of the five neutral values."""

_COLLABORATOR = re.compile(r"^@?[A-Za-z0-9._]{1,30}$")
YOUTUBE_FIRST_COMMENT = 10000
"""``YouTubeConfigurations.firstComment`` ``maxLength`` in the spec."""


def _is_url(value: object) -> bool:
    """An absolute http(s) URL, as the spec's ``format: uri`` fields need."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _platforms(post: Post) -> set[str]:
    targets = post.targets if isinstance(post.targets, tuple) else ()
    return {t.platform for t in targets if isinstance(t, Target)}


def check(post: Post) -> list[Problem]:
    """Every PostPeer-specific problem with ``post``."""
    problems: list[Problem] = []
    platforms = _platforms(post)
    kind = post.kind
    media = post.media if isinstance(post.media, tuple) else ()
    for i, item in enumerate(media):
        if isinstance(item, Media) and item.is_local and not item.mime_type:
            problems.append(
                Problem(f"media[{i}]", "PostPeer's upload needs a MIME type; pass Media(..., mime_type=...)")
            )
        elif (
            isinstance(item, Media)
            and item.is_local
            and not (isinstance(item.mime_type, str) and item.mime_type.startswith(("image/", "video/")))
        ):
            problems.append(Problem(f"media[{i}]", "PostPeer's upload takes only image/* and video/* files"))
    reply = post.threads.reply_control if isinstance(post.threads, ThreadsOptions) else None
    if "threads" in platforms and isinstance(reply, str) and reply not in THREADS_REPLY_CONTROL:
        allowed = ", ".join(sorted(THREADS_REPLY_CONTROL))
        problems.append(Problem("threads.reply_control", f"PostPeer takes only {allowed}", unsupported=True))
    if "threads" in platforms and isinstance(post.threads, ThreadsOptions):
        problems += _threads(post.threads, kind)
    instagram = post.instagram
    if "instagram" in platforms and isinstance(instagram, InstagramOptions):
        problems += _instagram(instagram, kind)
    facebook = post.facebook
    if "facebook" in platforms and isinstance(facebook, FacebookOptions):
        if facebook.link is not None and media:
            problems.append(Problem("facebook.link", "PostPeer ignores a link on a post with media"))
        link = facebook.link
        if isinstance(link, str) and link.startswith(("http://", "https://")) and not _is_url(link):
            problems.append(Problem("facebook.link", "must be an absolute http(s) URL"))
        if facebook.thumbnail_url is not None and kind is not MediaKind.VIDEO:
            problems.append(Problem("facebook.thumbnail_url", "applies to video posts only"))
        if facebook.thumbnail_url is not None and not _is_url(facebook.thumbnail_url):
            problems.append(Problem("facebook.thumbnail_url", "must be an absolute http(s) URL"))
    youtube = post.youtube
    if "youtube" in platforms and isinstance(youtube, YouTubeOptions):
        comment = youtube.first_comment
        if isinstance(comment, str) and len(comment) > YOUTUBE_FIRST_COMMENT:
            problems.append(
                Problem("youtube.first_comment", f"PostPeer takes at most {YOUTUBE_FIRST_COMMENT} characters")
            )
    return problems


def _threads(options: ThreadsOptions, kind: MediaKind | None) -> list[Problem]:
    texts = options.alt_text
    if not isinstance(texts, tuple):
        return []
    problems: list[Problem] = []
    if not all(isinstance(t, str) for t in texts):
        problems.append(Problem("threads.alt_text", "every alt text must be a string"))
    return problems


def _instagram(options: InstagramOptions, kind: MediaKind | None) -> list[Problem]:
    problems: list[Problem] = []
    names = options.collaborators
    if isinstance(names, tuple):
        bad = [n for n in names if not (isinstance(n, str) and _COLLABORATOR.match(n))]
        if bad:
            problems.append(
                Problem("instagram.collaborators", f"not Instagram usernames: {', '.join(map(repr, bad))}")
            )
        if len({str(n).lstrip("@").lower() for n in names}) != len(names):
            problems.append(Problem("instagram.collaborators", "a collaborator is listed twice"))
        if not names:
            problems.append(
                Problem("instagram.collaborators", "give at least one username, or leave it unset")
            )
    if options.story:
        for name in ("share_to_feed", "collaborators", "cover_url", "thumb_offset_ms"):
            if getattr(options, name) is not None:
                problems.append(Problem(f"instagram.{name}", "does not apply to stories"))
    if options.cover_url is not None and not _is_url(options.cover_url):
        problems.append(Problem("instagram.cover_url", "must be an absolute http(s) URL"))
    return problems
