"""The assembled ``postmux`` command: the group from :mod:`.base` with every command module attached."""

from __future__ import annotations

from . import compare, demo, faults_cmd, info, publish, reconcile_cmd, sandbox_cmd
from .base import cli

__all__ = ["cli"]

# imported for their @cli.command side effects
_COMMANDS = (compare, demo, faults_cmd, info, publish, reconcile_cmd, sandbox_cmd)
