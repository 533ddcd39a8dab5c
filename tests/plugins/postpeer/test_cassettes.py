"""Replays of the hand-written cassettes (``cassettes/postpeer``), through sync and async publishers.

Each cassette is built from a documented PostPeer example (``cassettes/postpeer/README.md``
names the document); ``cassette_checked`` holds every recorded request against the
plugin's schema of PostPeer's bodies, checks that none carries the key, and that every answer was used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import postmux
from postmux import Media, Post, Publication, Route, Status, Target, TikTokOptions

from .conftest import CASSETTE_DIR, KEY, NO_RETRY, PLUGINS
from .spec import Spec
from .support import Either


@pytest.fixture(params=["sync", "async"])
async def replay(request: pytest.FixtureRequest) -> Any:
    """A real-transport publisher (sync or async) for vcrpy to intercept."""
    if request.param == "sync":
        with postmux.publisher("postpeer", api_key=KEY, plugins=PLUGINS, retry=NO_RETRY) as pub:
            yield Either(pub)
    else:
        async with postmux.async_publisher("postpeer", api_key=KEY, plugins=PLUGINS, retry=NO_RETRY) as apub:
            yield Either(apub)


@pytest.mark.usefixtures("cassette_checked")
@pytest.mark.vcr("publish_tiktok_video.yaml")
async def test_publish_a_tiktok_video(replay: Either) -> None:
    post = Post(
        text="Quick tutorial! #coding #devtips",
        media=["https://cdn.example.com/video.mp4"],
        targets=[Target("tiktok", "tt_321")],
        tiktok=TikTokOptions(privacy="PUBLIC_TO_EVERYONE"),
    )
    (result,) = (await replay("publish", post)).results
    assert result.status is Status.PUBLISHED
    assert result.id == "post_pqr678"
    assert result.url == "https://www.tiktok.com/@user/video/7123456789"
    assert result.raw["status"] == "published"


@pytest.mark.usefixtures("cassette_checked")
@pytest.mark.vcr("get_post.yaml")
async def test_status_from_the_documented_post(replay: Either) -> None:
    sent = Publication(
        target=Target("twitter", "acc"),  # the docs example is a Twitter post; status() reads any platform
        provider="postpeer",
        status=Status.PROCESSING,
        id="post_abc123",
        state={"platform": "twitter", "index": "0"},
    )
    now = await replay("status", sent)
    assert now.status is Status.PUBLISHED
    assert now.url == "https://twitter.com/you/status/1234567890"
    assert now.error is None
    assert now.state["platform_post_id"] == "1234567890"
    assert now.scheduled_for is None


@pytest.mark.usefixtures("cassette_checked")
@pytest.mark.vcr("media_upload.yaml")
async def test_upload_a_local_file(replay: Either, tmp_path: Path) -> None:
    banner = tmp_path / "launch-banner.png"
    banner.write_bytes(b"launch banner, 22 byte")
    post = Post(text="x", media=[Media(path=banner)], targets=[Target("facebook", "fb")])
    adapter = replay.pub.adapter
    urls = await replay("run", adapter.stage(post, [Route(post.targets[0], "fb")]))
    assert urls == ("https://assets.postpeer.dev/uploads/.../launch-banner.png",)


@pytest.mark.usefixtures("cassette_checked")
@pytest.mark.vcr("cancel_scheduled.yaml")
async def test_cancel_a_scheduled_post(replay: Either) -> None:
    scheduled = Publication(
        target=Target("tiktok", "tt_321"), provider="postpeer", status=Status.SCHEDULED, id="post_xyz789"
    )
    cancelled = await replay("cancel", scheduled)
    assert cancelled.status is Status.CANCELLED
    assert cancelled.raw == {"success": True, "message": "Post cancelled and moved to draft."}
    assert cancelled.scheduled_for is not None
    assert cancelled.scheduled_for.isoformat() == "2026-03-29T13:00:00+00:00"


CASSETTES = sorted(CASSETTE_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", CASSETTES, ids=[p.name for p in CASSETTES])
def test_every_cassette_is_valid_keyless_and_documented(path: Path, spec: Spec) -> None:
    text = path.read_text(encoding="utf-8")
    assert KEY not in text
    assert "x-access-key" not in text.lower()
    data = yaml.safe_load(text)
    interactions = data["interactions"]
    assert interactions
    for item in interactions:
        assert "headers" in item["request"]
        assert "headers" in item["response"]
    spec.assert_valid(
        (i["request"]["method"], i["request"]["uri"], i["request"]["body"]) for i in interactions
    )
    readme = (CASSETTE_DIR / "README.md").read_text(encoding="utf-8")
    assert path.name in readme
