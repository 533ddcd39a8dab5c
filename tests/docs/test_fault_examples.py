"""The fault examples of docs/sandbox-and-cli.md parse, print back, and fire as the doc says."""

from __future__ import annotations

import random
import re
from pathlib import Path

import attrs
import pytest

from postmux import Post, Status, Target
from postmux.sandbox import ROLES, FaultKind, FaultPlan, Sandbox, parse_faults

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox-and-cli.md"


def _examples() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- fault-examples -->\s*```text\n(.*?)```\s*<!-- /fault-examples -->", text, re.S)
    assert block is not None, "the fault examples block is missing from the doc"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


EXAMPLES = _examples()


def test_the_doc_has_examples_of_every_modifier_and_kind_it_names() -> None:
    faults = [parse_faults(e)[0] for e in EXAMPLES]
    assert any(f.after and f.times for f in faults)
    assert {f.kind for f in faults} >= {FaultKind.FAIL, FaultKind.HTML, FaultKind.LATENCY}
    text = DOC.read_text(encoding="utf-8")
    for kind in FaultKind:
        assert f"| `{kind.value}" in text or f"`{kind.value}`" in text, f"{kind.value} is not documented"
    for modifier in ("times=N", "after=N", "p=0.25", "retry-after=N", "status=N", "reason=TEXT"):
        assert f"`{modifier}`" in text


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_parses_and_prints_back(example: str) -> None:
    (fault,) = parse_faults(example)
    (again,) = parse_faults(str(fault))
    assert again == fault


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_fires_as_its_modifiers_say(example: str) -> None:
    """Applied to matching requests: ``after`` let through, then ``times`` fired, then none."""
    (fault,) = parse_faults(example)
    if fault.probability < 1:
        fault = attrs.evolve(fault, probability=1.0)
    plan = FaultPlan([fault])
    method = fault.method or "GET"
    path = (fault.path or "/x").replace("*", "abc")
    roles = [fault.role] if fault.role else []
    rng = random.Random(0)
    fired = [bool(plan.pick(fault.provider or "any", method, [path], rng, roles)) for _ in range(8)]
    fires = fault.times if fault.times is not None else 8 - fault.after
    assert fired == [False] * fault.after + [True] * fires + [False] * (8 - fault.after - fires)


def test_the_headline_example_against_the_emulator() -> None:
    """``500:after=2:times=1``: two posts go through, the third meets a 500, the fourth goes through."""
    with Sandbox(providers=["wahdx"], faults=EXAMPLES[0]) as sandbox:
        pub = sandbox.publisher("wahdx", retry=None)
        outcomes = []
        for n in range(4):
            post = Post(
                text=f"post {n}",
                media=[sandbox.sample_url("clip.mp4")],
                targets=[Target("tiktok", "@sandbox_tiktok")],
            )
            (p,) = pub.publish(post).results
            outcomes.append(p.status)
        assert outcomes[2] is Status.UNKNOWN  # a 500 after sending: never resent on its own
        assert Status.UNKNOWN not in outcomes[:2] + outcomes[3:]


ROLE_EXAMPLES = [e for e in EXAMPLES if parse_faults(e)[0].role is not None]


def test_the_doc_has_role_examples_for_every_role() -> None:
    assert {parse_faults(e)[0].role for e in ROLE_EXAMPLES} == set(ROLES)
    assert any(parse_faults(e)[0].provider is None for e in ROLE_EXAMPLES)  # the * form


@pytest.mark.parametrize("example", ROLE_EXAMPLES)
def test_each_role_example_hits_every_bundled_emulator_with_that_role(example: str) -> None:
    """A concrete request to each declared route of the role is picked by the rule; others are not."""
    (fault,) = parse_faults(example)
    sandbox = Sandbox(faults=example)
    hit = 0
    for name, emulator in sandbox.emulators.items():
        for role, routes in emulator.roles().items():
            for route in routes:
                method, _, glob = route.partition(" ")
                path = emulator.base_path + glob.replace("*", "abc")
                picked = FaultPlan([attrs.evolve(fault, times=None)]).pick(
                    name, method, [path], random.Random(0), emulator.roles_of(method, path)
                )
                wanted = role == fault.role and fault.provider in (None, name)
                assert bool(picked) is wanted, (name, route)
                hit += wanted
    assert hit, f"{example} hits no bundled emulator"


def test_the_publish_role_example_against_every_emulator() -> None:
    """``*:publish=drop-after``: unknown at each vendor, received once, published once settled."""
    with Sandbox(faults="*:publish=drop-after") as sandbox:
        for name, emulator in sandbox.emulators.items():
            post = Post(
                text="x",
                media=[sandbox.sample_url("clip.mp4")],
                targets=[Target("tiktok", "@sandbox_tiktok")],
            )
            (p,) = sandbox.publisher(name, retry=None).publish(post)
            sandbox.settle()
            assert (p.status, emulator.received(), emulator.published()) == (Status.UNKNOWN, 1, 1), name
