"""Credentials under an AsyncPublisher: a refresh never blocks the event loop, and still happens once.

A refresh hook is an HTTP call (TikTok's ``refresher``); under an
``AsyncPublisher`` it runs on the credential source's worker thread, and a
coroutine hook runs on the publisher's own loop, so other tasks run meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import httpx
import pytest

import postmux
from postmux import AsyncPublisher, Post, Publication, Publisher, Route, Secret, Status
from postmux.credentials import NO_KEY, CredentialSource, MemoryCredentials, Token
from postmux.errors import ConfigurationError
from postmux.flow import CREDENTIAL_CALL, Flow, account_ids, step, store_token

from .fakes import Vendor
from .test_credentials import LATER, POST, CreatorAdapter, _ok, _publisher, _tokens
from .test_key_unreachable import leaks

SLOW = 0.3
ONE = Post(text="hi", media=POST.media, targets=["tiktok:creator-a"])


def _soon() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=30)


def _async_publisher(vendor: Vendor, source: MemoryCredentials) -> AsyncPublisher:
    adapter = CreatorAdapter()
    adapter.credentials = source

    async def sleep(_: float) -> None:
        return None

    return AsyncPublisher(adapter, NO_KEY, client=vendor.async_client(), sleep=sleep)


class Ticker:
    """A task that counts while it gets the loop: a blocked loop stops the count."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            self.ticks += 1

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


def _slow_refresh(ticker: Ticker, seen: list[int], calls: list[str]) -> Callable[[str, Token], Token]:
    """A sync hook that takes ``SLOW`` seconds, noting the ticks before and after."""

    def refresh(account: str, stale: Token) -> Token:
        calls.append(account)
        seen.append(ticker.ticks)
        time.sleep(SLOW)  # the OAuth call
        seen.append(ticker.ticks)
        return Token(access=Secret(f"new-{account}"), refresh=stale.refresh, expires_at=LATER)

    return refresh


async def test_the_loop_runs_on_while_a_token_about_to_expire_is_refreshed() -> None:
    vendor = Vendor({"POST /posts": _ok})
    ticker, seen, calls = Ticker(), list[int](), list[str]()
    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("old-a"), refresh=Secret("r-a"), expires_at=_soon())},
        refresh=_slow_refresh(ticker, seen, calls),
    )
    async with ticker:
        (result,) = await _async_publisher(vendor, source).publish(ONE)
    assert result.status is Status.PUBLISHED
    assert calls == ["creator-a"]
    before, after = seen
    assert after - before >= 3  # ~30 ticks of 10 ms in 0.3 s (fewer on a busy machine); a blocked loop: 0
    assert _tokens(vendor) == ["Bearer new-creator-a"]


def _refused_until_refreshed(request: httpx.Request) -> httpx.Response:
    """The vendor: a 401 for every token but the one the slow refresh makes."""
    if request.headers["authorization"] == "Bearer new-creator-a":
        return httpx.Response(200, json={"status": "published"})
    return httpx.Response(401, json={"error": {"code": "access_token_invalid", "message": "stale"}})


async def test_the_loop_runs_on_while_a_401_refreshes() -> None:
    vendor = Vendor({"POST /posts": _refused_until_refreshed})
    ticker, seen, calls = Ticker(), list[int](), list[str]()
    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("stale"), refresh=Secret("r"))},
        refresh=_slow_refresh(ticker, seen, calls),
    )
    async with ticker:
        (result,) = await _async_publisher(vendor, source).publish(ONE)
    assert result.status is Status.PUBLISHED
    assert calls == ["creator-a"]
    before, after = seen
    assert after - before >= 3
    assert _tokens(vendor) == ["Bearer stale", "Bearer new-creator-a"]


