"""A small JSON Schema checker for emulators, with the standard library alone.

An emulator should refuse a body the vendor's own validator would refuse, in
the vendor's words. A plugin that writes its own schema of the bodies it sends
(``schema.json`` beside its emulator, package data) gets the check from here::

    SCHEMA = Schema.packaged(__package__)          # reads <package>/schema.json on first use
    problems = SCHEMA.body_errors("POST /v1/posts/", body)   # ["body/content must be string", …]

The document holds ``operations`` (``"METHOD /path/{template}"`` → ``{"body":
schema}``, or ``{}`` for an operation without a body) and ``definitions``
(what ``$ref: "#/definitions/Name"`` points at). Only the keywords in
:data:`KEYWORDS` are understood, and messages are worded as ajv words them
(``body/platforms/0 must have required property 'accountId'``), as Fastify-based
vendors answer. A plugin may build the document in Python rather than keep a
JSON file (``Schema(build)``): :func:`object_schema` and :func:`enum_schema`
spell its nodes, and :func:`option_schema` derives an option object's node
from the plugin's vocabulary and the neutral option class's field types, so
the names are declared once. It is here rather than ``jsonschema`` so that
``postmux[sandbox]`` needs no such dependency: a plugin's tests can check this
checker against ``jsonschema`` (:func:`format_checker` makes the two agree on
formats) and fail on a keyword it does not know.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ..vocabulary import OptionMap

__all__ = [
    "KEYWORDS",
    "Schema",
    "enum_schema",
    "field_kind",
    "field_types",
    "format_checker",
    "is_date_time",
    "is_uri",
    "object_schema",
    "option_schema",
]

KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$ref",
        "type",
        "enum",
        "format",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "oneOf",
        "discriminator",
    }
)
"""The keywords :meth:`Schema.body_errors` checks; a schema may use no other."""


class Schema:
    """One plugin's schema document: find the operation of a request, check its body."""

    def __init__(self, document: Mapping[str, Any] | Callable[[], Mapping[str, Any]]) -> None:
        self._source = document
        self._document: dict[str, Any] | None = None
        self._templates: list[tuple[str, re.Pattern[str], str]] | None = None

    @classmethod
    def packaged(cls, package: str, name: str = "schema.json") -> Schema:
        """The schema in ``name`` of ``package``'s data, read on first use (importing stays cheap)."""
        return cls(lambda: json.loads(files(package).joinpath(name).read_text("utf-8")))

    def load(self) -> dict[str, Any]:
        """The whole document, read once."""
        if self._document is None:
            source = self._source
            self._document = dict(source() if callable(source) else source)
        return self._document

    def find_operation(self, method: str, path: str) -> str | None:
        """The ``"METHOD /template"`` key a request is for (trailing slash or not).

        Literal paths win over templates: ``/v1/posts/scheduled`` is not post ``scheduled``.
        """
        if self._templates is None:
            templates = []
            for key in self.load()["operations"]:
                op_method, template = key.split(" ", 1)
                pattern = re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", template.rstrip("/")) + "/?$")
                templates.append((op_method, pattern, key))
            self._templates = sorted(templates, key=lambda t: t[2].count("{"))
        for op_method, pattern, key in self._templates:
            if op_method == method.upper() and pattern.match(path):
                return key
        return None

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """A schema node with its ``$ref`` (into the document's ``definitions``) followed."""
        while "$ref" in node:
            name = node["$ref"].removeprefix("#/definitions/")
            node = self.load()["definitions"][name]
        return node

    def body_errors(self, operation: str, body: Any) -> list[str]:
        """Why the vendor would refuse ``body`` for ``operation``, ajv-like (``body/platforms/0 …``)."""
        node = self.load()["operations"][operation].get("body")
        if node is None:
            return [] if body is None else [f"{operation} takes no body"]
        return list(self._errors(node, body, "body"))

    def value_errors(self, definition: str, value: Any) -> list[tuple[str, str]]:
        """``(path, message)`` for each reason ``value`` is not a ``definition`` (path: ``a/0``)."""
        out = []
        for text in self._errors({"$ref": f"#/definitions/{definition}"}, value, "@"):
            where, _, message = text.partition(" ")
            out.append((where.removeprefix("@").removeprefix("/"), message))
        return out

    def _errors(self, node: dict[str, Any], value: Any, where: str) -> Iterator[str]:
        node = self.resolve(node)
        kind = node.get("type")
        if kind is not None and not _JSON_TYPES[kind](value):
            yield f"{where} must be {kind}"
            return
        if "enum" in node and value not in node["enum"]:
            yield f"{where} must be equal to one of the allowed values: {', '.join(map(str, node['enum']))}"
        if "oneOf" in node:
            yield from self._one_of(node, value, where)
        if isinstance(value, str):
            yield from _string(node, value, where)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if "minimum" in node and value < node["minimum"]:
                yield f"{where} must be >= {node['minimum']}"
        elif isinstance(value, list):
            yield from self._array(node, value, where)
        elif isinstance(value, dict):
            yield from self._object(node, value, where)

    def _array(self, node: dict[str, Any], value: list[Any], where: str) -> Iterator[str]:
        if "minItems" in node and len(value) < node["minItems"]:
            yield f"{where} must NOT have fewer than {node['minItems']} items"
        if "maxItems" in node and len(value) > node["maxItems"]:
            yield f"{where} must NOT have more than {node['maxItems']} items"
        if node.get("uniqueItems"):
            seen = [json.dumps(v, sort_keys=True) for v in value]
            if len(set(seen)) != len(seen):
                yield f"{where} must NOT have duplicate items"
        if "items" in node:
            for i, item in enumerate(value):
                yield from self._errors(node["items"], item, f"{where}/{i}")

    def _object(self, node: dict[str, Any], value: dict[str, Any], where: str) -> Iterator[str]:
        properties: dict[str, Any] = node.get("properties", {})
        for name in node.get("required", ()):
            if name not in value:
                yield f"{where} must have required property '{name}'"
        if node.get("additionalProperties") is False:
            extra = sorted(set(value) - set(properties))
            if extra:
                yield f"{where} must NOT have additional properties: {', '.join(map(repr, extra))}"
        for name, sub in properties.items():
            if name in value:
                yield from self._errors(sub, value[name], f"{where}/{name}")

    def _one_of(self, node: dict[str, Any], value: Any, where: str) -> Iterator[str]:
        """``oneOf`` with OpenAPI's ``discriminator``: the branch its property names, checked alone.

        Errors of the chosen branch only (as ajv reports them), not of every
        branch that did not match; without a discriminator, exactly one branch.
        """
        resolve = self.resolve
        branches = [resolve(b) for b in node["oneOf"]]
        prop = node.get("discriminator", {}).get("propertyName")
        if prop is not None and isinstance(value, dict):
            chosen = [
                b for b in branches if value.get(prop) in resolve(b["properties"][prop]).get("enum", ())
            ]
            if not chosen:
                allowed = [v for b in branches for v in resolve(b["properties"][prop])["enum"]]
                yield f"{where}/{prop} must be equal to one of the allowed values: {', '.join(allowed)}"
                return
            branches = chosen
        results = [list(self._errors(b, value, where)) for b in branches]
        passing = sum(not r for r in results)
        if passing == 1:
            return
        if passing == 0 and len(results) == 1:
            yield from results[0]
        else:
            yield f"{where} must match exactly one schema in oneOf"


