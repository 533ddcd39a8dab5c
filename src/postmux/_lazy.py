"""Names a package imports on first use (PEP 562), so ``import postmux`` stays cheap.

One loader for every package that defers its heavier modules (the package's
public names, the SQL ledgers): each keeps a table of name → submodule and
its names under ``TYPE_CHECKING``, so type checkers and ``from … import``
see them as before.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, modules: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], object]:
    """A module ``__getattr__``: ``name`` from ``package.<modules[name]>``, imported once, then kept."""

    def load(name: str) -> object:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    return load