async def test_concurrent_targets_of_one_account_refresh_once() -> None:
    vendor = Vendor({"POST /posts": _ok})
    ticker, seen, calls = Ticker(), list[int](), list[str]()
    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("old-a"), refresh=Secret("r-a"), expires_at=_soon())},
        refresh=_slow_refresh(ticker, seen, calls),
    )
    pub = _async_publisher(vendor, source)
    async with ticker:
        reports = await asyncio.gather(*(pub.publish(ONE) for _ in range(4)))
    assert [r.results[0].status for r in reports] == [Status.PUBLISHED] * 4
    assert calls == ["creator-a"]
    assert _tokens(vendor) == ["Bearer new-creator-a"] * 4


async def test_concurrent_401s_of_one_account_refresh_once() -> None:
    vendor = Vendor({"POST /posts": _refused_until_refreshed})
    ticker, seen, calls = Ticker(), list[int](), list[str]()
    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("stale"), refresh=Secret("r"))},
        refresh=_slow_refresh(ticker, seen, calls),
    )
    pub = _async_publisher(vendor, source)
    async with ticker:
        reports = await asyncio.gather(*(pub.publish(ONE) for _ in range(3)))
    assert [r.results[0].status for r in reports] == [Status.PUBLISHED] * 3
    assert calls == ["creator-a"]
    sent = _tokens(vendor)
    assert sent.count("Bearer new-creator-a") == 3  # each sent again with the one new token
    assert set(sent) == {"Bearer stale", "Bearer new-creator-a"}


async def test_a_second_401_under_the_async_publisher_fails_without_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    echo = {"error": {"code": "access_token_invalid", "message": "token tok-a-secret is invalid"}}
    vendor = Vendor({"POST /posts": httpx.Response(401, json=echo)})
    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("tok-a-old"), refresh=Secret("r"))},
        refresh=lambda account, stale: Token(access=Secret("tok-a-secret"), refresh=stale.refresh),
    )
    caplog.set_level(logging.DEBUG, logger="postmux")
    (result,) = await _async_publisher(vendor, source).publish(ONE)
    assert result.status is Status.FAILED
    assert isinstance(result.exception, postmux.AuthenticationError)
    assert _tokens(vendor) == ["Bearer tok-a-old", "Bearer tok-a-secret"]  # refreshed once, not in a loop
    for text in (str(result.exception), repr(result.exception), result.exception.body or "", caplog.text):
        assert "tok-a-secret" not in text
    assert leaks([result, result.exception], needles=("tok-a-secret", b"tok-a-secret")) == []


async def test_a_coroutine_hook_runs_on_the_publishers_loop_once_for_concurrent_targets() -> None:
    vendor = Vendor({"POST /posts": _ok})
    loop = asyncio.get_running_loop()
    calls: list[tuple[str, bool]] = []
    ticker = Ticker()
    seen: list[int] = []

    async def refresh(account: str, stale: Token) -> Token:
        calls.append((account, asyncio.get_running_loop() is loop))  # where the app's async client lives
        seen.append(ticker.ticks)
        await asyncio.sleep(SLOW)
        seen.append(ticker.ticks)
        return Token(access=Secret(f"new-{account}"), refresh=stale.refresh, expires_at=LATER)

    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("old-a"), refresh=Secret("r-a"), expires_at=_soon())},
        refresh=refresh,
    )
    pub = _async_publisher(vendor, source)
    async with ticker:
        reports = await asyncio.gather(*(pub.publish(ONE) for _ in range(3)))
    assert [r.results[0].status for r in reports] == [Status.PUBLISHED] * 3
    assert calls == [("creator-a", True)]
    before, after = seen
    assert after - before >= 3
    assert _tokens(vendor) == ["Bearer new-creator-a"] * 3


