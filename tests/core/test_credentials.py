"""Credentials per account: each request carries its account's token, refreshed ahead and on a 401."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import postmux
from postmux import AsyncPublisher, Post, Publication, Publisher, Route, Secret, Status
from postmux.credentials import NO_KEY, MemoryCredentials, Token
from postmux.errors import ConfigurationError, MissingCredentialsError
from postmux.flow import Flow
from postmux.plugins import PluginManager
from postmux.wire import read_json

from .fakes import FakeAdapter, Vendor
from .test_key_unreachable import leaks

POST = Post(
    text="hi", media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:creator-a", "tiktok:creator-b"]
)
LATER = datetime.now(UTC) + timedelta(hours=2)


class CreatorAdapter(FakeAdapter):
    """A vendor whose tokens belong to creators: every publish names its account."""

    name = "creatorfake"

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        (route,) = routes
        response = yield self.request("POST", "/posts", json={"text": post.text}, account=route.account_id)
        data = read_json(response, provider=self.name)
        return [Publication(target=route.target, provider=self.name, status=Status(data["status"]), id="p1")]


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"status": "published"})


def _publisher(vendor: Vendor, source: MemoryCredentials) -> Publisher:
    adapter = CreatorAdapter()
    adapter.credentials = source
    return Publisher(adapter, NO_KEY, client=vendor.client(), sleep=lambda _: None)


def _tokens(vendor: Vendor) -> list[str]:
    return [r.headers.get("authorization", "") for r in vendor.requests]


def test_each_request_carries_its_own_accounts_token() -> None:
    vendor = Vendor({"POST /posts": _ok})
    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("tok-a")), "creator-b": Token(access=Secret("tok-b"))}
    )
    report = _publisher(vendor, source).publish(POST)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.PUBLISHED]
    assert sorted(_tokens(vendor)) == ["Bearer tok-a", "Bearer tok-b"]


def test_a_token_about_to_expire_is_refreshed_before_it_is_sent() -> None:
    vendor = Vendor({"POST /posts": _ok})
    calls: list[str] = []

    def refresh(account: str, stale: Token) -> Token:
        calls.append(account)
        return Token(access=Secret(f"new-{account}"), refresh=stale.refresh, expires_at=LATER)

    soon = datetime.now(UTC) + timedelta(seconds=30)
    source = MemoryCredentials(
        {
            "creator-a": Token(access=Secret("old-a"), refresh=Secret("r-a"), expires_at=soon),
            "creator-b": Token(access=Secret("tok-b"), refresh=Secret("r-b"), expires_at=LATER),
        },
        refresh=refresh,
    )
    _publisher(vendor, source).publish(POST)
    assert calls == ["creator-a"]
    assert sorted(_tokens(vendor)) == ["Bearer new-creator-a", "Bearer tok-b"]
    assert source.load("creator-a") == Token(
        access=Secret("new-creator-a"), refresh=Secret("r-a"), expires_at=LATER
    )


def test_a_401_refreshes_once_and_sends_again() -> None:
    sent: list[str] = []

    def vendor_answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["authorization"])  # the request object is sent again, re-signed
        if request.headers["authorization"] == "Bearer fresh":
            return httpx.Response(200, json={"status": "published"})
        return httpx.Response(401, json={"error": {"code": "access_token_invalid", "message": "stale"}})

    vendor = Vendor({"POST /posts": vendor_answer})
    refreshed: list[str] = []

    def refresh(account: str, stale: Token) -> Token:
        refreshed.append(account)
        return Token(access=Secret("fresh"), refresh=stale.refresh)

    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("stale"), refresh=Secret("r"))}, refresh=refresh
    )
    (result,) = _publisher(vendor, source).publish(
        Post(text="hi", media=POST.media, targets=["tiktok:creator-a"])
    )
    assert result.status is Status.PUBLISHED
    assert refreshed == ["creator-a"]
    assert sent == ["Bearer stale", "Bearer fresh"]


def test_a_second_401_is_an_authentication_failure_without_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    echo = {"error": {"code": "access_token_invalid", "message": "token tok-a-secret is invalid"}}
    vendor = Vendor({"POST /posts": httpx.Response(401, json=echo)})
    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("tok-a-secret"), refresh=Secret("r"))},
        refresh=lambda account, stale: Token(access=Secret("tok-a-secret"), refresh=stale.refresh),
    )
    caplog.set_level(logging.DEBUG, logger="postmux")
    (result,) = _publisher(vendor, source).publish(
        Post(text="hi", media=POST.media, targets=["tiktok:creator-a"])
    )
    assert result.status is Status.FAILED
    assert isinstance(result.exception, postmux.AuthenticationError)
    assert vendor.count("POST /posts") == 2  # refreshed once, not in a loop
    for text in (str(result.exception), repr(result.exception), result.exception.body or "", caplog.text):
        assert "tok-a-secret" not in text


def test_an_account_token_is_reachable_from_no_error_publication_or_kept_response() -> None:
    """Like the publisher key (test_key_unreachable): the token goes only on the copy that is sent."""
    kept: list[httpx.Response] = []

    class Keeping(CreatorAdapter):
        def status(self, publication: Publication) -> Flow[Publication]:
            kept.append((yield self.request("GET", "/posts/p1", account=publication.target.account)))
            return publication

    echo = {"error": {"code": "access_token_invalid", "message": "token tok-a-secret is invalid"}}
    vendor = Vendor({"POST /posts": httpx.Response(401, json=echo), "GET /posts/p1": _ok})
    adapter = Keeping()
    adapter.credentials = MemoryCredentials({"creator-a": Token(access=Secret("tok-a-secret"))})
    pub = Publisher(adapter, NO_KEY, client=vendor.client(), sleep=lambda _: None)
    (result,) = pub.publish(Post(text="hi", media=POST.media, targets=["tiktok:creator-a"]))
    assert result.status is Status.FAILED
    pub.status(Publication(target=result.target, provider="creatorfake", status=Status.PROCESSING, id="p1"))
    assert _tokens(vendor) == ["Bearer tok-a-secret", "Bearer tok-a-secret"]  # the vendor got it
    assert leaks([result, result.exception, kept], needles=("tok-a-secret", b"tok-a-secret")) == []


def test_no_token_for_an_account_sends_nothing_for_it() -> None:
    vendor = Vendor({"POST /posts": _ok})
    source = MemoryCredentials({"creator-a": Token(access=Secret("tok-a"))})
    report = _publisher(vendor, source).publish(POST)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.FAILED]
    assert isinstance(report.results[1].exception, MissingCredentialsError)
    assert _tokens(vendor) == ["Bearer tok-a"]


async def test_async_publisher_uses_the_same_tokens() -> None:
    vendor = Vendor({"POST /posts": _ok})
    adapter = CreatorAdapter()
    adapter.credentials = MemoryCredentials(
        {"creator-a": Token(access=Secret("tok-a")), "creator-b": Token(access=Secret("tok-b"))}
    )

    async def sleep(_: float) -> None:
        return None

    pub = AsyncPublisher(adapter, NO_KEY, client=vendor.async_client(), sleep=sleep)
    report = await pub.publish(POST)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.PUBLISHED]
    assert sorted(_tokens(vendor)) == ["Bearer tok-a", "Bearer tok-b"]


def test_tokens_never_show_in_a_repr() -> None:
    token = Token(access=Secret("tok-a"), refresh=Secret("r-a"))
    source = MemoryCredentials({"creator-a": token})
    assert "tok-a" not in repr(token)
    assert "r-a" not in repr(token)
    assert "tok-a" not in repr(source)


def _manager() -> PluginManager:
    import types

    @postmux.hookimpl
    def postmux_register_providers(register: Any) -> None:
        register(CreatorAdapter)

    manager = PluginManager(load_entry_points=False)
    manager.register(types.SimpleNamespace(postmux_register_providers=postmux_register_providers), name="c")
    return manager


def test_publisher_takes_credentials_instead_of_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAKE_API_KEY", raising=False)
    vendor = Vendor({"POST /posts": _ok})
    source = MemoryCredentials({"creator-a": Token(access=Secret("tok-a"))})
    pub = postmux.publisher("creatorfake", credentials=source, plugins=_manager(), client=vendor.client())
    (result,) = pub.publish(Post(text="hi", media=POST.media, targets=["tiktok:creator-a"]))
    assert result.status is Status.PUBLISHED
    assert _tokens(vendor) == ["Bearer tok-a"]
    with pytest.raises(MissingCredentialsError, match="no API key for 'creatorfake': pass api_key="):
        postmux.publisher("creatorfake", plugins=_manager())
    with pytest.raises(ConfigurationError, match="CredentialSource"):
        postmux.publisher("creatorfake", credentials={"creator-a": "tok"}, plugins=_manager())  # type: ignore[arg-type]


def test_a_token_no_header_can_carry_is_a_credential_error_naming_the_account_not_the_token() -> None:
    """A token file's entry with its newline: refused unsent, its account failing alone, no token quoted."""
    vendor = Vendor({"POST /posts": _ok})
    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("tok-a-secret\u00a0")), "creator-b": Token(access=Secret("tok-b"))}
    )
    report = _publisher(vendor, source).publish(POST)
    bad, good = report
    assert (bad.status, good.status) == (Status.FAILED, Status.PUBLISHED)
    assert isinstance(bad.exception, postmux.CredentialError)
    assert bad.exception.account == "creator-a"
    assert "creator-a" in str(bad.error)
    assert _tokens(vendor) == ["Bearer tok-b"]
    assert leaks([report, bad, bad.exception], needles=("tok-a-secret", b"tok-a-secret")) == []


