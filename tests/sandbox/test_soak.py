"""The soak, small: under every fault kind on every route, nothing lost, nothing twice, nothing contradicted.

``benchmarks/soak.py`` prints the figures for 1,000 posts a vendor; this runs
its code on a few posts so that a regression (a raise after the first byte, a
resend, a status the sandbox contradicts, an unknown PostPeer cannot settle)
fails the suite.
"""

from __future__ import annotations

import pytest
from benchmarks.soak import KINDS, fault_plan, soak

from postmux.sandbox import ROLES, FaultKind, parse_faults


def test_the_plan_has_every_kind_on_every_role_at_the_chance_it_names() -> None:
    rules = parse_faults(fault_plan(0.2))
    assert {(f.kind, f.role) for f in rules} == {(k, r) for k in FaultKind for r in ROLES}
    chance_none = 1.0
    for f in rules:
        if f.role == "status" and f.kind is not FaultKind.LATENCY:
            chance_none *= 1 - f.probability
    assert abs((1 - chance_none) - 0.2) < 1e-4  # one fault of some kind per request, p = 0.2
    assert len(KINDS) == len(FaultKind)  # all but latency, and 503 both with and without Retry-After


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("vendor", ["postpeer", "wahdx", "wonda"])
def test_nothing_is_lost_sent_twice_or_contradicted(vendor: str, mode: str) -> None:
    outcome = soak(vendor, mode, 15, seed=7, patience=1.0)
    assert outcome.targets == 30
    assert (outcome.duplicates, outcome.lost, outcome.contradictions) == (0, 0, 0), outcome.examples
    if vendor == "postpeer":
        assert outcome.unknown_after == 0, outcome.reasons
    else:  # only what the API cannot check is left, each saying what to check
        assert all("check the" in reason or "answer" in reason for reason in outcome.reasons)
