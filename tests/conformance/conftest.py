"""The ``vendor`` fixture: one installed provider, sync or async, with its emulator running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from postmux.sandbox import Sandbox

from .support import Vendor


@pytest.fixture
def vendor(postmux_sandbox: Sandbox, provider: str, mode: str) -> Iterator[Vendor]:
    """``provider`` and ``mode`` come from each test's parametrization over :data:`support.CASES`."""
    v = Vendor(postmux_sandbox, provider, mode)
    try:
        yield v
    finally:
        v.close()
