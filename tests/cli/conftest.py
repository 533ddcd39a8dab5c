"""The fixture every CLI test that talks to a running sandbox shares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postmux.cli.state import remove_sandbox_state, write_sandbox_state
from postmux.sandbox import Sandbox, Timing


@pytest.fixture
def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A sandbox as `postmux sandbox` would leave it: serving, with its state file written."""
    monkeypatch.setenv("POSTMUX_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("POSTMUX_PROVIDER", raising=False)
    with Sandbox(timing=Timing.instant()) as sandbox:
        write_sandbox_state(sandbox.describe())
        yield sandbox
        remove_sandbox_state()
