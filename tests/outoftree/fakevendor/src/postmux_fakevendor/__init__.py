"""FakeVendor: a small vendor plugin for postmux, TikTok and Instagram videos, to test the shipped suite.

It plays a third party's plugin: registered through the ``postmux`` entry
point group, with an adapter, capabilities, a declared conformance limit and
an emulator on postmux's sandbox kit, and nothing from postmux's repository.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import postmux

from .adapter import FakeVendorAdapter

__all__ = ["FakeVendorAdapter"]


@postmux.hookimpl
def postmux_register_providers(register: Callable[[type[postmux.Adapter]], None]) -> None:
    """Offer the adapter."""
    register(FakeVendorAdapter)


@postmux.hookimpl
def postmux_register_emulators(register: Callable[[str, object], None]) -> None:
    """Offer the emulator (imported only when a sandbox builds it)."""

    def factory(**options: Any) -> object:  # the sandbox's keywords for Emulator.__init__, passed on
        from .emulator import FakeVendorEmulator

        return FakeVendorEmulator(**options)

    register("fakevendor", factory)
