"""The ``postmux`` command: publish, follow and compare vendors from a terminal.

Needs the ``cli`` extra (``pip install 'postmux[cli]'``: click and rich); the
sandbox commands also need the ``sandbox`` extra. Exit codes: 0 every
publication went through, 1 some failed, 2 bad usage or input (nothing was
sent), 3 the outcome of some publication is unknown.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """The console script's entry point."""
    try:
        from .app import cli
    except ImportError as exc:  # pragma: no cover - only without the extra
        sys.stderr.write(f"postmux: the command needs the cli extra: pip install 'postmux[cli]' ({exc})\n")
        sys.exit(2)
    cli.main(args=list(argv) if argv is not None else None, prog_name="postmux")
