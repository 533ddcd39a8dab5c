"""What the Wonda tests share: a distinctive key, publishers on a counting mock transport.

Publishers are built on a plugin manager holding only this plugin, so another
vendor's plugin (installed or half-written) cannot break this suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

import postmux
import postmux_wonda
from postmux.plugins import PluginManager

KEY = "sk_wonda_TEST_0f3e9a1c5b7d2468ace0"
"""A distinctive key: any test that finds it in an error, repr, body or cassette fails."""

BASE = "https://api.wondercat.ai/api/v1"

# Exact example values from the Wonda documents (see cassettes/wonda/README.md).
MEDIA_ID = "019e1b70-6f9e-80fd-8c49-690bcbdaf8db"
MEDIA_ID_2 = "019e1b72-0742-8bae-bb93-b569036d05af"
TIKTOK_ACCOUNT = "550e8400-e29b-41d4-a716-446655440000"
JOB_ID = "019e1b76-74d7-8c7e-a927-6bd34bfaa114"
UPLOAD_ANSWER = {
    "mediaId": "uuid",
    "url": "https://...",
    "mimeType": "video/mp4",
    "uploads": {"file": {"mediaId": "uuid", "url": "...", "mimeType": "..."}},
}
QUEUED_ANSWER = {"outputJobId": JOB_ID, "status": "queued"}
SCHEDULED_ANSWER = {
    "outputJobId": JOB_ID,
    "status": "scheduled",
    "scheduledFor": "2026-06-20T14:30:00+00:00",
}
TIKTOK_CAROUSEL_ANSWER = {
    "tiktokPublishId": "c34a4b1f-b2ff-4f3f-a4fb-6cf2ca8f9e2c",
    "publishId": "v0...",
    "tiktokMediaId": "v0...",
    "permalink": "https://www.tiktok.com/@example/video/...",
    "imageCount": 2,
}
VALIDATION_ERROR = {"error": {"message": "'model' is required", "code": "validation_error"}}

Handler = Callable[[httpx.Request], httpx.Response]

CDN_DNS = {"cdn.example.com": "151.101.2.10", "files.example.net": "151.101.66.20"}
"""Public addresses the test CDNs "resolve" to; the mock transport never opens a socket."""


def cdn_dns(host: str, port: int) -> list[str]:
    """An injected resolver: no test asks the system's DNS; an unknown name fails loudly."""
    return [CDN_DNS[host]]


MEDIA_FETCH = postmux.FetchPolicy(resolver=cdn_dns)
"""The default fetch policy, resolving the test CDNs to public addresses."""


def wonda_only() -> PluginManager:
    """A plugin manager holding only this plugin."""
    manager = PluginManager(load_entry_points=False)
    manager.register(postmux_wonda, "wonda")
    return manager


PLUGINS = wonda_only()


def no_sleep(_: float) -> None:
    """A sleep that returns at once, so polling tests take no time."""


class Recorder:
    """A mock transport's handler that keeps every request it was sent (bodies read)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.handler(request)

    def urls(self) -> list[str]:
        """Every request's URL as the app named it (a media download goes to the checked address)."""
        return [str(r.url.copy_with(netloc=r.headers["host"].encode())) for r in self.requests]

    def hosts(self) -> set[str]:
        """The host named by every request (its ``Host`` header)."""
        return {r.headers["host"] for r in self.requests}

    def paths(self) -> list[str]:
        """``METHOD path`` of every request, in order."""
        return [f"{r.method} {r.url.path}" for r in self.requests]

    def json(self, index: int) -> Any:
        """The JSON body of request ``index``."""
        return json.loads(self.requests[index].content)

    def publish_requests(self) -> list[httpx.Request]:
        """The requests that would publish something."""
        return [r for r in self.requests if r.url.path.startswith("/api/v1/publish")]


def sync_publisher(recorder: Recorder, **options: Any) -> postmux.Publisher:
    """A Wonda publisher whose HTTP goes to ``recorder``."""
    client = httpx.Client(transport=httpx.MockTransport(recorder))
    options.setdefault("media_fetch", MEDIA_FETCH)
    return postmux.publisher("wonda", api_key=KEY, plugins=PLUGINS, client=client, sleep=no_sleep, **options)


def async_publisher(recorder: Recorder, **options: Any) -> postmux.AsyncPublisher:
    """An async Wonda publisher whose HTTP goes to ``recorder``."""
    client = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    options.setdefault("media_fetch", MEDIA_FETCH)
    return postmux.async_publisher("wonda", api_key=KEY, plugins=PLUGINS, client=client, **options)


def answer(data: Any, status: int = 200, **headers: str) -> httpx.Response:
    """A JSON response."""
    return httpx.Response(status, json=data, headers=headers)


def wonda_server(**overrides: Any) -> Handler:
    """A handler answering like Wonda from its documented examples; ``overrides`` by path."""

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        if path in overrides:
            value = overrides[path]
            return value(request) if callable(value) else answer(value)
        if request.url.host != "api.wondercat.ai":
            return httpx.Response(200, content=b"\x00" * 1024, headers={"Content-Type": "video/mp4"})
        if path == "/media/upload":
            return answer(UPLOAD_ANSWER)
        if path in ("/publish/tiktok", "/publish/instagram"):
            return answer(QUEUED_ANSWER)
        if path == "/publish/tiktok/carousel":
            return answer(TIKTOK_CAROUSEL_ANSWER)
        return answer({"error": {"message": "no such route in this test", "code": "not_found"}}, 404)

    return handle


def multipart(request: httpx.Request) -> list[tuple[str, str, str, bytes]]:
    """The parts of a multipart request: (field, filename, content type, bytes)."""
    import email
    from email.message import Message

    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.read()
    )
    parts: list[tuple[str, str, str, bytes]] = []
    for part in message.get_payload():
        assert isinstance(part, Message)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        field = part.get_param("name", header="content-disposition")
        parts.append((str(field), str(part.get_filename()), part.get_content_type(), payload))
    return parts
