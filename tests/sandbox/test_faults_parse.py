"""The fault rule syntax: the same rules from Python and from the command line."""

from __future__ import annotations

import random

import pytest

from postmux.sandbox.faults import FaultKind, FaultPlan, FaultSyntaxError, parse_faults


@pytest.mark.parametrize(
    ("text", "kind", "provider", "method", "path"),
    [
        (
            "wahdx:POST /api/content/post=drop-after",
            FaultKind.DROP_AFTER,
            "wahdx",
            "POST",
            "/api/content/post",
        ),
        ("429:retry-after=2", FaultKind.RATE_LIMIT, None, None, None),
        ("latency=200ms±50", FaultKind.LATENCY, None, None, None),
        ("GET /jobs/*=stuck", FaultKind.STUCK, None, "GET", "/jobs/*"),
        ("postpeer:=503:times=1", FaultKind.UNAVAILABLE, "postpeer", None, None),
        ("wonda:/publish/*=html:status=504", FaultKind.HTML, "wonda", None, "/publish/*"),
        ("truncated", FaultKind.TRUNCATED, None, None, None),
    ],
)
def test_rules_read_scope_and_kind(
    text: str, kind: FaultKind, provider: str | None, method: str | None, path: str | None
) -> None:
    (fault,) = parse_faults(text)
    assert (fault.kind, fault.provider, fault.method, fault.path) == (kind, provider, method, path)


def test_parameters_and_latency_units() -> None:
    rate, slow, html = parse_faults(
        "429:retry-after=2,times=3,after=1,p=0.5; latency=0.2s+-50; html:status=504"
    )
    assert (rate.retry_after, rate.times, rate.after, rate.probability) == (2.0, 3, 1, 0.5)
    assert slow.latency == pytest.approx(0.2)
    assert slow.jitter == pytest.approx(0.05)
    assert html.status == 504


@pytest.mark.parametrize(
    "bad", ["boom", "latency", "429:wat=1", "429:p=2", "wahdx:FETCH /x=500", "latency=fast"]
)
def test_bad_rules_say_why(bad: str) -> None:
    with pytest.raises(FaultSyntaxError):
        parse_faults(bad)


def test_rules_print_back_in_their_own_syntax() -> None:
    for text in (
        "wahdx:POST /api/content/post=drop-after",
        "429:retry-after=2,times=1",
        "latency=200ms±50ms",
    ):
        (fault,) = parse_faults(text)
        assert parse_faults(str(fault)) == [fault]


def test_times_and_after_count_matching_requests_only() -> None:
    plan = FaultPlan("POST /a=500:after=1,times=2")
    rng = random.Random(0)
    fired = [bool(plan.pick("x", "POST", ["/a"], rng)) for _ in range(5)]
    assert fired == [False, True, True, False, False]
    assert plan.pick("x", "GET", ["/a"], rng) == []


def test_probability_is_deterministic_for_a_seed() -> None:
    def run(seed: int) -> list[bool]:
        plan, rng = FaultPlan("500:p=0.5"), random.Random(seed)
        return [bool(plan.pick("x", "GET", ["/"], rng)) for _ in range(40)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert 5 < sum(run(7)) < 35


def test_latency_rules_combine_with_one_action() -> None:
    plan = FaultPlan("latency=10ms; 500; 502")
    kinds = [f.kind for f in plan.pick("x", "GET", ["/"], random.Random(0))]
    assert kinds == [FaultKind.LATENCY, FaultKind.SERVER_ERROR]


@pytest.mark.parametrize("bad", ["html:status=99999", "html:status=-5", "html:status=0", "html:status=5020"])
def test_an_html_status_that_is_no_http_status_is_refused_when_read(bad: str) -> None:
    # accepted, it failed inside the server at each matching request: the client saw a dropped connection
    with pytest.raises(FaultSyntaxError, match="status must be an HTTP status"):
        parse_faults(bad)
