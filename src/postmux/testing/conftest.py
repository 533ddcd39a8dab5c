"""The suite's ``vendor`` fixture, and the skips each vendor declares (``Adapter.conformance_limits``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from postmux.plugins import plugin_manager
from postmux.sandbox import Sandbox

from .support import PROVIDERS, Vendor


@pytest.fixture
def vendor(postmux_sandbox: Sandbox, provider: str, mode: str) -> Iterator[Vendor]:
    """``provider`` and ``mode`` come from each test's parametrization over :data:`support.CASES`."""
    v = Vendor(postmux_sandbox, provider, mode)
    try:
        yield v
    finally:
        v.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip, with its reason, each case a provider's adapter lists in ``conformance_limits``."""
    limits = {name: plugin_manager().get(name).conformance_limits for name in PROVIDERS}
    for item in items:
        module = getattr(getattr(item, "module", None), "__name__", "")
        callspec = getattr(item, "callspec", None)
        if not module.startswith(__package__ + ".") or callspec is None:
            continue
        provider = callspec.params.get("provider")
        reason = limits.get(provider, {}).get(getattr(item, "originalname", item.name))
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"{provider} declares: {reason}"))
