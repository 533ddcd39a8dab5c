"""postmux plugin for TikTok's own Content Posting API (``open.tiktokapis.com``), no aggregator between.

Registered through the entry-point group ``postmux`` as the provider ``tiktok``.
Tokens belong to creators: give ``postmux.publisher("tiktok", credentials=…)``
a credential source (:class:`FileCredentials`, or the core's
``MemoryCredentials``) with :meth:`TikTokOAuth.refresh` as its refresh hook.
"""

from __future__ import annotations

import postmux

from .adapter import TikTokAdapter
from .oauth import FileCredentials, TikTokOAuth

__version__ = "0.1.0"

__all__ = ["FileCredentials", "TikTokAdapter", "TikTokOAuth"]


postmux_register_providers, postmux_register_emulators = postmux.plugin_hooks(
    TikTokAdapter, emulator="postmux_tiktok.emulator:TikTokEmulator"
)
"""Offer the adapter to postmux, and the emulator to the sandbox (imported only when it builds it)."""