_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _string(node: dict[str, Any], value: str, where: str) -> Iterator[str]:
    if "minLength" in node and len(value) < node["minLength"]:
        yield f"{where} must NOT have fewer than {node['minLength']} characters"
    if "maxLength" in node and len(value) > node["maxLength"]:
        yield f"{where} must NOT have more than {node['maxLength']} characters"
    if "pattern" in node and not re.search(node["pattern"], value):
        yield f'{where} must match pattern "{node["pattern"]}"'
    fmt = node.get("format")
    if fmt is not None and not _FORMATS[fmt](value):
        yield f'{where} must match format "{fmt}"'


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)


def is_date_time(value: str) -> bool:
    """RFC 3339 ``date-time``, offset required (a bare local time is not one)."""
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_uri(value: str) -> bool:
    """An absolute URI: a scheme and a host (one ``urlsplit`` cannot read, an unclosed ``[``, is none)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc)


_FORMATS: dict[str, Callable[[str], bool]] = {"date-time": is_date_time, "uri": is_uri}


def format_checker(jsonschema: Any) -> Any:
    """A ``jsonschema.FormatChecker`` with these same ``date-time`` and ``uri`` checks.

    ``jsonschema`` skips both formats unless optional packages are installed;
    a test that compares the two checkers uses this so that they agree.
    """
    checker = jsonschema.FormatChecker(formats=())
    for name, check in _FORMATS.items():
        checker.checks(name)(lambda v, check=check: not isinstance(v, str) or check(v))
    return checker


def object_schema(properties: Mapping[str, Any], *required: str, closed: bool = True) -> dict[str, Any]:
    """An object node: these properties, these required, no others unless ``closed`` is false."""
    node: dict[str, Any] = {"type": "object"}
    if closed:
        node["additionalProperties"] = False
    if required:
        node["required"] = list(required)
    node["properties"] = dict(properties)
    return node


def enum_schema(*values: str) -> dict[str, Any]:
    """A string node that takes only ``values``."""
    return {"type": "string", "enum": list(values)}


_HINTS: dict[type[Any], dict[str, Any]] = {}


def field_types(cls: type[Any]) -> dict[str, Any]:
    """An option class's field types, resolved once (its annotations are strings)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def field_kind(hint: Any) -> Any:
    """The one type of an optional field (``bool | None`` → ``bool``); ``Any`` for a real union."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        kinds = [t for t in typing.get_args(hint) if t is not type(None)]
        return kinds[0] if len(kinds) == 1 else Any
    return hint


def _node_of(kind: Any) -> dict[str, Any]:
    if kind is bool:
        return {"type": "boolean"}
    if kind is int:
        return {"type": "integer", "minimum": 0}  # every neutral count, index and offset
    if kind is str:
        return {"type": "string"}
    if typing.get_origin(kind) is Literal:
        return enum_schema(*typing.get_args(kind))
    if typing.get_origin(kind) is tuple:
        return {"type": "array", "items": {"type": "string"}}
    raise TypeError(f"no JSON Schema for an option of type {kind!r}: declare its node")


def option_schema(option_map: OptionMap, **more: Mapping[str, Any]) -> dict[str, Any]:
    """The closed object node of an option map's wire keys, each derived from its neutral field.

    ``bool`` → boolean (inverted too), ``int`` → integer ≥ 0, ``str`` → string,
    a ``Literal`` → its values, ``tuple[str, ...]`` → array of strings, a
    mapped option (``values``) → the wire words of the map. ``more`` (by wire
    key) adds what the vendor says beyond the neutral type (``format``,
    ``maxLength``, a narrower ``enum``) or a key the plugin writes itself.
    """
    hints = field_types(option_map.options)
    properties: dict[str, Any] = {}
    for name, o in option_map.fields.items():
        if o.values is not None:
            properties[o.wire] = enum_schema(*o.values.values())
        else:
            properties[o.wire] = _node_of(field_kind(hints[name]))
    for wire, node in more.items():
        properties[wire] = {**properties.get(wire, {}), **node}
    return object_schema(properties)
