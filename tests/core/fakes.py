"""A small fake vendor for the core's tests: no plugin, no network.

:class:`FakeAdapter` publishes one target per request (``POST /posts``), reads
status with ``GET /posts/{id}``, lists accounts and links them through a
``/connect`` round trip. :class:`Vendor` is the matching ``httpx.MockTransport``
handler: it records every request and answers from a small script.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, ClassVar

import attrs
import httpx

from postmux import (
    Account,
    Adapter,
    Capabilities,
    ConnectPoll,
    ConnectStart,
    ConnectStatus,
    PlatformSupport,
    Post,
    Publication,
    Route,
    Secret,
    Status,
)
from postmux.flow import Flow
from postmux.wire import base_converter, configure, parse, read_json

BASE_URL = "https://api.fake.test"
KEY = "sk_test_0123456789abcdef"

TIKTOK_OPTIONS = frozenset(
    {
        "privacy",
        "allow_comment",
        "allow_duet",
        "allow_stitch",
        "cover_timestamp_ms",
        "cover_index",
        "auto_add_music",
        "ai_generated",
        "draft",
        "brand_organic",
        "branded_content",
    }
)

FULL = Capabilities(
    platforms={
        "tiktok": PlatformSupport(title=True, draft=True, options=TIKTOK_OPTIONS),
        "instagram": PlatformSupport(
            options=frozenset(
                {"share_to_feed", "story", "alt_text", "cover_url", "thumb_offset_ms", "collaborators"}
            )
        ),
        "threads": PlatformSupport(text_only=True, options=frozenset({"reply_control", "alt_text"})),
        "facebook": PlatformSupport(text_only=True, options=frozenset({"link", "draft", "thumbnail_url"})),
        "youtube": PlatformSupport(
            photos=False,
            title=True,
            options=frozenset(
                {
                    "title",
                    "visibility",
                    "tags",
                    "made_for_kids",
                    "ai_generated",
                    "category_id",
                    "first_comment",
                }
            ),
        ),
    },
    scheduling=True,
    schedule_min=timedelta(minutes=10),
    schedule_max=timedelta(days=30),
    local_files=True,
    connect=frozenset({"tiktok"}),
)
"""Every platform and every option: validation tests narrow it where they need to."""

NARROW = Capabilities(
    platforms={
        "tiktok": PlatformSupport(min_photos=2, options=frozenset({"allow_comment"})),
        "instagram": PlatformSupport(options=frozenset()),
    },
    scheduling=False,
    local_files=False,
)
"""A vendor with little: TikTok and Instagram, almost no options, no scheduling, URLs only."""


@attrs.frozen(slots=True, kw_only=True)
class Answer:
    """What the fake vendor answers to a publish or a status read."""

    id: str
    status: str
    url: str | None = None


converter = base_converter()
configure(converter, Answer)


class FakeAdapter(Adapter):
    """One target per request; status one by one; accounts; QR-less OAuth linking."""

    name: ClassVar[str] = "fake"
    env_var: ClassVar[str] = "FAKE_API_KEY"
    default_base_url: ClassVar[str] = BASE_URL
    capabilities = FULL
    poll_interval: ClassVar[float] = 0.25

    def auth_headers(self, key: Secret) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {key.reveal()}"}

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        (route,) = routes
        body = {"platform": route.platform, "account": route.account_id, "text": post.text, "media": media}
        response = yield self.request("POST", "/posts", json=body)
        data = read_json(response, provider=self.name)
        answer = parse(converter, data, Answer, provider=self.name)
        return [
            Publication(
                target=route.target,
                provider=self.name,
                status=Status(answer.status),
                id=answer.id,
                url=answer.url,
                raw=data,
            )
        ]

    def status(self, publication: Publication) -> Flow[Publication]:
        response = yield self.request("GET", f"/posts/{publication.id}")
        answer = parse(converter, read_json(response, provider=self.name), Answer, provider=self.name)
        return attrs.evolve(publication, status=Status(answer.status), url=answer.url)

    def accounts(self) -> Flow[list[Account]]:
        response = yield self.request("GET", "/accounts")
        return [
            Account(id=a["id"], platform=a["platform"], provider=self.name, username=a.get("username"))
            for a in read_json(response, provider=self.name)
        ]

    def connect(self, platform: str, options: Mapping[str, Any]) -> Flow[ConnectStart]:
        response = yield self.request("POST", "/connect", json={"platform": platform})
        data = read_json(response, provider=self.name)
        return ConnectStart(
            platform=platform, url=data["url"], poll_interval=0.5, state={"token": data["token"]}
        )

    def connect_poll(self, start: ConnectStart) -> Flow[ConnectPoll]:
        response = yield self.request(
            "POST", "/connect/check", json={"token": start.state["token"]}, idempotent=True
        )
        data = read_json(response, provider=self.name)
        account = None
        if data.get("account"):
            a = data["account"]
            account = Account(id=a["id"], platform=start.platform, provider=self.name, username=a["username"])
        return ConnectPoll(status=ConnectStatus(data["status"]), account=account)


class BatchStatusAdapter(FakeAdapter):
    """The fake vendor with one request for many statuses."""

    capabilities = attrs.evolve(FULL, batch_status=True)

    def status_many(self, publications: Sequence[Publication]) -> Flow[list[Publication]]:
        ids = [p.id for p in publications]
        response = yield self.request("POST", "/posts/status", json={"ids": ids}, idempotent=True)
        data = read_json(response, provider=self.name)
        return [attrs.evolve(p, status=Status(data[p.id])) for p in publications]


Handler = Callable[[httpx.Request], httpx.Response]


class Vendor:
    """A MockTransport handler that records requests and answers per route.

    ``routes`` maps ``"METHOD /path"`` to a response, a list of responses (one
    per call, the last repeated) or a function of the request. Unrouted
    requests answer 404, so a stray request fails loudly.
    """

    def __init__(self, routes: Mapping[str, object] | None = None) -> None:
        self.routes: dict[str, object] = dict(routes or {})
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()
        self._calls: dict[str, int] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        key = f"{request.method} {request.url.path}"
        with self._lock:
            self.requests.append(request)
            n = self._calls.get(key, 0)
            self._calls[key] = n + 1
        answer = self.routes.get(key)
        if answer is None:
            return httpx.Response(404, json={"message": f"no route {key}"})
        if isinstance(answer, list):
            answer = answer[min(n, len(answer) - 1)]
        if callable(answer) and not isinstance(answer, httpx.Response):
            answer = answer(request)
            if inspect.isawaitable(answer):
                return answer  # type: ignore[return-value]  # MockTransport awaits it on async clients
        if isinstance(answer, BaseException):
            raise answer
        assert isinstance(answer, httpx.Response)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self.transport())

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())

    def count(self, key: str) -> int:
        return self._calls.get(key, 0)

    def bodies(self, key: str = "POST /posts") -> list[Any]:
        method, _, path = key.partition(" ")
        return [json.loads(r.content) for r in self.requests if r.method == method and r.url.path == path]


def published(request: httpx.Request) -> httpx.Response:
    """The fake vendor's answer to a publish: an id made from the account."""
    body = json.loads(request.content)
    return httpx.Response(200, json={"id": f"p-{body['account']}", "status": "processing"})


def video_post(*targets: str, **kwargs: Any) -> Post:
    """A one-video post to ``targets`` (``"platform:account"``)."""
    kwargs.setdefault("text", "hello")
    return Post(media=["https://cdn.example.com/clip.mp4"], targets=list(targets), **kwargs)
