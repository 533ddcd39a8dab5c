"""PostPeer's two error bodies, credits, rate limits, unreadable answers, and the key kept secret."""

from __future__ import annotations

import logging

import httpx
import pytest

from postmux import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PaymentRequiredError,
    Post,
    PostmuxError,
    RateLimitError,
    ResponseError,
    ServerError,
    Status,
    Target,
)
from postmux_postpeer import PostPeerAdapter

from .conftest import KEY, NO_RETRY, sync_pub
from .fake import FakePostPeer, answer
from .support import VIDEO, Either

POST = Post(text="x", media=[VIDEO], targets=[Target("tiktok", "tt")])


@pytest.mark.parametrize(
    ("status", "body", "cls", "message"),
    [
        (
            400,
            {"success": False, "message": "platforms must have at least 1 item"},
            InvalidRequestError,
            "platforms",
        ),
        (401, {"error": "Invalid access key"}, AuthenticationError, "Invalid access key"),
        (
            402,
            {"success": False, "message": "Insufficient credits"},
            PaymentRequiredError,
            "Insufficient credits",
        ),
        (404, {"error": "Integration not found"}, NotFoundError, "Integration not found"),
        (500, {"error": "boom"}, ServerError, "boom"),
        (502, "<html><body>Bad gateway</body></html>", ServerError, "HTML page"),
    ],
)
def test_error_for_reads_both_body_shapes(
    status: int, body: object, cls: type[Exception], message: str
) -> None:
    response = answer(status, body, headers={"x-request-id": "req_42"})
    error = PostPeerAdapter().error_for(response, response.text)
    assert type(error) is cls
    assert message in error.message
    assert "req_42" in error.message
    assert error.status_code == status


def test_a_code_in_the_body_is_kept() -> None:
    response = answer(403, {"success": False, "message": "Plan limit", "code": "plan_limit"})
    assert PostPeerAdapter().error_for(response, response.text).code == "plan_limit"


def test_rate_limit_carries_retry_after() -> None:
    response = answer(429, {"success": False, "message": "Too many requests"}, headers={"Retry-After": "7"})
    error = PostPeerAdapter().error_for(response, response.text)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.0


async def test_out_of_credits_fails_the_targets_with_the_error(either: Either, fake: FakePostPeer) -> None:
    fake.on("POST", "/v1/posts", answer(402, {"success": False, "message": "Insufficient credits"}))
    (result,) = (await either("publish", POST)).results
    assert result.status is Status.FAILED
    assert isinstance(result.exception, PaymentRequiredError)
    with pytest.raises(PaymentRequiredError, match="Insufficient credits"):
        result.raise_for_error()


async def test_a_429_with_retry_after_is_raised_for_reads(either: Either, fake: FakePostPeer) -> None:
    fake.on(
        "GET",
        "/v1/connect/integrations",
        answer(429, {"error": "slow down"}, headers={"Retry-After": "7"}),
    )
    either.pub.driver.retry = NO_RETRY
    with pytest.raises(RateLimitError) as caught:
        await either("accounts")
    assert caught.value.retry_after == 7.0
    assert fake.calls == 1


def test_the_sync_driver_waits_as_long_as_retry_after_says(fake: FakePostPeer) -> None:
    page = {"success": True, "total": 0, "integrations": []}
    fake.on(
        "GET",
        "/v1/connect/integrations",
        answer(429, {"error": "slow down"}, headers={"Retry-After": "7"}),
        answer(200, page),
    )
    slept: list[float] = []
    with sync_pub(fake, sleep=slept.append) as pub:
        assert pub.accounts() == []
    assert slept == [7.0]


async def test_a_publish_answer_without_post_id_is_in_doubt(either: Either, fake: FakePostPeer) -> None:
    fake.on("POST", "/v1/posts", answer(202, {"success": True, "status": "published", "platforms": []}))
    (result,) = (await either("publish", POST)).results
    assert result.status is Status.UNKNOWN
    assert isinstance(result.exception, ResponseError)


async def test_the_key_never_shows(
    either: Either, fake: FakePostPeer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="postmux")
    fake.on("POST", "/v1/posts", answer(401, {"error": f"Invalid access key {KEY}"}))
    (result,) = (await either("publish", POST)).results
    assert result.status is Status.FAILED
    assert isinstance(result.exception, PostmuxError)
    for text in (
        str(result.exception),
        repr(result.exception),
        getattr(result.exception, "body", "") or "",
        repr(either.pub),
    ):
        assert KEY not in text
    assert KEY not in caplog.text
    assert fake.requests[0].headers["x-access-key"] == KEY  # it was sent, to PostPeer only


def test_an_unreadable_body_is_a_response_error() -> None:
    from postmux.flow import step

    adapter = PostPeerAdapter()
    flow = adapter.status_many([])
    with pytest.raises(StopIteration):
        step(flow)
    flow2 = adapter.accounts()
    request = step(flow2)
    with pytest.raises(ResponseError):
        step(flow2, httpx.Response(200, text="<html>maintenance</html>", request=request))
