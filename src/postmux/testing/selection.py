"""Which installed providers the conformance suite runs over (``--postmux-provider``).

Set by postmux's pytest plugin from the command line before any test module is
imported; read by :mod:`postmux.testing.support` when it builds the cases.
Without the option the suite runs over every installed provider.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["choose", "chosen"]

_chosen: list[str] | None = None


def choose(names: Iterable[str] | None) -> None:
    """Run the suite over ``names`` only (``None``: every installed provider)."""
    global _chosen
    _chosen = None if names is None else list(dict.fromkeys(names))


def chosen() -> list[str]:
    """The providers to run over, in the order given (default: every installed one, sorted)."""
    if _chosen is not None:
        return list(_chosen)
    from ..factory import providers

    return providers()