def test_the_sync_publisher_refreshes_in_the_calling_thread() -> None:
    """The sync path is as before: the hook runs in place, in the thread that publishes."""
    vendor = Vendor({"POST /posts": _ok})
    threads: list[int] = []

    def refresh(account: str, stale: Token) -> Token:
        threads.append(threading.get_ident())
        return Token(access=Secret("new-a"), refresh=stale.refresh, expires_at=LATER)

    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("old-a"), refresh=Secret("r-a"), expires_at=_soon())},
        refresh=refresh,
    )
    (result,) = _publisher(vendor, source).publish(ONE)
    assert result.status is Status.PUBLISHED
    assert threads == [threading.get_ident()]
    assert _tokens(vendor) == ["Bearer new-a"]


def test_a_sync_publisher_runs_a_coroutine_hook_in_a_loop_of_its_own() -> None:
    vendor = Vendor({"POST /posts": _ok})

    async def refresh(account: str, stale: Token) -> Token:
        await asyncio.sleep(0)
        return Token(access=Secret("new-a"), refresh=stale.refresh, expires_at=LATER)

    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("old-a"), refresh=Secret("r-a"), expires_at=_soon())},
        refresh=refresh,
    )
    (result,) = _publisher(vendor, source).publish(ONE)
    assert result.status is Status.PUBLISHED
    assert _tokens(vendor) == ["Bearer new-a"]


async def test_a_sync_publisher_inside_a_running_loop_says_it_cannot_run_a_coroutine_hook() -> None:
    vendor = Vendor({"POST /posts": _ok})

    async def refresh(account: str, stale: Token) -> Token:
        raise AssertionError("never run")

    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("old-a"), refresh=Secret("r-a"), expires_at=_soon())},
        refresh=refresh,
    )
    (result,) = _publisher(vendor, source).publish(ONE)  # a sync call on the loop's thread
    assert result.status is Status.FAILED
    assert isinstance(result.exception, ConfigurationError)
    assert "AsyncPublisher" in str(result.exception)
    assert vendor.requests == []  # nothing sent


async def test_a_preview_refreshes_nothing_and_shows_no_token() -> None:
    calls: list[str] = []

    def refresh(account: str, stale: Token) -> Token:
        calls.append(account)
        return Token(access=Secret("new-a"), refresh=stale.refresh, expires_at=LATER)

    source = MemoryCredentials(
        {"creator-a": Token(access=Secret("tok-a-secret"), refresh=Secret("r"), expires_at=_soon())},
        refresh=refresh,
    )
    vendor = Vendor({"POST /posts": _ok})
    previews = [
        _publisher(vendor, source).preview(ONE, resolve=False),
        await _async_publisher(vendor, source).preview(ONE, resolve=False),
    ]
    for preview in previews:
        (request,) = preview.requests
        assert request.headers["authorization"] == "Bearer ***"
        assert "tok-a-secret" not in repr(preview)
    assert calls == []  # a preview sends nothing, a refresh included
    assert vendor.requests == []


class DatabaseCredentials(MemoryCredentials):
    """A source whose ``load`` may wait on I/O (a database's): read off the loop."""

    in_memory = False

    def __init__(self, tokens: dict[str, Token]) -> None:
        super().__init__(tokens)
        self.threads: list[int] = []

    def load(self, account: str) -> Token | None:
        self.threads.append(threading.get_ident())
        return super().load(account)


async def test_a_source_that_may_wait_is_read_off_the_loop_and_memory_in_place() -> None:
    vendor = Vendor({"POST /posts": _ok})
    database = DatabaseCredentials({"creator-a": Token(access=Secret("tok-a"))})
    (result,) = await _async_publisher(vendor, database).publish(ONE)
    assert result.status is Status.PUBLISHED
    assert database.threads
    assert threading.get_ident() not in database.threads
    memory = MemoryCredentials({"creator-a": Token(access=Secret("tok-a"), expires_at=LATER)})
    (result,) = await _async_publisher(vendor, memory).publish(ONE)
    assert result.status is Status.PUBLISHED
    assert memory._worker._threads == set()  # a fresh token in memory: no thread hop at all
    assert _tokens(vendor) == ["Bearer tok-a", "Bearer tok-a"]


