"""The guide's "Testing your app" examples run as they are written, in-process (no socket, no thread)."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable

import pytest

from postmux.sandbox import Sandbox, Timing

from .test_guide_choosing_a_vendor import GUIDE, section

BLOCKS = re.findall(r"```python\n(.*?)```", section("Testing your app"), flags=re.S)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples say "in-process": any connect or bind fails them.

    (Threads are allowed here: a publisher sends to several targets at once on
    its own pool; ``tests/sandbox/test_in_process.py`` shows the sandbox starts none.)
    """

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a guide example opened a socket")

    for name in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, name, refused)


def test_the_section_has_its_three_examples() -> None:
    assert len(BLOCKS) == 3


def test_the_first_two_examples_run_in_process(no_network: None) -> None:
    namespace: dict[str, object] = {}
    for block in BLOCKS[:2]:
        exec(compile(block, str(GUIDE), "exec"), namespace)  # one namespace: the blocks build on each other


def test_the_pytest_example_passes_with_the_fixture_it_names(no_network: None) -> None:
    """The example's test function, called with the sandbox its marker asks for."""
    namespace: dict[str, object] = {}
    exec(compile(BLOCKS[0] + BLOCKS[2], str(GUIDE), "exec"), namespace)
    test = namespace["test_a_status_hiccup_is_retried"]
    assert callable(test)
    marker = test.pytestmark[0]  # type: ignore[attr-defined]
    assert marker.name == "postmux_sandbox"
    options = dict(marker.kwargs)
    assert options.pop("in_process") is True
    run: Callable[[Sandbox], None] = test
    run(Sandbox(timing=Timing.instant(), **options))
