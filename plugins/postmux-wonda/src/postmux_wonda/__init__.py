"""postmux plugin for Wonda: TikTok and Instagram through ``api.wondercat.ai``.

Registered through the entry-point group ``postmux`` as the provider ``wonda``.
"""

from __future__ import annotations

from collections.abc import Callable

import postmux

from .adapter import WondaAdapter
from .errors import UploadError

__version__ = "0.1.0"

__all__ = ["UploadError", "WondaAdapter"]


@postmux.hookimpl
def postmux_register_providers(register: Callable[[type[postmux.Adapter]], None]) -> None:
    """Offer the Wonda adapter to postmux."""
    register(WondaAdapter)


@postmux.hookimpl
def postmux_register_emulators(register: Callable[[str, object], None]) -> None:
    """Offer the Wonda emulator to the sandbox (imported only when the sandbox builds it)."""

    def factory(**options: object) -> object:
        from .emulator import WondaEmulator

        return WondaEmulator(**options)

    register("wonda", factory)
