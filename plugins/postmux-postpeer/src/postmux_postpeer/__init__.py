"""postmux plugin for PostPeer: TikTok, Instagram, Threads, Facebook and YouTube in one request.

Registered through the entry-point group ``postmux`` as the provider ``postpeer``.
"""

from __future__ import annotations

from collections.abc import Callable

import postmux

from .adapter import PostPeerAdapter

__version__ = "0.1.0"

__all__ = ["PostPeerAdapter"]


@postmux.hookimpl
def postmux_register_providers(register: Callable[[type[postmux.Adapter]], None]) -> None:
    """Offer the PostPeer adapter to postmux."""
    register(PostPeerAdapter)


@postmux.hookimpl
def postmux_register_emulators(register: Callable[[str, object], None]) -> None:
    """Offer the PostPeer emulator to the sandbox (imported only when the sandbox builds it)."""

    def factory(**options: object) -> object:
        from .emulator import PostPeerEmulator

        return PostPeerEmulator(**options)

    register("postpeer", factory)
