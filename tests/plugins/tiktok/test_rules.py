"""TikTok's chunk rules, its status words and its credentials, checked with no network at all."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import MediaKind, Publication, ResponseError, Secret, Status, Target
from postmux.credentials import MemoryCredentials, Token
from postmux.flow import FileStream, call_answer, step
from postmux_tiktok import FileCredentials, TikTokAdapter
from postmux_tiktok.chunks import MAX_CHUNKS, plan, put_chunk
from postmux_tiktok.oauth import read_token

MiB = 1024 * 1024


def test_the_guides_example_is_five_chunks_the_last_taking_the_trailing_bytes() -> None:
    chunks = plan(50_000_123, chunk=10_000_000)
    assert (chunks.count, list(chunks.ranges())[-1]) == (5, (40_000_000, 10_000_123))
    assert chunks.source_info() == {
        "source": "FILE_UPLOAD",
        "video_size": 50_000_123,
        "chunk_size": 10_000_000,
        "total_chunk_count": 5,
    }


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (4 * MiB, (4 * MiB, 1)),  # under 5 MB: whole
        (20 * MiB, (20 * MiB, 1)),  # under one chunk: whole
        (300_000_000, (32 * MiB, 8)),
        (64_000_000, (32 * MiB, 1)),  # 64 MB: one chunk may carry it
        (64_000_001, (32_000_000, 2)),  # over 64 MB: "must be uploaded in multiple chunks"
        (2 * 32 * MiB - 1, (32 * MiB - 1, 2)),
        (1024 * MiB, (32 * MiB, 32)),
    ],
)
def test_chunk_sizes_follow_the_rules(size: int, expected: tuple[int, int]) -> None:
    chunks = plan(size)
    assert (chunks.chunk_size, chunks.count) == expected
    spans = list(chunks.ranges())
    assert spans[0][0] == 0
    assert sum(n for _, n in spans) == size
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(spans))
    assert all(5 * MiB <= n <= 128_000_000 for _, n in spans) or chunks.count == 1
    assert chunks.count <= MAX_CHUNKS


def test_what_the_rules_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError, match="1000 chunks"):
        plan(6 * MiB * 1001, chunk=6 * MiB)
    with pytest.raises(ValueError, match="5 MiB to 64 MB"):
        plan(100 * MiB, chunk=4 * MiB)
    with pytest.raises(ValueError, match="no chunks for 0 bytes"):
        plan(0)


def test_a_chunk_is_its_bytes_of_the_file_with_its_range_sync_and_async(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    data = os.urandom(3 * MiB + 17)
    path.write_bytes(data)
    request = put_chunk(
        "https://upload.example/video/?upload_id=1", str(path), MiB, MiB + 17, len(data), "video/mp4"
    )
    assert request.headers["Content-Range"] == f"bytes {MiB}-{2 * MiB + 16}/{len(data)}"
    assert request.headers["Content-Length"] == str(MiB + 17)
    assert request.headers["Host"] == "upload.example"
    stream = request.stream
    assert isinstance(stream, FileStream)
    assert b"".join(stream) == data[MiB : 2 * MiB + 17]
    assert b"".join(stream) == data[MiB : 2 * MiB + 17]  # again, as a retry sends it

    async def collect() -> bytes:
        return b"".join([piece async for piece in stream])

    assert asyncio.run(collect()) == data[MiB : 2 * MiB + 17]


def _status(answer: dict[str, object], **state: str) -> Publication:
    adapter = TikTokAdapter()
    adapter.credentials = FileCredentials("/nonexistent/tokens.json")
    sent = Publication(
        target=Target("tiktok", "creator"),
        provider="tiktok",
        status=Status.PROCESSING,
        id="v_pub_url~v2.1",
        account_id="creator",
        media_kind=MediaKind.PHOTO if state.pop("photo", "") else MediaKind.VIDEO,
        state=state,
    )
    flow = adapter.status(sent)
    request = step(flow)
    assert request.extensions["postmux.account"] == "creator"
    body = {"data": answer, "error": {"code": "ok", "message": "", "log_id": "1"}}
    try:
        step(flow, httpx.Response(200, json=body, request=request))
    except StopIteration as done:
        result: Publication = done.value
        return result
    raise AssertionError("the status flow asked for more")


def test_statuses_map_to_neutral_ones_with_reasons_and_urls() -> None:
    done = _status({"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [7312]}, username="brand")
    assert (done.status, done.url) == (Status.PUBLISHED, "https://www.tiktok.com/@brand/video/7312")
    photo = _status(
        {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [9]}, username="b", photo="1"
    )
    assert photo.url == "https://www.tiktok.com/@b/photo/9"
    assert _status({"status": "PUBLISH_COMPLETE"}, draft="1").status is Status.INBOX
    assert _status({"status": "SEND_TO_USER_INBOX"}, draft="1").status is Status.INBOX
    assert _status({"status": "PROCESSING_DOWNLOAD"}).status is Status.PROCESSING
    assert _status({"status": "SOMETHING_NEW"}).status is Status.PROCESSING  # waiting goes on
    cancelled = _status({"status": "FAILED", "fail_reason": "publish_cancelled"})
    assert (cancelled.status, cancelled.error_code) == (Status.CANCELLED, "publish_cancelled")
    pulled = _status({"status": "FAILED", "fail_reason": "video_pull_failed"})
    assert pulled.error == "TikTok could not download the video from its URL"


def test_the_token_file_is_private_survives_a_restart_and_shows_no_token(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    when = datetime(2030, 1, 1, tzinfo=UTC)
    FileCredentials(path).store(
        "creator", Token(access=Secret("act.SECRET1"), refresh=Secret("rft.SECRET2"), expires_at=when)
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = FileCredentials(path)
    token = again.load("creator")
    assert token is not None
    assert token.access == Secret("act.SECRET1")
    assert token.expires_at == when
    assert list(again) == ["creator"]
    assert "SECRET" not in repr(again) + repr(token)


def test_a_key_alone_against_tiktok_itself_says_to_pass_credentials() -> None:
    import postmux

    def tiktok(request: httpx.Request) -> httpx.Response:
        body = {"data": {}, "error": {"code": "not_found", "message": "no such path", "log_id": "1"}}
        return httpx.Response(404, json=body)

    pub = postmux.publisher(
        "tiktok", api_key="sk_test_0123456789abcdef", transport=httpx.MockTransport(tiktok)
    )
    with pytest.raises(postmux.ConfigurationError, match="credentials="):
        pub.accounts()


def _answer(flow: Any, data: object) -> Any:
    """What ``flow`` returns when its one request is answered ``data`` in TikTok's envelope."""
    request = step(flow)
    body = {"data": data, "error": {"code": "ok", "message": "", "log_id": "1"}}
    text = json.dumps(body)  # 1e999 as JSON's Infinity, which httpx's json= refuses to write
    try:
        step(flow, httpx.Response(200, content=text.encode(), request=request))
    except StopIteration as done:
        return done.value
    raise AssertionError("the flow asked for more")


