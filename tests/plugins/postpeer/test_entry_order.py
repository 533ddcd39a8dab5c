"""The n-th target on a platform is the n-th entry of that platform, in a listed post too."""

from __future__ import annotations

from postmux import Target
from postmux_postpeer import outcomes, wire


def test_a_listed_post_numbers_each_platform_on_its_own() -> None:
    requested = [("tiktok", "tt-1"), ("instagram", "ig-1"), ("tiktok", "tt-2")]
    post = wire.PostDetail(
        postId="p1",
        status="scheduled",
        platforms=[wire.PlatformState(platform=p, status="scheduled") for p, _ in requested],
        rawRequestBody={"platforms": [{"platform": p, "accountId": a} for p, a in requested]},
    )
    listed = outcomes.listed(post, {}, "postpeer")
    assert [(p.target, p.state["index"]) for p in listed] == [
        (Target("tiktok", "tt-1"), "0"),
        (Target("instagram", "ig-1"), "0"),
        (Target("tiktok", "tt-2"), "1"),
    ]
