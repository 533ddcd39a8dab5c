"""Griffe extensions: the API reference reads the code as a user of it would.

``SphinxRoles``: the code's docstrings say ``:class:`~postmux.Publication``` (read in editors and ``help()``);
mkdocstrings renders Markdown, where a role would show as it is typed. Each role becomes an
optional cross-reference: a link where the API reference documents the name, and plain code where
it does not (a private helper, ``httpx.Client``), never a broken link. A reST literal-block
marker (``the tree::`` before an indented block) becomes a plain colon: the indented block is
already code in Markdown.

``AttrsInit``: postmux's data classes are attrs classes, whose ``__init__`` attrs writes at import
time, so static analysis sees none and ``Post`` would have no signature. This gives each one the
``__init__`` attrs makes: its fields in order (a base class's first), their defaults, keyword-only
where the class says so.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|exc|data|obj):`(?P<text>[^`]+)`")
_LITERAL = re.compile(r"(?<=\S)::[ \t]*$", re.MULTILINE)  # "the tree::" → "the tree:"
_LONE_LITERAL = re.compile(r"^[ \t]*::[ \t]*\n", re.MULTILINE)  # a line that is only "::" is dropped
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
            text = _ROLE.sub(lambda m: _link(obj, m["text"]), obj.docstring.value)
            obj.docstring.value = _LONE_LITERAL.sub("", _LITERAL.sub(":", text))


_ATTRS = frozenset({"attrs.define", "attrs.frozen", "attrs.mutable", "attr.s", "attr.attrs", "attr.define"})


def _call_arguments(expr: object) -> dict[str, str]:
    """``kw_only=True, default=None`` of a decorator or ``attrs.field(…)`` call, as source text."""
    if not isinstance(expr, griffe.ExprCall):
        return {}
    return {a.name: str(a.value) for a in expr.arguments if isinstance(a, griffe.ExprKeyword)}


def _attrs_decorator(cls: griffe.Class) -> object | None:
    for decorator in cls.decorators:
        value = decorator.value
        if isinstance(value, griffe.Expr) and value.canonical_path in _ATTRS:
            return value
    return None


def _attrs_parameters(cls: griffe.Class) -> list[griffe.Parameter]:
    kw_only = _call_arguments(_attrs_decorator(cls)).get("kw_only") == "True"
    parameters = []
    for member in cls.members.values():
        if not isinstance(member, griffe.Attribute) or member.annotation is None:
            continue
        if "property" in member.labels or (
            "class-attribute" in member.labels and "instance-attribute" not in member.labels
        ):
            continue
        value = member.value
        field = (
            _call_arguments(value)
            if isinstance(value, griffe.ExprCall) and value.canonical_path in {"attrs.field", "attr.ib"}
            else None
        )
        if field is not None and field.get("init") == "False":
            continue
        if field is None:
            default: str | griffe.Expr | None = value
        elif "factory" in field:
            default = f"{field['factory']}()"
        else:
            default = field.get("default")
        kind = (
            griffe.ParameterKind.keyword_only
            if kw_only or (field or {}).get("kw_only") == "True"
            else griffe.ParameterKind.positional_or_keyword
        )
        name = (field or {}).get("alias", "").strip("'\"") or member.name.lstrip("_")
        parameters.append(
            griffe.Parameter(
                name, annotation=member.annotation, kind=kind, default=default, docstring=member.docstring
            )
        )
    return parameters


def _set_attrs_init(cls: griffe.Class) -> None:
    if "__init__" in cls.members or _attrs_decorator(cls) is None:
        return
    try:
        lineage = [c for c in reversed(cls.mro()) if isinstance(c, griffe.Class)]
    except ValueError:
        lineage = []
    fields: dict[str, griffe.Parameter] = {}
    for klass in [*lineage, cls]:
        if _attrs_decorator(klass) is not None:
            fields.update((p.name, p) for p in _attrs_parameters(klass))
    ordered = sorted(fields.values(), key=lambda p: p.kind is griffe.ParameterKind.keyword_only)
    self_ = griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)
    init = griffe.Function(
        "__init__",
        lineno=0,
        endlineno=0,
        parent=cls,
        parameters=griffe.Parameters(self_, *ordered),
        returns="None",
    )
    cls.set_member("__init__", init)


def _walk(obj: griffe.Module | griffe.Class, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    if isinstance(obj, griffe.Class):
        _set_attrs_init(obj)
    for member in list(obj.members.values()):
        if not member.is_alias and isinstance(member, griffe.Module | griffe.Class):
            _walk(member, seen)


class AttrsInit(griffe.Extension):
    """Adds the attrs-generated ``__init__`` to every attrs class of a loaded package."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _walk(pkg, set())
