"""The one meaning of ``Post.extras``: raw vendor fields merged over the request body.

``Post(extras={"wahdx": {...}})`` holds fields postmux has no neutral name
for, keyed by provider name. Every plugin merges them with :func:`merge`, by
one rule: a mapping merges into a mapping key by key, at any depth (so
``{"tiktokSettings": {"x": 1}}`` adds one key to the settings postmux built);
any other value (a string, a number, a list, ``None``) replaces what is there.
A vendor whose one request carries several platforms names, in its README,
the key under which each platform's extras go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["merge"]


def merge(body: dict[str, Any], extras: Mapping[str, Any]) -> dict[str, Any]:
    """``extras`` over ``body``, in place (and returned): mappings key by key, anything else replaced."""
    for key, value in extras.items():
        current = body.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            body[key] = merge(dict(current), value)
        else:
            body[key] = dict(value) if isinstance(value, Mapping) else value
    return body
