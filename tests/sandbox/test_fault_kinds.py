"""Each fault kind reaches the right error class or publication status, and nothing posts twice."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import postmux
from postmux import Post, RetryPolicy, Status, Target
from postmux.sandbox import Sandbox

FAST = RetryPolicy(max_retries=2, backoff=0.01, max_backoff=0.02)
PUBLISH = "wahdx:POST /api/content/post"


def _pub(sandbox: Sandbox, ledger: Path | None = None) -> postmux.Publisher:
    return sandbox.publisher("wahdx", retry=FAST, ledger=ledger)


def _post(sandbox: Sandbox, platform: str = "instagram", text: str = "fault test") -> Post:
    return Post(
        text=text, media=[sandbox.sample_url("clip.mp4")], targets=[Target(platform, f"@sandbox_{platform}")]
    )


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults=f"{PUBLISH}=drop-after")
def test_drop_after_processing_is_unknown_and_posted_once(postmux_sandbox: Sandbox, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.db"
    (p,) = _pub(postmux_sandbox, ledger=ledger).publish(_post(postmux_sandbox))
    assert p.status is Status.UNKNOWN
    assert postmux_sandbox.emulator("wahdx").published() == 1
    postmux_sandbox.clear_faults()
    (again,) = _pub(postmux_sandbox, ledger=ledger).publish(_post(postmux_sandbox))
    assert again.status is Status.UNKNOWN  # in doubt: the ledger refuses to send it again
    assert postmux_sandbox.emulator("wahdx").published() == 1


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults=f"{PUBLISH}=drop-before")
def test_drop_before_processing_is_unknown_and_nothing_was_posted(postmux_sandbox: Sandbox) -> None:
    (p,) = _pub(postmux_sandbox).publish(_post(postmux_sandbox))
    assert p.status is Status.UNKNOWN
    assert isinstance(p.exception, postmux.TransportError)
    assert postmux_sandbox.emulator("wahdx").published() == 0


@pytest.mark.postmux_sandbox(
    providers=["wahdx"], faults="wahdx:GET /api/content/accounts=drop-before:times=1"
)
def test_a_dropped_read_is_retried(postmux_sandbox: Sandbox) -> None:
    assert _pub(postmux_sandbox).accounts()
    assert postmux_sandbox.emulator("wahdx").requests.count(("GET", "/api/content/accounts")) == 1


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults=f"{PUBLISH}=429:retry-after=0,times=1")
def test_429_with_retry_after_is_retried_and_posts_once(postmux_sandbox: Sandbox) -> None:
    (p,) = _pub(postmux_sandbox).publish(_post(postmux_sandbox))
    assert p.status is Status.PUBLISHED
    assert postmux_sandbox.emulator("wahdx").published() == 1


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults=f"{PUBLISH}=429:retry-after=120")
def test_429_beyond_what_is_worth_waiting_fails_with_rate_limit_error(postmux_sandbox: Sandbox) -> None:
    (p,) = _pub(postmux_sandbox).publish(_post(postmux_sandbox))
    assert p.status is Status.FAILED
    assert isinstance(p.exception, postmux.RateLimitError)
    assert p.exception.retry_after == 120
    assert postmux_sandbox.emulator("wahdx").published() == 0


@pytest.mark.parametrize("code", ["500", "502"])
def test_5xx_on_a_publish_is_unknown(code: str) -> None:
    with Sandbox(["wahdx"], timing=postmux.sandbox.Timing.instant(), faults=f"{PUBLISH}={code}") as sandbox:
        (p,) = _pub(sandbox).publish(_post(sandbox))
        assert p.status is Status.UNKNOWN
        assert isinstance(p.exception, postmux.ServerError)
        assert p.exception.status_code == int(code)


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults=f"{PUBLISH}=503:retry-after=0,times=1")
def test_503_with_retry_after_is_retried(postmux_sandbox: Sandbox) -> None:
    (p,) = _pub(postmux_sandbox).publish(_post(postmux_sandbox))
    assert p.status is Status.PUBLISHED


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults="wahdx:GET /api/content/accounts=html:status=502")
def test_an_html_error_page_is_a_server_error_without_the_page(postmux_sandbox: Sandbox) -> None:
    with pytest.raises(postmux.ServerError) as info:
        _pub(postmux_sandbox).accounts()
    assert "HTML" in str(info.value)


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults=f"{PUBLISH}=truncated")
def test_truncated_json_is_unknown_and_the_post_exists(postmux_sandbox: Sandbox) -> None:
    (p,) = _pub(postmux_sandbox).publish(_post(postmux_sandbox))
    assert p.status is Status.UNKNOWN
    assert isinstance(p.exception, postmux.ResponseError)
    assert postmux_sandbox.emulator("wahdx").published() == 1


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults=f"{PUBLISH}=stuck")
def test_a_stuck_publication_stays_processing(postmux_sandbox: Sandbox) -> None:
    pub = _pub(postmux_sandbox)
    report = pub.publish(_post(postmux_sandbox, "tiktok"))
    with pytest.raises(postmux.TimeoutError) as info:
        pub.wait(report, timeout=0.3, interval=0.05)
    assert isinstance(info.value.report, postmux.PublishReport)
    assert info.value.report[0].status is Status.PROCESSING


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults=f"{PUBLISH}=fail:reason=duration_check_failed")
def test_a_failing_publication_ends_failed_with_the_reason(postmux_sandbox: Sandbox) -> None:
    pub = _pub(postmux_sandbox)
    (p,) = pub.wait(pub.publish(_post(postmux_sandbox, "tiktok")), timeout=5, interval=0.02)
    assert p.status is Status.FAILED
    assert p.error == "duration_check_failed"


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults="wahdx:GET /api/content/accounts=latency=150ms±20")
def test_latency_delays_the_answer(postmux_sandbox: Sandbox) -> None:
    started = time.monotonic()
    _pub(postmux_sandbox).accounts()
    assert time.monotonic() - started >= 0.12


def test_faults_are_injected_per_route_from_python(postmux_sandbox: Sandbox) -> None:
    postmux_sandbox.inject("wonda:POST /publish/tiktok=500")
    wahdx = _pub(postmux_sandbox).publish(_post(postmux_sandbox, "tiktok"))
    assert wahdx[0].status is Status.PROCESSING  # wahdx is untouched by a wonda rule
    wonda = postmux_sandbox.publisher("wonda", retry=FAST)
    (p,) = wonda.publish(_post(postmux_sandbox, "tiktok"))
    assert p.status is Status.UNKNOWN
    with pytest.raises(postmux.ConfigurationError):
        postmux_sandbox.inject("nosuchvendor:GET /x=500")
