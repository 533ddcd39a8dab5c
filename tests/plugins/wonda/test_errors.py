"""Every documented Wonda error code → the right postmux error, with ``.code`` kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from postmux import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    Post,
    ProviderError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Status,
)
from postmux.vocabulary import seconds_until as defer_seconds
from postmux_wonda import WondaAdapter
from postmux_wonda.vocabulary import CODES

from .helpers import JOB_ID, KEY, Recorder, answer, async_publisher, sync_publisher, wonda_server

ADAPTER = WondaAdapter()

DOCUMENTED = [
    (400, "validation_error", InvalidRequestError),
    (400, "bad_request", InvalidRequestError),
    (400, "unknown_project", InvalidRequestError),
    (401, "unauthorized", AuthenticationError),
    (402, "payment_required", PaymentRequiredError),
    (402, "insufficient_credits", PaymentRequiredError),
    (403, "forbidden", PermissionDeniedError),
    (403, "feature_disabled", PermissionDeniedError),
    (404, "not_found", NotFoundError),
    (409, "conflict", ConflictError),
    (409, "project_exists", ConflictError),
    (410, "gone", NotFoundError),
    (429, "rate_limit_exceeded", RateLimitError),
    (429, "throttled", RateLimitError),
    (500, "internal_server_error", ServerError),
]


def error(status: int, body: str, **headers: str) -> ProviderError:
    request = httpx.Request("POST", "https://api.wondercat.ai/api/v1/publish/tiktok")
    response = httpx.Response(status, text=body, headers=headers, request=request)
    return ADAPTER.error_for(response, body)


def envelope(message: str, code: str, **extra: object) -> str:
    import json

    return json.dumps({"error": {"message": message, "code": code, **extra}})


def test_the_table_covers_every_documented_code() -> None:
    assert set(CODES) == {code for _, code, _ in DOCUMENTED}


@pytest.mark.parametrize(("status", "code", "cls"), DOCUMENTED)
def test_documented_code_maps_to_its_class(status: int, code: str, cls: type[ProviderError]) -> None:
    e = error(status, envelope(f"about {code}", code))
    assert type(e) is cls
    assert (e.status_code, e.code, e.message, e.provider) == (status, code, f"about {code}", "wonda")


def test_the_code_decides_when_the_status_disagrees() -> None:
    e = error(400, envelope("Scheduled publishing is not enabled", "feature_disabled"))
    assert isinstance(e, PermissionDeniedError)
    assert (e.status_code, e.code) == (400, "feature_disabled")


def test_an_unknown_code_falls_back_to_the_status() -> None:
    e = error(409, envelope("busy", "brand_new_code"))
    assert isinstance(e, ConflictError)
    assert e.code == "brand_new_code"


def test_a_plain_string_error_is_read() -> None:
    e = error(404, '{"error": "API not enabled for the account"}')
    assert isinstance(e, NotFoundError)
    assert (e.message, e.code) == ("API not enabled for the account", None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html><body>502 Bad Gateway</body></html>", "HTTP 502: Wonda answered with an HTML page"),
        ("upstream timed out", "upstream timed out"),
        ("", "HTTP 502"),
        ("[1, 2]", "HTTP 502"),
    ],
)
def test_bodies_that_are_not_the_envelope_still_make_a_server_error(body: str, message: str) -> None:
    e = error(502, body)
    assert isinstance(e, ServerError)
    assert e.message == message


def test_retry_after_header_wins() -> None:
    e = error(
        429, envelope("slow down", "throttled", deferUntil="2099-01-01T00:00:00Z"), **{"Retry-After": "7"}
    )
    assert isinstance(e, RateLimitError)
    assert e.retry_after == 7.0


def test_defer_until_is_the_hint_without_retry_after() -> None:
    e = error(429, envelope("slow down", "rate_limit_exceeded", deferUntil=30))
    assert isinstance(e, RateLimitError)
    assert e.retry_after == 30.0


NOW = datetime(2026, 6, 20, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2026-06-20T14:30:12Z", 12.0),
        ("2026-06-20T16:30:12+02:00", 12.0),
        ("2026-06-20T14:29:00Z", 0.0),
        (NOW.timestamp() + 5, 5.0),
        ((NOW.timestamp() + 9) * 1000, 9.0),
        (15, 15.0),
        ("15", 15.0),
        ("soon", None),
        (None, None),
        (True, None),
        ({"at": 1}, None),
    ],
)
def test_defer_until_forms(value: object, seconds: float | None) -> None:
    got = defer_seconds(value, now=NOW)
    assert got == (pytest.approx(seconds) if seconds is not None else None)


def test_a_throttled_publish_is_a_failed_target_never_resent() -> None:
    throttled = envelope("slow down", "throttled", deferUntil=1)
    recorder = Recorder(wonda_server(**{"/publish/tiktok": lambda _: answer_429(throttled)}))
    post = Post(media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:acc-1"])
    with sync_publisher(recorder, retry=RetryPolicy(max_retries=0)) as pub:
        (p,) = pub.publish(post)
    assert (p.status, p.error_code) == (Status.FAILED, "throttled")
    assert isinstance(p.exception, RateLimitError)
    assert p.exception.retry_after == 1.0
    assert p.error is not None
    assert KEY not in p.error
    assert KEY not in repr(p.exception)
    assert len(recorder.publish_requests()) == 1


def answer_429(body: str) -> httpx.Response:
    return httpx.Response(429, text=body, headers={"Content-Type": "application/json"})


def test_an_unauthorized_key_fails_every_target_the_same_way_async() -> None:
    unauthorized = answer({"error": {"message": "Invalid API key", "code": "unauthorized"}}, 401)
    recorder = Recorder(wonda_server(**{"/publish/tiktok": lambda _: unauthorized}))
    post = Post(media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:acc-1", "tiktok:acc-2"])

    async def go() -> list[str | None]:
        async with async_publisher(recorder) as apub:
            report = await apub.publish(post)
        return [p.error_code for p in report]

    assert asyncio.run(go()) == ["unauthorized", "unauthorized"]


@pytest.mark.parametrize(
    ("body", "error", "outcome"),
    [
        # Wonda's errors page: 404 not_found "also API not enabled for the account": no proof of absence
        (
            {"error": {"message": "API not enabled for the account", "code": "not_found"}},
            ProviderError,
            Status.UNKNOWN,
        ),
        ({"error": "API not enabled for the account"}, ProviderError, Status.UNKNOWN),
        ({"error": {"message": "Job not found", "code": "not_found"}}, NotFoundError, Status.FAILED),
    ],
)
def test_a_job_404_because_the_api_is_not_enabled_is_no_proof_the_post_is_absent(
    body: dict[str, object], error: type[ProviderError], outcome: Status
) -> None:
    """reconcile reads a job's 404 as "absent" and releases the target; a disabled API says nothing
    of the job (a re-run, once the API is enabled again, would post the video a second time)."""
    from postmux import Publication, Target

    recorder = Recorder(wonda_server(**{f"/jobs/publish/{JOB_ID}": lambda _: answer(body, 404)}))
    ghost = Publication(
        target=Target("tiktok", "@brand"),
        provider="wonda",
        status=Status.UNKNOWN,
        id=JOB_ID,
        account_id="550e8400-e29b-41d4-a716-446655440000",
        state={"endpoint": "/publish/tiktok"},
    )
    with sync_publisher(recorder, retry=RetryPolicy(max_retries=0)) as pub:
        with pytest.raises(ProviderError) as caught:
            pub.status(ghost)
        (settled,) = pub.reconcile([ghost], absent_after=0)
    assert type(caught.value) is error
    assert settled.status is outcome
    assert (settled.error_code == "not_found_at_vendor") is (outcome is Status.FAILED)


def test_an_extras_post_mode_inbox_is_read_back_as_a_draft() -> None:
    """``Post.extras["wonda"]["postMode"] = "inbox"`` is sent, so its succeeded job is ``inbox``."""
    from postmux import Post, Target

    recorder = Recorder(
        wonda_server(**{f"/jobs/publish/{JOB_ID}": lambda _: answer({"status": "succeeded"})})
    )
    post = Post(
        text="a draft",
        media=["https://cdn.example.com/clip.mp4"],
        targets=[Target("tiktok", "550e8400-e29b-41d4-a716-446655440000")],
        extras={"wonda": {"postMode": "inbox"}},
    )
    with sync_publisher(recorder) as pub:
        (made,) = pub.publish(post)
        assert recorder.json(-1)["postMode"] == "inbox"
        checked = pub.status(made)
    assert checked.status is Status.INBOX
