"""The Direct Post reference's rules the capability tables cannot say: the creator's own limits.

``privacy_level`` among the creator's options, no interaction it turned off, no video longer than it
may post. (The inbox endpoint, a video draft, takes ``source_info`` alone, so no caption: declared
in the capabilities as ``never``.)
"""

from __future__ import annotations

import struct

from postmux import CreatorInfo, MediaKind, Post, Problem, TikTokOptions

__all__ = ["conflicts", "mp4_duration"]

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
