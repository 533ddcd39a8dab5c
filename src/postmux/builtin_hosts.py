"""The media hosts the core ships (``s3``, ``sandbox``), registered through the hook a plugin's use.

Every plugin manager registers this module, so every publisher does; it is
apart from :mod:`postmux.hosting` so that doing so loads none of hosting's code,
which only a publisher given a media host needs (issue 15's start-up).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .hookspecs import hookimpl

if TYPE_CHECKING:
    from .hosting import MediaHost, MediaHostFactory

__all__ = ["postmux_register_media_hosts"]


def _s3(spec: str) -> MediaHost:
    from .s3 import S3MediaHost

    return S3MediaHost.from_spec(spec)


def _sandbox(spec: str) -> MediaHost:
    from .sandbox.hosting import SandboxMediaHost

    return SandboxMediaHost.from_spec(spec)


@hookimpl
def postmux_register_media_hosts(register: Callable[[str, MediaHostFactory], None]) -> None:
    """The core's own hosts, registered as a plugin's would be (this module is a built-in plugin)."""
    register("s3", _s3)
    register("sandbox", _sandbox)
