"""The adapter's flows stepped by hand (``postmux.flow.step``): no transport, no HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import (
    ConnectStatus,
    Media,
    Post,
    Publication,
    Route,
    Status,
    Target,
    TikTokOptions,
    YouTubeOptions,
)
from postmux.flow import Flow, step
from postmux_postpeer import PostPeerAdapter

from .spec import Spec
from .support import VIDEO, created, entry, integration, ok, post_detail

ADAPTER = PostPeerAdapter()


def finish(flow: Flow[Any], request: httpx.Request, status: int, body: Any) -> Any:
    """Answer the last request and expect the flow to end; its result."""
    with pytest.raises(StopIteration) as stop:
        step(flow, httpx.Response(status, json=body, request=request))
    return stop.value.value


def test_publish_sends_one_valid_request_and_reads_each_platform(spec: Spec) -> None:
    post = Post(
        text="New tutorial out now!",
        media=[VIDEO],
        targets=[Target("tiktok", "tt_321"), Target("youtube", "yt_789"), Target("instagram", "ig_456")],
        youtube=YouTubeOptions(title="New Tutorial", visibility="public"),
    )
    routes = [Route(t, t.account) for t in post.targets]
    assert ADAPTER.batches(post, routes) == [routes]
    flow = ADAPTER.publish(post, routes, (VIDEO,))
    request = step(flow)
    assert (request.method, request.url.path) == ("POST", "/v1/posts")
    assert spec.check_request(request) == []
    sent = json.loads(request.content)
    assert [p["accountId"] for p in sent["platforms"]] == ["tt_321", "yt_789", "ig_456"]
    assert sent["platforms"][1]["platformSpecificData"]["visibility"] == "public"
    answer = created(
        "post_1",
        "partial",
        ok("tiktok", "https://www.tiktok.com/@user/video/1"),
        {"platform": "youtube", "success": False, "error": "quota exceeded"},
        ok("instagram", "https://www.instagram.com/reel/x/"),
    )
    results: list[Publication] = finish(flow, request, 202, answer)
    assert [(p.target.platform, p.status) for p in results] == [
        ("tiktok", Status.PUBLISHED),
        ("youtube", Status.FAILED),
        ("instagram", Status.PUBLISHED),
    ]
    assert {p.id for p in results} == {"post_1"}
    assert results[1].error == "quota exceeded"
    assert results[0].state == {"platform": "tiktok", "index": "0"}


def test_a_tiktok_draft_that_published_is_in_the_inbox() -> None:
    post = Post(text="x", media=[VIDEO], targets=[Target("tiktok", "a")], tiktok=TikTokOptions(draft=True))
    flow = ADAPTER.publish(post, [Route(post.targets[0], "a")], (VIDEO,))
    request = step(flow)
    (result,) = finish(flow, request, 202, created("p", "published", ok("tiktok")))
    assert result.status is Status.INBOX
    assert result.state["draft"] == "true"


def test_stage_uploads_a_local_file_and_returns_its_public_url(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"0123456789")
    post = Post(text="x", media=[Media(path=clip), VIDEO], targets=[Target("tiktok", "a")])
    flow = ADAPTER.stage(post, [])
    ask = step(flow)
    assert json.loads(ask.content) == {"filename": "clip.mp4", "mimeType": "video/mp4"}
    put = step(
        flow,
        httpx.Response(
            200,
            json={
                "success": True,
                "data": {"uploadUrl": "https://s3.example/up?sig=1", "publicUrl": "https://a/b.mp4"},
            },
            request=ask,
        ),
    )
    assert (put.method, str(put.url)) == ("PUT", "https://s3.example/up?sig=1")
    assert put.headers["Content-Length"] == "10"
    assert put.headers["Content-Type"] == "video/mp4"
    assert b"".join(put.stream) == b"0123456789"  # type: ignore[arg-type]
    with pytest.raises(StopIteration) as stop:
        step(flow, httpx.Response(200, request=put))
    assert stop.value.value == ("https://a/b.mp4", VIDEO)


def test_status_many_asks_once_per_post() -> None:
    target = Target("tiktok", "a")
    pubs = [
        Publication(
            target=target,
            provider="postpeer",
            status=Status.PROCESSING,
            id="p1",
            state={"platform": "tiktok", "index": "0"},
        ),
        Publication(
            target=Target("tiktok", "b"),
            provider="postpeer",
            status=Status.PROCESSING,
            id="p1",
            state={"platform": "tiktok", "index": "1"},
        ),
        Publication(
            target=target,
            provider="postpeer",
            status=Status.PROCESSING,
            id="p2",
            state={"platform": "tiktok", "index": "0"},
        ),
    ]
    flow = ADAPTER.status_many(pubs)
    first = step(flow)
    assert first.url.path == "/v1/posts/p1"
    one = post_detail(
        "p1",
        "partial",
        entry("tiktok", "published", platformPostUrl="https://www.tiktok.com/@a/video/1"),
        entry("tiktok", "failed", errorMessage="spam_risk_too_many_posts", warningMessage="slow down"),
    )
    second = step(flow, httpx.Response(200, json=one, request=first))
    assert second.url.path == "/v1/posts/p2"
    results = finish(flow, second, 200, post_detail("p2", "publishing", entry("tiktok", "publishing")))
    assert [p.status for p in results] == [Status.PUBLISHED, Status.FAILED, Status.PROCESSING]
    assert results[0].url == "https://www.tiktok.com/@a/video/1"
    assert results[1].error == "spam_risk_too_many_posts"
    assert results[1].state["warning"] == "slow down"


def test_connect_remembers_existing_accounts_and_poll_finds_the_new_one() -> None:
    flow = ADAPTER.connect("tiktok", {"redirect_uri": "https://app.example/done"})
    listing = step(flow)
    assert listing.url.params["platform"] == "tiktok"
    known = [integration("old", "tiktok", "old")]
    page = {"success": True, "total": 1, "integrations": known}
    oauth = step(flow, httpx.Response(200, json=page, request=listing))
    assert oauth.url.path == "/v1/connect/tiktok"
    assert oauth.url.params["redirectUri"] == "https://app.example/done"
    start = finish(flow, oauth, 200, {"url": "https://www.tiktok.com/v2/auth/authorize?client_key=x"})
    assert start.url.startswith("https://www.tiktok.com/")
    assert start.state == {"known": ["old"]}

    poll = ADAPTER.connect_poll(start)
    assert finish(poll, step(poll), 200, page).status is ConnectStatus.PENDING
    poll = ADAPTER.connect_poll(start)
    grown = {
        **page,
        "total": 2,
        "integrations": [*known, integration("new", "tiktok", "fresh")],
    }
    found = finish(poll, step(poll), 200, grown)
    assert found.status is ConnectStatus.CONFIRMED
    assert found.account.id == "new"


def test_an_unreadable_scheduled_for_in_a_post_is_a_response_error() -> None:
    """A bad ``scheduledFor`` in ``GET /v1/posts/{postId}`` is a ResponseError, never a bare ValueError."""
    from postmux import ResponseError

    sent = Publication(
        target=Target("tiktok", "a"),
        provider="postpeer",
        status=Status.SCHEDULED,
        id="p1",
        state={"platform": "tiktok", "index": "0"},
    )
    flow = ADAPTER.status(sent)
    request = step(flow)
    body = post_detail("p1", "scheduled", entry("tiktok", "scheduled"), scheduledFor="next tuesday")
    with pytest.raises(ResponseError, match="next tuesday"):
        step(flow, httpx.Response(200, json=body, request=request))
