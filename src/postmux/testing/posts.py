"""Posts shared by every vendor's tests, to show that one Post publishes anywhere.

Each plugin's suite publishes :data:`SAME_POST` with only the provider name
changed; what differs between vendors lives in the plugins, never here.
"""

from __future__ import annotations

from postmux import InstagramOptions, Post, Target, TikTokOptions

SAME_POST = Post(
    text="Check out this video! #viral",
    media=["https://cdn.example.com/clip.mp4"],
    targets=[Target("tiktok", "acc-tiktok"), Target("instagram", "acc-instagram")],
    tiktok=TikTokOptions(privacy="PUBLIC_TO_EVERYONE", allow_comment=False, ai_generated=True),
    instagram=InstagramOptions(share_to_feed=True),
)
"""A TikTok + Instagram video post using only options every vendor can carry."""
