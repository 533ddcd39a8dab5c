"""The Direct Post reference's rules the capability tables cannot say: the creator's own limits, drafts.

``privacy_level`` among the creator's options, no interaction it turned off, no video longer than it
may post; and the inbox endpoint (a video draft) takes ``source_info`` alone, so no caption.
"""

from __future__ import annotations

import struct

from postmux import CreatorInfo, MediaKind, Post, Problem, TikTokOptions

__all__ = ["conflicts", "draft_problems", "mp4_duration"]

_OFF = {"allow_comment": "comments", "allow_duet": "duets", "allow_stitch": "stitches"}


def conflicts(post: Post, options: TikTokOptions, info: CreatorInfo, path: str | None) -> list[Problem]:
    """What ``post`` asks that the creator does not allow now (``path``: the local video, if any)."""
    out, who = [], f"@{info.username}" if info.username else "the creator"
    privacy = options.resolved_for(photos=post.kind is MediaKind.PHOTO).privacy
    if privacy not in info.privacy_options:
        allowed = ", ".join(info.privacy_options)
        out.append(Problem("tiktok.privacy", f"{who} allows only {allowed} now, not {privacy}"))
    for field, what in _OFF.items():
        if getattr(info, f"{what}_disabled") and getattr(options, field) is True:
            out.append(Problem(f"tiktok.{field}", f"{who} has turned {what} off in TikTok"))
    seconds, limit = mp4_duration(path) if path else None, info.max_video_duration_s
    if seconds is not None and limit and seconds > limit:
        out.append(
            Problem("media[0]", f"{who} may post videos of up to {limit} s; this one lasts {seconds:.0f} s")
        )
    return out


def draft_problems(post: Post, provider: str) -> list[Problem]:
    """A video draft's caption: the inbox endpoint has no ``post_info`` (local photos: ``upload_types``)."""
    if post.kind is not MediaKind.VIDEO or getattr(post.tiktok, "draft", None) is not True:
        return []
    out = []
    targets = [(i, t) for i, t in enumerate(post.targets) if getattr(t, "platform", None) == "tiktok"]
    why = f"TikTok video drafts take no caption at {provider} (the creator writes it in TikTok)"
    if isinstance(post.text, str) and post.text and any(t.text is None for _, t in targets):
        out.append(Problem("text", why, unsupported=True))
    return out + [Problem(f"targets[{i}].text", why, unsupported=True) for i, t in targets if t.text]


def mp4_duration(path: str) -> float | None:
    """Seconds from an MP4's ``mvhd`` box, found in the file's first or last MiB (where ``moov`` sits)."""
    try:
        with open(path, "rb") as fh:
            head, size = fh.read(1 << 20), fh.seek(0, 2)
            fh.seek(max(size - (1 << 20), len(head)))
            ends = head + fh.read()
        at = ends.index(b"mvhd") + 4
        layout = ">xxxxQQIQ" if ends[at] == 1 else ">xxxxIIII"
        _, _, scale, duration = struct.unpack_from(layout, ends, at)
    except (OSError, ValueError, struct.error, IndexError):
        return None
    return duration / scale if scale else None
