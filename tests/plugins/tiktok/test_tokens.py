"""TikTok's creator tokens over time: a refresh token kept, a token file written from threads."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import postmux
from postmux import Post, Secret, Status, Target, TikTokOptions
from postmux.credentials import MemoryCredentials, Token
from postmux.flow import store_token
from postmux_tiktok import FileCredentials, refresher

from .conftest import PLUGINS, no_sleep

KEPT = "rft.kept-for-a-year-0123456789"
"""A refresh token TikTok hands back unchanged ("the returned refresh_token may be different"...or not)."""


def _token_endpoint(issued: list[str]) -> httpx.MockTransport:
    """TikTok's token endpoint: a new access token each time, the refresh token it was sent kept as it is."""

    def answer(request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if form.get("refresh_token") != KEPT:
            refused = {
                "error": "invalid_grant",
                "error_description": "Refresh token is invalid.",
                "log_id": "1",
            }
            return httpx.Response(400, json=refused)
        issued.append(f"act.fresh-{len(issued)}")
        body: dict[str, object] = {
            "access_token": issued[-1],
            "expires_in": 86400,
            "open_id": "creator",
            "refresh_token": KEPT,
        }
        return httpx.Response(200, json={**body, "refresh_expires_in": 31536000, "token_type": "Bearer"})

    return httpx.MockTransport(answer)


def test_a_refresh_answering_the_same_refresh_token_keeps_it_for_the_next_refresh() -> None:
    issued: list[str] = []
    with httpx.Client(transport=_token_endpoint(issued)) as client:
        refresh = refresher("CLIENT_KEY", "CLIENT_SECRET", client=client)
        source = MemoryCredentials(
            {"creator": Token(access=Secret("act.stale"), refresh=Secret(KEPT))}, refresh=refresh
        )
        first = source.refreshed("creator", Secret("act.stale"))
        assert first is not None
        assert first.refresh == Secret(KEPT)  # not the "***" of a redacted answer
        second = source.refreshed("creator", first.access)  # the next day's refresh
    assert second is not None
    assert second.access == Secret("act.fresh-1")
    assert issued == ["act.fresh-0", "act.fresh-1"]


def _stall_first_write(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Hold the first token-file write after its snapshot was taken, until ``go`` (or half a second)."""
    snapshotted, go = threading.Event(), threading.Event()
    real = tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        if not snapshotted.is_set():
            snapshotted.set()
            go.wait(0.5)  # a fixed store holds the second writer back meanwhile: it cannot set go
        return real(*args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    return snapshotted, go


def test_two_threads_storing_tokens_at_once_both_reach_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh of one creator and a link of another, at once: the file keeps both new tokens.

    TikTok revokes a refresh token it rotated: a file left holding the old one, or missing the
    linked creator, loses that creator at the next start.
    """
    path = tmp_path / "tokens.json"
    source = FileCredentials(path)
    source.store("creator-a", Token(access=Secret("act.a-old"), refresh=Secret("rft.a-old")))
    snapshotted, go = _stall_first_write(monkeypatch)
    linking = threading.Thread(
        target=source.store,
        args=("creator-b", Token(access=Secret("act.b-new"), refresh=Secret("rft.b-new"))),
    )
    linking.start()
    assert snapshotted.wait(5)  # its snapshot holds creator-a's old tokens

    def refresh() -> None:
        source.store("creator-a", Token(access=Secret("act.a-new"), refresh=Secret("rft.a-new")))
        go.set()

    refreshing = threading.Thread(target=refresh)
    refreshing.start()
    refreshing.join(5)
    linking.join(5)
    again = FileCredentials(path)
    a, b = again.load("creator-a"), again.load("creator-b")
    assert a is not None
    assert b is not None
    assert a.refresh is not None
    assert a.refresh.reveal() == "rft.a-new"  # not the rotated (revoked) rft.a-old
    assert b.access == Secret("act.b-new")
    assert [p.name for p in tmp_path.iterdir()] == ["tokens.json"]


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '"tokens"',
        '{"creator": {"access": 5}}',
        '{"creator": {"access": "act.x", "expires_at": "soon"}}',
    ],
)
def test_a_token_file_holding_no_tokens_postmux_wrote_is_a_response_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(postmux.ResponseError, match="token"):
        FileCredentials(path)


