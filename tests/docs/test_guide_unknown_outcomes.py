"""The guide's "When the outcome is unknown" examples run as they are written, in-process."""

from __future__ import annotations

import re

from .test_guide_choosing_a_vendor import GUIDE, section
from .test_guide_testing_your_app import no_network

__all__ = ["no_network"]  # the fixture: the examples open no socket

BLOCKS = re.findall(r"```python\n(.*?)```", section("When the outcome is unknown"), flags=re.S)


def test_the_section_has_its_three_examples_found_absent_and_uncheckable() -> None:
    assert len(BLOCKS) == 3
    assert "reconcile" in BLOCKS[0]
    assert "not_found_at_vendor" in BLOCKS[1]
    assert "capabilities.reconcile" in BLOCKS[2]


def test_the_examples_run_in_process(no_network: None) -> None:
    namespace: dict[str, object] = {}
    for block in BLOCKS:
        exec(compile(block, str(GUIDE), "exec"), namespace)  # one namespace: the blocks build on each other
