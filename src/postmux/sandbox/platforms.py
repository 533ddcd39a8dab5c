"""What the emulated platforms hand back: public post URLs and ids, shaped like the real ones.

Shared by every emulator so that a TikTok URL looks the same whichever vendor
"published" it, as it would in life.
"""

from __future__ import annotations

import random
import string

__all__ = ["post_url", "shortcode"]


def shortcode(rng: random.Random, n: int = 11) -> str:
    """An Instagram/Threads-style shortcode."""
    alphabet = string.ascii_letters + string.digits + "_-"
    return "".join(rng.choice(alphabet) for _ in range(n))


def post_url(platform: str, username: str, post_id: str, *, photo: bool = False, code: str = "") -> str:
    """The public URL of a post on ``platform``."""
    handle = username.lstrip("@")
    if platform == "tiktok":
        return f"https://www.tiktok.com/@{handle}/{'photo' if photo else 'video'}/{post_id}"
    if platform == "instagram":
        return f"https://www.instagram.com/p/{code or post_id}/"
    if platform == "threads":
        return f"https://www.threads.net/@{handle}/post/{code or post_id}"
    if platform == "facebook":
        return f"https://www.facebook.com/{handle}/posts/{post_id}"
    if platform == "youtube":
        return f"https://www.youtube.com/shorts/{code or post_id}"
    return f"https://{platform}.example/{handle}/{post_id}"