class WatchedFile(FileCredentials):
    """A token file noting the thread each store runs on."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.threads: list[str] = []

    def store(self, account: str, token: Token) -> None:
        self.threads.append(threading.current_thread().name)
        super().store(account, token)


def test_an_async_publishers_store_into_a_token_file_runs_off_the_event_loop(tmp_path: Path) -> None:
    """README: "a file's or a database's I/O never blocks the event loop" (a link's store, say)."""
    source = WatchedFile(tmp_path / "tokens.json")

    async def link() -> None:
        async with postmux.async_publisher("tiktok", credentials=source, plugins=PLUGINS) as pub:
            await pub.driver.run(store_token(source, "creator", Token(access=Secret("act.linked"))))

    asyncio.run(link())
    assert source.threads
    assert all(name.startswith("postmux-credentials") for name in source.threads), source.threads
    token = FileCredentials(tmp_path / "tokens.json").load("creator")
    assert token is not None
    assert token.access == Secret("act.linked")


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("when", ["expiring", "refused"])
def test_a_draft_whose_refresh_fails_at_tiktoks_token_endpoint_is_failed_not_unknown(
    kind: str, when: str
) -> None:
    """The refresh before the init (or after its 401) failed: no post was made, so it is safe to resend."""
    sent: list[str] = []

    def tiktok(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if request.url.path == "/v2/oauth/token/":
            return httpx.Response(503, text="upstream unavailable")
        body = {"data": {}, "error": {"code": "access_token_invalid", "message": "expired", "log_id": "1"}}
        return httpx.Response(401, json=body)

    refresh = refresher(
        "CLIENT_KEY", "CLIENT_SECRET", client=httpx.Client(transport=httpx.MockTransport(tiktok))
    )
    soon = datetime.now(UTC) + timedelta(seconds=30 if when == "expiring" else 3600)
    source = MemoryCredentials(
        {"creator": Token(access=Secret("act.old"), refresh=Secret("rft.r"), expires_at=soon)},
        refresh=refresh,
    )
    draft = Post(
        media=["https://example.verified.domain.com/example_video.mp4"],
        targets=[Target("tiktok", "creator")],
        tiktok=TikTokOptions(draft=True),
    )
    options: dict[str, Any] = {
        "credentials": source,
        "plugins": PLUGINS,
        "transport": httpx.MockTransport(tiktok),
    }
    if kind == "sync":
        with postmux.publisher("tiktok", sleep=no_sleep, **options) as pub:
            (result,) = pub.publish(draft)
    else:

        async def run() -> postmux.PublishReport:
            async with postmux.async_publisher("tiktok", **options) as apub:
                return await apub.publish(draft)

        (result,) = asyncio.run(run())
    init = "/v2/post/publish/inbox/video/init/"
    assert sent == (["/v2/oauth/token/"] if when == "expiring" else [init, "/v2/oauth/token/"])
    assert result.status is Status.FAILED, result.error
    assert result.status_code == 503


def test_a_publisher_with_neither_credentials_nor_a_sandbox_key_says_to_pass_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # TikTok's tokens belong to creators: "pass api_key=" would send the app the wrong way
    monkeypatch.delenv("TIKTOK_API_KEY", raising=False)
    monkeypatch.delenv("POSTMUX_SANDBOX", raising=False)
    wanted = r"no credentials for 'tiktok': pass credentials="
    with pytest.raises(postmux.MissingCredentialsError, match=wanted):
        postmux.publisher("tiktok")
