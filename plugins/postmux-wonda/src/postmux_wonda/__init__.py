"""postmux plugin for Wonda: TikTok and Instagram through ``api.wondercat.ai``.

Registered through the entry-point group ``postmux`` as the provider ``wonda``.
"""

from __future__ import annotations

import postmux

from .adapter import WondaAdapter
from .upload import UploadError

__version__ = "0.1.0"

__all__ = ["UploadError", "WondaAdapter"]


postmux_register_providers, postmux_register_emulators = postmux.plugin_hooks(
    WondaAdapter, emulator="postmux_wonda.emulator:WondaEmulator"
)
"""Offer the adapter to postmux, and the emulator to the sandbox (imported only when it builds it)."""
