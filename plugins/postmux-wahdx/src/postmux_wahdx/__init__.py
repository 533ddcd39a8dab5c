"""postmux plugin for Wahdx ("Wahdx Connection"): TikTok, Instagram, Threads and Facebook.

Registered through the entry-point group ``postmux`` as the provider ``wahdx``.
"""

from __future__ import annotations

from collections.abc import Callable

import postmux

from .adapter import WahdxAdapter

__all__ = ["WahdxAdapter"]


@postmux.hookimpl
def postmux_register_providers(register: Callable[[type[postmux.Adapter]], None]) -> None:
    """Offer the Wahdx adapter to postmux."""
    register(WahdxAdapter)
