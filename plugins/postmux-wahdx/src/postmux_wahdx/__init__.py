"""postmux plugin for Wahdx ("Wahdx Connection"): TikTok, Instagram, Threads and Facebook.

Registered through the entry-point group ``postmux`` as the provider ``wahdx``.
"""

from __future__ import annotations

import postmux

from .adapter import WahdxAdapter

__version__ = "0.1.0"

__all__ = ["WahdxAdapter"]


postmux_register_providers, postmux_register_emulators = postmux.plugin_hooks(
    WahdxAdapter, emulator="postmux_wahdx.emulator:WahdxEmulator"
)
"""Offer the adapter to postmux, and the emulator to the sandbox (imported only when it builds it)."""
