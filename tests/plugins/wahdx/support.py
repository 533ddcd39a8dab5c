"""What the Wahdx tests share: the test key, base URLs, publishers on a counting mock transport."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

import postmux
import postmux_wahdx
from postmux.plugins import PluginManager

KEY = "sk_wahdx_TEST_7c1f0e9a5b3d2468"
"""A distinctive key: any test that finds it in an error, repr, body or cassette fails."""

CO = "https://api-tiktok.wahdx.co"
"""The base URL of ``wahdx-multi-platform-api.txt`` (and the plugin's default)."""

COM = "https://api.wahdx.com"
"""The base URL of ``wahdx-photo-carousel.txt``."""

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "wahdx"


def documented(cassette: str) -> dict[str, Any]:
    """The JSON body of the first answer in ``cassettes/wahdx/<cassette>``: the document's example, exact.

    The cassettes hold the documents' examples (their README says which); the
    mock-transport tests answer with the same bodies rather than a copy.
    """
    interactions = yaml.safe_load((CASSETTES / cassette).read_text(encoding="utf-8"))["interactions"]
    body = json.loads(interactions[0]["response"]["body"]["string"])
    assert isinstance(body, dict), cassette
    return body


TIKTOK_ANSWER = documented("publish_tiktok_video.yaml")
"""The documented TikTok publish answer (MP "POST /api/content/post (TikTok direct post)")."""

META_ANSWER = documented("publish_instagram_video.yaml")
"""The documented Instagram/Threads/Facebook publish answer (MP, the same endpoint)."""


def wahdx_only() -> PluginManager:
    """A plugin manager holding only this plugin, so another vendor's plugin cannot break this suite."""
    manager = PluginManager(load_entry_points=False)
    manager.register(postmux_wahdx, "wahdx")
    return manager


PLUGINS = wahdx_only()


def no_sleep(_: float) -> None:
    """Stands in for ``time.sleep`` so retries and polls cost nothing."""


async def no_async_sleep(_: float) -> None:
    """Stands in for ``asyncio.sleep`` in the async driver."""


class Recorder:
    """An ``httpx.MockTransport`` handler that counts and keeps every request it is sent."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer or (lambda _: httpx.Response(500, text="no answer configured"))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._answer(request)

    @property
    def calls(self) -> int:
        """How many requests reached the transport."""
        return len(self.requests)

    def bodies(self) -> list[Any]:
        """The JSON bodies sent, in order."""
        return [json.loads(r.content) if r.content else None for r in self.requests]


def publish_answer(request: httpx.Request) -> httpx.Response:
    """The documented answer for the platform the request names."""
    platform = json.loads(request.content)["platform"]
    return httpx.Response(200, json=TIKTOK_ANSWER if platform == "tiktok" else META_ANSWER)


def mock_pub(recorder: Recorder, **options: Any) -> postmux.Publisher:
    """A sync publisher whose requests go to ``recorder``; it never sleeps."""
    client = httpx.Client(transport=httpx.MockTransport(recorder))
    return postmux.publisher(
        "wahdx", api_key=KEY, base_url=CO, plugins=PLUGINS, client=client, sleep=no_sleep, **options
    )


def mock_apub(recorder: Recorder, **options: Any) -> postmux.AsyncPublisher:
    """An async publisher whose requests go to ``recorder``; it never sleeps."""
    client = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    return postmux.async_publisher(
        "wahdx", api_key=KEY, base_url=CO, plugins=PLUGINS, client=client, sleep=no_async_sleep, **options
    )


async def call(target: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """``target.method(...)``, awaited when the publisher (or session) is the async one."""
    result = getattr(target, method)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result
