"""The same :data:`SAME_POST` publishes through Wahdx and through Wonda; only the provider name changes.

Each vendor answers on a mock transport with its documented publish answers.
What the app asked for (public privacy, comments off, AI label on, reel shared
to the feed) reaches both vendors, each in its own spelling: Wahdx's positive
``allow_comment: false``, Wonda's inverted ``disableComment: true``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

import postmux
import postmux_wahdx
import postmux_wonda
from postmux.plugins import PluginManager
from postmux.testing.posts import SAME_POST

from ..wahdx.support import META_ANSWER, TIKTOK_ANSWER
from .helpers import KEY, MEDIA_FETCH, Handler, Recorder, answer, wonda_server

WAHDX_ANSWERS = {"tiktok": TIKTOK_ANSWER, "instagram": META_ANSWER}
"""Wahdx's documented publish answers (``wahdx-multi-platform-api.txt``), shared with its own tests."""


def wahdx_server(request: httpx.Request) -> httpx.Response:
    platform = json.loads(request.content)["platform"]
    return answer(WAHDX_ANSWERS[platform])


SERVERS: dict[str, Handler] = {"wahdx": wahdx_server, "wonda": wonda_server()}


def both() -> PluginManager:
    manager = PluginManager(load_entry_points=False)
    manager.register(postmux_wahdx, "wahdx")
    manager.register(postmux_wonda, "wonda")
    return manager


PLUGINS = both()


def what_reached(provider: str, recorder: Recorder) -> dict[str, Any]:
    """The app's intent as each vendor received it, read back in neutral terms."""
    bodies = [
        json.loads(r.content)
        for r in recorder.requests
        if r.headers.get("content-type") == "application/json"
    ]
    if provider == "wahdx":
        tiktok = next(b["tiktokSettings"] for b in bodies if b["platform"] == "tiktok")
        instagram = next(b["instagramSettings"] for b in bodies if b["platform"] == "instagram")
        return {
            "privacy": tiktok["privacy_level"],
            "allow_comment": tiktok["allow_comment"],
            "ai_generated": tiktok["video_made_with_ai"],
            "share_to_feed": instagram["share_to_feed"],
        }
    tiktok = next(b for b in bodies if "tiktokAccountId" in b)
    instagram = next(b for b in bodies if "instagramAccountId" in b)
    return {
        "privacy": tiktok["privacyLevel"],
        "allow_comment": not tiktok["disableComment"],
        "ai_generated": tiktok["isAigc"],
        "share_to_feed": instagram["shareToFeed"],
    }


INTENT = {
    "privacy": "PUBLIC_TO_EVERYONE",
    "allow_comment": False,
    "ai_generated": True,
    "share_to_feed": True,
}


@pytest.mark.parametrize("provider", ["wahdx", "wonda"])
def test_same_post_publishes_sync(provider: str) -> None:
    recorder = Recorder(SERVERS[provider])
    client = httpx.Client(transport=httpx.MockTransport(recorder))
    fetch = MEDIA_FETCH  # Wonda downloads the URL itself; Wahdx never uses it
    with postmux.publisher(provider, api_key=KEY, plugins=PLUGINS, client=client, media_fetch=fetch) as pub:
        assert pub.validate(SAME_POST) == []
        report = pub.publish(SAME_POST)
    assert report.ok
    assert [p.target for p in report] == list(SAME_POST.targets)
    assert {p.provider for p in report} == {provider}
    assert what_reached(provider, recorder) == INTENT


@pytest.mark.parametrize("provider", ["wahdx", "wonda"])
def test_same_post_publishes_async(provider: str) -> None:
    recorder = Recorder(SERVERS[provider])

    async def go() -> postmux.PublishReport:
        client = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
        async with postmux.async_publisher(
            provider, api_key=KEY, plugins=PLUGINS, client=client, media_fetch=MEDIA_FETCH
        ) as apub:
            return await apub.publish(SAME_POST)

    report = asyncio.run(go())
    assert report.ok
    assert [p.target for p in report] == list(SAME_POST.targets)
    assert what_reached(provider, recorder) == INTENT