MANY = 66
"""More accounts than the driver's list of tokens sent keeps (64)."""


def _many_accounts() -> tuple[MemoryCredentials, Post]:
    source = MemoryCredentials(
        {f"creator-{i}": Token(access=Secret(f"tok-{i:03d}-secret")) for i in range(MANY)}
    )
    return source, Post(text="hi", media=POST.media, targets=[f"tiktok:creator-{i}" for i in range(MANY)])


def _echo(request: httpx.Request, answer: str) -> httpx.Response:
    token = request.headers["authorization"].removeprefix("Bearer ")
    if answer == "refused":
        return httpx.Response(400, json={"error": {"code": "bad_token", "message": f"token {token} refused"}})
    return httpx.Response(200, json={"status": f"token {token} accepted"})  # the plugin's Status() quotes it


@pytest.mark.parametrize("answer", ["refused", "quoted by the plugin"])
def test_a_slow_answer_among_many_accounts_keeps_its_token_out_of_the_error(
    answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    """One account's answer comes back after 64 other accounts' requests went out on another thread
    (a fan-out, or a web server's other requests): its token, echoed, is still scrubbed."""
    others = threading.Semaphore(0)
    first = threading.Event()

    def vendor_answer(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"].endswith("tok-000-secret"):
            first.set()
            for _ in range(MANY - 2):  # every other account's request but one has gone out
                assert others.acquire(timeout=60)
            return _echo(request, answer)
        first.wait(60)
        others.release()
        return _ok(request)

    source, post = _many_accounts()
    adapter = CreatorAdapter()
    adapter.credentials = source
    vendor = Vendor({"POST /posts": vendor_answer})
    pub = Publisher(adapter, NO_KEY, client=vendor.client(), sleep=lambda _: None, max_concurrency=2)
    caplog.set_level(logging.DEBUG, logger="postmux")
    report = pub.publish(post)
    slow = report.results[0]
    assert slow.status is not Status.PUBLISHED
    assert [p.status for p in report.results[1:]] == [Status.PUBLISHED] * (MANY - 1)
    assert "tok-000-secret" in _tokens(vendor)[0]  # the vendor got it, and echoed it
    assert leaks([slow, slow.exception], needles=("tok-000-secret", b"tok-000-secret")) == []
    assert "tok-000-secret" not in caplog.text


@pytest.mark.parametrize("answer", ["refused", "quoted by the plugin"])
async def test_async_a_slow_answer_among_many_accounts_keeps_its_token_out_of_the_error(answer: str) -> None:
    import asyncio

    others = 0

    async def vendor_answer(request: httpx.Request) -> httpx.Response:
        nonlocal others
        if request.headers["authorization"].endswith("tok-000-secret"):
            async with asyncio.timeout(60):
                while others < MANY - 2:
                    await asyncio.sleep(0.001)
            return _echo(request, answer)
        others += 1
        return _ok(request)

    source, post = _many_accounts()
    adapter = CreatorAdapter()
    adapter.credentials = source

    async def sleep(_: float) -> None:
        return None

    vendor = Vendor({"POST /posts": vendor_answer})
    pub = AsyncPublisher(adapter, NO_KEY, client=vendor.async_client(), sleep=sleep, max_concurrency=2)
    report = await pub.publish(post)
    slow = report.results[0]
    assert slow.status is not Status.PUBLISHED
    assert [p.status for p in report.results[1:]] == [Status.PUBLISHED] * (MANY - 1)
    assert leaks([slow, slow.exception], needles=("tok-000-secret", b"tok-000-secret")) == []
