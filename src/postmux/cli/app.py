"""The assembled ``postmux`` command: the group from :mod:`.base` with every command module attached."""

from __future__ import annotations

from . import compare, demo, info, publish, sandbox_cmd
from .base import cli

__all__ = ["cli"]

_COMMANDS = (compare, demo, info, publish, sandbox_cmd)  # imported for their @cli.command side effects
