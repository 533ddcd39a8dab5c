"""Our schema of what postmux sends PostPeer, and a small checker for it that needs no dependency.

``schema.json`` beside this module (package data, so it is in the wheel) is
written by us from the facts of PostPeer's OpenAPI 3.0 spec: field names,
types, enums, formats, lengths and ``additionalProperties: false``. It is not a
copy of the spec, only the operations postmux calls and the bodies it sends,
so the plugin and its emulator stand alone. The test suite compares it with
the official spec when ``POSTMUX_POSTPEER_OPENAPI`` names that file
(``tests/plugins/postpeer/test_schema_drift.py``).

The checker below understands exactly the JSON Schema keywords ``schema.json``
uses (:data:`KEYWORDS`). It is here, rather than ``jsonschema``, so that the
sandbox's PostPeer emulator checks every body with the standard library alone:
``postmux[sandbox]`` does not bring ``jsonschema``. The suite checks this
checker against ``jsonschema`` on the same bodies, and fails when
``schema.json`` uses a keyword the checker does not know.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "KEYWORDS",
    "body_errors",
    "find_operation",
    "format_checker",
    "is_date_time",
    "is_uri",
    "resolve",
    "schema",
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
"""The keywords :func:`body_errors` checks; ``schema.json`` may use no other."""


@cache
def schema() -> dict[str, Any]:
    """``schema.json``, read once: its ``operations`` and ``definitions``.

    ``operations`` maps ``"METHOD /path"`` (the spec's path templates) to
    ``{"body": schema}``, or to ``{}`` for an operation postmux calls without a body.
    """
    document: dict[str, Any] = json.loads(files(__package__).joinpath("schema.json").read_text("utf-8"))
    return document


@cache
def _templates() -> list[tuple[str, re.Pattern[str], str]]:
    out = []
    for key in schema()["operations"]:
        method, template = key.split(" ", 1)
        pattern = re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", template.rstrip("/")) + "/?$")
        out.append((method, pattern, key))
    return sorted(out, key=lambda t: t[2].count("{"))


def find_operation(method: str, path: str) -> str | None:
    """The ``"METHOD /template"`` key of ``schema.json`` a request is for (trailing slash or not).

    Literal paths win over templates: ``/v1/posts/scheduled`` is not post ``scheduled``.
    """
    for op_method, pattern, key in _templates():
        if op_method == method.upper() and pattern.match(path):
            return key
    return None


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its ``$ref`` (into ``schema.json``'s ``definitions``) followed."""
    while "$ref" in node:
        name = node["$ref"].removeprefix("#/definitions/")
        node = schema()["definitions"][name]
    return node


def body_errors(operation: str, body: Any) -> list[str]:
    """Why PostPeer would refuse ``body`` for ``operation``, ajv-like (``body/platforms/0 …``)."""
    node = schema()["operations"][operation].get("body")
    if node is None:
        return [] if body is None else [f"{operation} takes no body"]
    return list(_errors(node, body, "body"))


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


def _errors(node: dict[str, Any], value: Any, where: str) -> Iterator[str]:
    node = resolve(node)
    kind = node.get("type")
    if kind is not None and not _JSON_TYPES[kind](value):
        yield f"{where} must be {kind}"
        return
    if "enum" in node and value not in node["enum"]:
        yield f"{where} must be equal to one of the allowed values: {', '.join(map(str, node['enum']))}"
    if "oneOf" in node:
        yield from _one_of(node, value, where)
    if isinstance(value, str):
        yield from _string(node, value, where)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            yield f"{where} must be >= {node['minimum']}"
    elif isinstance(value, list):
        yield from _array(node, value, where)
    elif isinstance(value, dict):
        yield from _object(node, value, where)


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


def _array(node: dict[str, Any], value: list[Any], where: str) -> Iterator[str]:
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
            yield from _errors(node["items"], item, f"{where}/{i}")


def _object(node: dict[str, Any], value: dict[str, Any], where: str) -> Iterator[str]:
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
            yield from _errors(sub, value[name], f"{where}/{name}")


def _one_of(node: dict[str, Any], value: Any, where: str) -> Iterator[str]:
    """``oneOf`` with OpenAPI's ``discriminator``: the branch its property names, checked alone.

    Errors of the chosen branch only (as ajv reports them), not of every
    branch that did not match; without a discriminator, exactly one branch.
    """
    branches = [resolve(b) for b in node["oneOf"]]
    prop = node.get("discriminator", {}).get("propertyName")
    if prop is not None and isinstance(value, dict):
        chosen = [b for b in branches if value.get(prop) in resolve(b["properties"][prop]).get("enum", ())]
        if not chosen:
            allowed = [v for b in branches for v in resolve(b["properties"][prop])["enum"]]
            yield f"{where}/{prop} must be equal to one of the allowed values: {', '.join(allowed)}"
            return
        branches = chosen
    results = [list(_errors(b, value, where)) for b in branches]
    passing = sum(not r for r in results)
    if passing == 1:
        return
    if passing == 0 and len(results) == 1:
        yield from results[0]
    else:
        yield f"{where} must match exactly one schema in oneOf"


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)


def is_date_time(value: str) -> bool:
    """RFC 3339 ``date-time``, offset required (PostPeer refuses a bare local time)."""
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_uri(value: str) -> bool:
    """An absolute URI: a scheme and a host."""
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


_FORMATS: dict[str, Callable[[str], bool]] = {"date-time": is_date_time, "uri": is_uri}


def format_checker(jsonschema: Any) -> Any:
    """A ``jsonschema.FormatChecker`` with these same ``date-time`` and ``uri`` checks.

    ``jsonschema`` skips both formats unless optional packages are installed;
    the tests use this so that ``jsonschema`` and :func:`body_errors` agree.
    """
    checker = jsonschema.FormatChecker(formats=())
    for name, check in _FORMATS.items():
        checker.checks(name)(lambda v, check=check: not isinstance(v, str) or check(v))
    return checker
