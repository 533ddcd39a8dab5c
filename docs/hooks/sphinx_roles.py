"""A Griffe extension: the docstrings' Sphinx roles become links in the API reference.

The code's docstrings say ``:class:`~postmux.Publication``` (read in editors and ``help()``);
mkdocstrings renders Markdown, where a role would show as it is typed. Each role becomes an
optional cross-reference: a link where the API reference documents the name, and plain code where
it does not (a private helper, ``httpx.Client``), never a broken link.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|exc|data|obj):`(?P<text>[^`]+)`")
_TITLED = re.compile(r"(?P<title>.+?)\s*<(?P<target>[^>]+)>")


def _resolve(obj: griffe.Object | griffe.Alias, target: str) -> str:
    """The full path of ``target`` as seen from ``obj``'s scope, or ``target`` itself."""
    if target.startswith("postmux"):
        return target
    head, _, rest = target.lstrip(".").partition(".")
    try:
        path = obj.resolve(head)
    except (griffe.NameResolutionError, AttributeError):
        return target
    return f"{path}.{rest}" if rest else path


def _link(obj: griffe.Object | griffe.Alias, text: str) -> str:
    titled = _TITLED.fullmatch(text)
    target = titled["target"] if titled else text
    short = target.startswith("~")
    target = target.lstrip("~")
    title = titled["title"] if titled else (target.rsplit(".", 1)[-1] if short else target.lstrip("."))
    path = _resolve(obj, target)
    public = _public(obj, path)
    also = f' slug="{html.escape(path)}"' if public != path else ""
    return (
        f'<autoref identifier="{html.escape(public)}"{also} optional>'
        f"<code>{html.escape(title)}</code></autoref>"
    )


def _public(obj: griffe.Object | griffe.Alias, path: str) -> str:
    """``postmux.results.Publication.url`` as ``postmux.Publication.url``, where the reference has it.

    The API reference documents the public names (``::: postmux.Publication``); the defining
    module's path is tried as well, through autorefs' second identifier.
    """
    parts = path.split(".")
    if len(parts) > 2 and parts[0] == obj.package.name and parts[2] in obj.package.members:
        return ".".join([parts[0], *parts[2:]])
    return path


class SphinxRoles(griffe.Extension):
    """Rewrites each loaded object's docstring once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(lambda m: _link(obj, m["text"]), obj.docstring.value)
