"""The error tree, status mapping, error text, and keys that never show."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import httpx
import pytest

import postmux
from postmux import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    PostmuxError,
    Problem,
    ProviderError,
    Publication,
    Publisher,
    RateLimitError,
    ResponseError,
    RetryPolicy,
    Secret,
    ServerError,
    Status,
    Target,
    UnsupportedError,
    ValidationError,
)
from postmux.adapter import retry_after
from postmux.errors import BODY_LIMIT, error_for_status
from postmux.secrets import redact

from .fakes import KEY, FakeAdapter, Vendor, video_post


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (402, PaymentRequiredError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (410, NotFoundError),
        (422, InvalidRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (599, ServerError),
        (418, ProviderError),
        (451, ProviderError),
    ],
)
def test_error_for_status(status: int, cls: type[ProviderError]) -> None:
    err = error_for_status(status, "nope", provider="fake", code="c1", body="{}", retry_after=3.0)
    assert type(err) is cls
    assert isinstance(err, PostmuxError)
    assert (err.provider, err.status_code, err.code, err.message, err.body) == (
        "fake",
        status,
        "c1",
        "nope",
        "{}",
    )
    if cls is RateLimitError:
        assert isinstance(err, RateLimitError)
        assert err.retry_after == 3.0


def test_provider_error_text_and_repr() -> None:
    err = error_for_status(403, "plan lacks this", provider="fake", code="plan:free", body="x" * 5000)
    assert str(err) == "[fake 403 plan:free] plan lacks this"
    assert repr(err) == (
        "PermissionDeniedError(provider='fake', status_code=403, code='plan:free', message='plan lacks this')"
    )
    assert len(err.body or "") == BODY_LIMIT
    assert str(ProviderError("m", provider="p")) == "[p] m"


def test_response_error_keeps_a_short_body() -> None:
    err = ResponseError("bad", provider="fake", body="<html>" + "x" * 5000)
    assert str(err) == "[fake] bad"
    assert err.body is not None
    assert len(err.body) == BODY_LIMIT


def test_validation_error_lists_every_problem() -> None:
    err = ValidationError([Problem("text", "too long"), Problem("media[1]", "PNG")])
    assert str(err) == "2 problems: text: too long; media[1]: PNG"
    assert err.fields == ("text", "media[1]")
    assert isinstance(err, ValueError)
    one = UnsupportedError([Problem("tiktok.draft", "no", unsupported=True)])
    assert str(one) == "1 problem: tiktok.draft: no"
    assert isinstance(one, ValidationError)


def test_every_public_error_is_a_postmux_error() -> None:
    for name in postmux.__all__:
        obj = getattr(postmux, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, PostmuxError), name


def test_unknown_provider_error_lists_installed() -> None:
    err = postmux.UnknownProviderError("nope", ["b", "a"])
    assert "'nope'" in str(err)
    assert "b, a" in str(err)
    assert isinstance(err, postmux.ConfigurationError)
    assert "none" in str(postmux.UnknownProviderError("x", []))


def test_secret_hides_its_value() -> None:
    s = Secret(KEY)
    assert KEY not in repr(s)
    assert KEY not in str(s)
    assert KEY not in f"{s}"
    assert KEY not in f"{s!r}"
    assert repr(s) == "Secret('***')"
    assert s.reveal() == KEY
    assert s == Secret(KEY)
    assert s != Secret("other")
    assert hash(s) == hash(Secret(KEY))
    assert KEY not in repr([s, {"k": s}])
    with pytest.raises(TypeError):
        pickle.dumps(s)
    with pytest.raises(TypeError):
        Secret("")
    with pytest.raises(TypeError):
        Secret(None)  # type: ignore[arg-type]


def test_redact() -> None:
    assert redact(f"key={KEY}; again {KEY}", Secret(KEY)) == "key=***; again ***"
    assert redact("nothing here", Secret(KEY), None) == "nothing here"


def test_adapter_error_for_reads_common_shapes_and_scrubbed_body() -> None:
    adapter = FakeAdapter()
    req = httpx.Request("POST", "https://api.fake.test/posts")
    cases = [
        ({"message": "bad input", "code": "E1"}, "bad input", "E1"),
        ({"error": {"message": "nested", "code": "E2"}}, "nested", "E2"),
        ({"error": "plain"}, "plain", None),
        ([1, 2], "HTTP 400", None),
    ]
    for body, message, code in cases:
        resp = httpx.Response(400, json=body, request=req)
        err = adapter.error_for(resp, resp.text)
        assert (type(err), err.message, err.code) == (InvalidRequestError, message, code)
    html = httpx.Response(502, text="<html>bad gateway</html>", request=req)
    assert adapter.error_for(html, html.text).message == "HTTP 502: the vendor answered with an HTML page"
    limited = httpx.Response(429, headers={"Retry-After": "12"}, json={}, request=req)
    err = adapter.error_for(limited, "{}")
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 12.0


def test_retry_after_header_forms() -> None:
    def r(value: str) -> float | None:
        return retry_after(httpx.Response(429, headers={"Retry-After": value}))

    assert r("5") == 5.0
    assert r("-3") == 0.0
    assert r("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert r("soon") is None
    assert retry_after(httpx.Response(429)) is None


def test_a_retry_after_date_naming_no_zone_is_read_as_utc() -> None:
    """RFC 5322's ``-0000`` (UTC, no zone named): email.utils reads it naive, which made a TypeError."""
    past = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 -0000"})
    assert retry_after(past) == 0.0
    soon = (datetime.now(UTC) + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S -0000")
    hint = retry_after(httpx.Response(503, headers={"Retry-After": soon}))
    assert hint is not None
    assert 80 <= hint <= 90


def test_a_429_with_such_a_retry_after_is_a_rate_limit_not_a_plugin_error() -> None:
    """Before: a raw TypeError from status(), and a publish the vendor refused recorded ``unknown``."""
    refused = httpx.Response(
        429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 -0000"}, json={"message": "slow down"}
    )
    vendor = Vendor({"POST /posts": refused, "GET /posts/p-1": refused})
    followed = Publication(target=Target("tiktok", "a"), provider="fake", status=Status.PROCESSING, id="p-1")
    no_retry = RetryPolicy(max_retries=0)
    with Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), retry=no_retry) as pub:
        (publication,) = pub.publish(video_post("tiktok:a"))
        with pytest.raises(RateLimitError):
            pub.status(followed)
    assert publication.status is Status.FAILED
    assert isinstance(publication.exception, RateLimitError)
