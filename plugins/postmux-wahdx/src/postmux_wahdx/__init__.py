"""postmux plugin for Wahdx ("Wahdx Connection"): TikTok, Instagram, Threads and Facebook.

Registered through the entry-point group ``postmux`` as the provider ``wahdx``.
"""

from __future__ import annotations

from collections.abc import Callable

import postmux

from .adapter import WahdxAdapter

__version__ = "0.1.0"

__all__ = ["WahdxAdapter"]


@postmux.hookimpl
def postmux_register_providers(register: Callable[[type[postmux.Adapter]], None]) -> None:
    """Offer the Wahdx adapter to postmux."""
    register(WahdxAdapter)


@postmux.hookimpl
def postmux_register_emulators(register: Callable[[str, object], None]) -> None:
    """Offer the Wahdx emulator to the sandbox (imported only when the sandbox builds it)."""

    def factory(**options: object) -> object:
        from .emulator import WahdxEmulator

        return WahdxEmulator(**options)

    register("wahdx", factory)
