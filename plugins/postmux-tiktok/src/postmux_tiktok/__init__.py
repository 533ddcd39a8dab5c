"""postmux plugin for TikTok's own Content Posting API: provider ``tiktok``, a token per creator."""

from __future__ import annotations

import postmux

from .adapter import TikTokAdapter
from .oauth import FileCredentials, refresher

__version__ = "0.1.0"

__all__ = ["FileCredentials", "TikTokAdapter", "refresher"]


postmux_register_providers, postmux_register_emulators = postmux.plugin_hooks(
    TikTokAdapter, emulator="postmux_tiktok.emulator:TikTokEmulator"
)
"""Offer the adapter to postmux, and the emulator to the sandbox (imported only when it builds it)."""