class SlowSource(CredentialSource):
    """A database-like source: ``store`` and listing take ``SLOW`` seconds, noting ticks and threads."""

    def __init__(self, ticker: Ticker | None = None) -> None:
        super().__init__()
        self.ticker, self.tokens = ticker, dict[str, Token]()
        self.seen, self.threads = list[int](), list[str]()

    def _slow(self) -> None:
        self.threads.append(threading.current_thread().name)
        ticks = self.ticker.ticks if self.ticker else 0
        time.sleep(SLOW)  # the database's round trip
        self.seen.append((self.ticker.ticks if self.ticker else 0) - ticks)

    def load(self, account: str) -> Token | None:
        return self.tokens.get(account)

    def store(self, account: str, token: Token) -> None:
        self._slow()
        self.tokens[account] = token

    def __iter__(self) -> Iterator[str]:
        self._slow()
        return iter(list(self.tokens))


def _link_and_list(source: CredentialSource) -> Flow[list[str]]:
    """What a connect_poll then an accounts() flow do with the source: keep a token, list the accounts."""
    yield from store_token(source, "creator-b", Token(access=Secret("tok-b")))
    return (yield from account_ids(source))


async def test_a_flows_store_and_listing_run_off_the_loop_on_the_sources_worker() -> None:
    ticker = Ticker()
    source = SlowSource(ticker)
    pub = _async_publisher(Vendor({}), MemoryCredentials())
    async with ticker:
        ids = await pub.driver.run(_link_and_list(source))
    assert ids == ["creator-b"]
    assert source.tokens["creator-b"].access.reveal() == "tok-b"
    assert all(name.startswith("postmux-credentials") for name in source.threads), source.threads
    assert len(source.threads) == 2
    assert all(ticks >= 3 for ticks in source.seen), source.seen  # a blocked loop: 0 ticks while it sleeps


def test_the_sync_driver_makes_a_flows_store_and_listing_in_place() -> None:
    source = SlowSource()
    pub = _publisher(Vendor({}), MemoryCredentials())
    assert pub.driver.run(_link_and_list(source)) == ["creator-b"]
    assert source.threads == [threading.current_thread().name] * 2


async def test_an_in_memory_sources_store_runs_in_place_under_the_async_driver() -> None:
    source = MemoryCredentials()
    pub = _async_publisher(Vendor({}), source)
    assert await pub.driver.run(_link_and_list(source)) == ["creator-b"]
    await source.astore("creator-c", Token(access=Secret("tok-c")))
    assert list(source) == ["creator-b", "creator-c"]


def test_a_credential_step_is_a_pseudo_request_that_stepping_by_hand_does_not_make() -> None:
    source = SlowSource()
    request = step(_link_and_list(source))
    assert CREDENTIAL_CALL in request.extensions
    assert request.url.scheme == "postmux"  # httpx refuses to send it: it never reaches a network
    assert source.tokens == {}
    assert source.threads == []
    with pytest.raises(TypeError, match="cannot list its accounts"):
        account_ids(CredentialSource())


class StoringAdapter(CreatorAdapter):
    """A vendor whose publish flow keeps a token before its request (a preview must not make that call)."""

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        assert self.credentials is not None
        yield from store_token(self.credentials, "creator-b", Token(access=Secret("tok-b")))
        return (yield from super().publish(post, routes, media))


def test_a_preview_shows_a_credential_step_without_making_it() -> None:
    adapter, source = StoringAdapter(), SlowSource()
    source.tokens["creator-a"] = Token(access=Secret("tok-a"))
    adapter.credentials = source
    preview = Publisher(adapter, NO_KEY, client=Vendor({}).client()).preview(ONE)
    (shown,) = preview.requests
    assert shown.url == "postmux://credentials/store"
    assert not shown.to_vendor
    assert "authorization" not in shown.headers
    assert not preview.complete
    assert any("a preview does not make it" in note for note in preview.notes)
    assert source.threads == []
    assert "creator-b" not in source.tokens
