"""The shared ``SAME_POST`` publishes through PostPeer with only the provider name changed.

The Wahdx and Wonda suites publish the very same object; nothing here adapts
it. PostPeer sends both targets in one request, and the neutral options come
out in PostPeer's spelling (``allow_comment=False`` → ``disableComment: true``).
"""

from __future__ import annotations

import httpx

import postmux
from postmux import Status
from postmux.testing.posts import SAME_POST

from .conftest import KEY, NO_RETRY, PLUGINS
from .fake import FakePostPeer, answer
from .support import created, ok

PROVIDER = "postpeer"
"""The one thing that differs from the other vendors' same-post tests."""


def _script(fake: FakePostPeer) -> None:
    fake.on(
        "POST",
        "/v1/posts",
        answer(
            202,
            created(
                "post_same",
                "published",
                ok("tiktok", "https://www.tiktok.com/@brand/video/1"),
                ok("instagram", "https://www.instagram.com/reel/abc/"),
            ),
        ),
    )


def _check(fake: FakePostPeer, report: postmux.PublishReport) -> None:
    assert [p.target for p in report] == list(SAME_POST.targets)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.PUBLISHED]
    assert all(p.provider == PROVIDER for p in report)
    (body,) = fake.bodies("POST", "/v1/posts")
    tiktok, instagram = body["platforms"]
    assert body["content"] == SAME_POST.text
    assert body["mediaItems"] == [{"type": "video", "url": "https://cdn.example.com/clip.mp4"}]
    assert tiktok["accountId"] == "acc-tiktok"
    assert tiktok["platformSpecificData"]["privacyLevel"] == "PUBLIC_TO_EVERYONE"
    assert tiktok["platformSpecificData"]["disableComment"] is True
    assert tiktok["platformSpecificData"]["isAigc"] is True
    assert instagram == {
        "platform": "instagram",
        "accountId": "acc-instagram",
        "platformSpecificData": {"shareToFeed": True},
    }


def test_same_post_sync(fake: FakePostPeer) -> None:
    _script(fake)
    client = httpx.Client(transport=fake.transport())
    with postmux.publisher(PROVIDER, api_key=KEY, plugins=PLUGINS, client=client) as pub:
        assert pub.validate(SAME_POST) == []
        report = pub.publish(SAME_POST)
    _check(fake, report)


async def test_same_post_async(fake: FakePostPeer) -> None:
    _script(fake)
    client = httpx.AsyncClient(transport=fake.transport())
    async with postmux.async_publisher(
        PROVIDER, api_key=KEY, plugins=PLUGINS, client=client, retry=NO_RETRY
    ) as apub:
        assert apub.validate(SAME_POST) == []
        report = await apub.publish(SAME_POST)
    _check(fake, report)
