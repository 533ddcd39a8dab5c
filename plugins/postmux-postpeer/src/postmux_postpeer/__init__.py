"""postmux plugin for PostPeer: TikTok, Instagram, Threads, Facebook and YouTube in one request.

Registered through the entry-point group ``postmux`` as the provider ``postpeer``.
"""

from __future__ import annotations

import postmux

from .adapter import PostPeerAdapter

__version__ = "0.1.0"

__all__ = ["PostPeerAdapter"]


postmux_register_providers, postmux_register_emulators = postmux.plugin_hooks(
    PostPeerAdapter, emulator="postmux_postpeer.emulator:PostPeerEmulator"
)
"""Offer the adapter to postmux, and the emulator to the sandbox (imported only when it builds it)."""