@pytest.mark.parametrize(
    "answer",
    [
        {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": 7312},  # not a list
        {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": {"id": 7312}},
        {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": "7312"},  # was read as post 7
        {"status": "FAILED", "fail_reason": {"code": "spam_risk"}},
        {"status": "FAILED", "fail_reason": ["spam_risk"]},
    ],
)
def test_a_mistyped_status_answer_is_a_response_error(answer: dict[str, object]) -> None:
    """Before: a raw TypeError or KeyError from ``status()`` (or, for a string, a URL of post ``7``)."""
    with pytest.raises(ResponseError, match="cannot read publish status"):
        _status(answer)


def _creator(answer: dict[str, object]) -> Any:
    adapter = TikTokAdapter()
    adapter.credentials = FileCredentials("/nonexistent/tokens.json")
    return _answer(adapter.creator_info("creator"), answer)


CREATOR = {"privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"], "max_video_post_duration_sec": 600}


@pytest.mark.parametrize(
    "change",
    [
        {"privacy_level_options": ["SELF_ONLY", None]},  # joined into a message: a TypeError
        {"max_video_post_duration_sec": "600"},  # compared with a duration: a TypeError
        {"max_video_post_duration_sec": 1e999},
        {"max_video_post_duration_sec": True},
        {"creator_username": 42},  # an @username target matched against it: an AttributeError
    ],
)
def test_a_mistyped_creator_info_is_a_response_error(change: dict[str, object]) -> None:
    assert _creator(CREATOR).max_video_duration_s == 600
    with pytest.raises(ResponseError, match="cannot read creator info"):
        _creator({**CREATOR, **change})


def test_a_user_info_naming_a_non_string_username_is_a_response_error() -> None:
    """Before: the account listed, and the first ``@username`` target raised AttributeError from publish()."""
    adapter = TikTokAdapter()
    adapter.credentials = MemoryCredentials({"creator": Token(access=Secret("act.1"))})
    flow = adapter.accounts()
    listing = step(flow)  # the driver lists the source's accounts
    request = step(flow, call_answer(listing, ["creator"]))
    assert request.url.path == "/v2/user/info/"
    body = {"data": {"user": {"open_id": "creator", "username": 42}}, "error": {"code": "ok"}}
    with pytest.raises(ResponseError, match=r"data\.user\.username"):
        step(flow, httpx.Response(200, json=body, request=request))


@pytest.mark.parametrize(
    "answer",
    [
        {"access_token": "", "open_id": "creator"},  # Secret("") is a TypeError
        {"access_token": "act.1", "open_id": "creator", "expires_in": 10**20},  # past any datetime
    ],
)
def test_a_token_answer_that_makes_no_token_is_a_response_error(answer: dict[str, object]) -> None:
    with pytest.raises(ResponseError, match="token answer"):
        read_token(answer)
