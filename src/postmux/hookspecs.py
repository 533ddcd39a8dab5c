"""The hooks a postmux plugin can implement (pluggy project name ``postmux``).

A plugin is a module listed under the entry-point group ``postmux`` that
implements some of these with :data:`hookimpl`, in the manner of simonw/llm::

    import postmux

    @postmux.hookimpl
    def postmux_register_providers(register):
        register(MyVendorAdapter)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .adapter import Adapter
    from .hosting import MediaHostFactory
    from .results import Publication

__all__ = ["hookimpl", "hookspec", "plugin_hooks"]

PROJECT = "postmux"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def postmux_register_providers(register: Callable[[type[Adapter]], None]) -> None:
    """Register adapter classes: call ``register(AdapterClass)`` once for each vendor."""


@hookspec
def postmux_register_emulators(register: Callable[[str, Any], None]) -> None:
    """Register a vendor emulator for the sandbox: ``register(provider_name, factory)``."""


@hookspec
def postmux_publish_finished(publication: Publication) -> None:
    """Called once for every target of every publish, with its outcome."""


@hookspec
def postmux_register_media_hosts(register: Callable[[str, MediaHostFactory], None]) -> None:
    """Register kinds of media host: ``register(scheme, factory)``.

    ``factory(spec)`` makes a :class:`~postmux.MediaHost` from a spec whose
    scheme is ``scheme`` (``"s3://bucket/prefix"`` for ``"s3"``), as given in
    ``POSTMUX_MEDIA_HOST`` or ``media_host=``.
    """


def plugin_hooks(
    adapter: type[Adapter], *, emulator: str | None = None
) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two hooks of a one-vendor plugin, for its ``__init__`` to bind by name::

        postmux_register_providers, postmux_register_emulators = postmux.plugin_hooks(
            AcmeAdapter, emulator="postmux_acme.emulator:AcmeEmulator"
        )

    ``emulator`` (``"module:Class"``) is imported only when the sandbox builds
    it, so a plugin without the sandbox extra still loads.
    """

    @hookimpl
    def postmux_register_providers(register: Callable[[type[Adapter]], None]) -> None:
        register(adapter)

    @hookimpl
    def postmux_register_emulators(register: Callable[[str, Any], None]) -> None:
        if emulator is None:
            return
        module, _, name = emulator.partition(":")

        def factory(**options: object) -> object:
            import importlib

            return getattr(importlib.import_module(module), name)(**options)

        register(adapter.name, factory)

    return postmux_register_providers, postmux_register_emulators
