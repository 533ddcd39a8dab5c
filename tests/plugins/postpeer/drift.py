"""Where postmux's PostPeer schema and PostPeer's official OpenAPI spec disagree.

``postmux_postpeer/schema.py`` is ours, written from the spec's facts; this
walks it beside the spec and lists every difference that would make the
emulator or the tests accept what PostPeer refuses, or refuse what it accepts:
an operation or property the spec lacks, a type, enum, format or length that
differs, ``required`` either way, ``additionalProperties``, ``nullable``, a
``oneOf`` branch with no twin, and any keyword of the spec our schema does not
mirror. Properties the spec has and we never send are not drift: our schema
holds only what postmux sends.
"""

from __future__ import annotations

from typing import Any

CONSTRAINTS = (
    "type",
    "enum",
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minProperties",
    "maxProperties",
    "additionalProperties",
    "nullable",
)
"""Keywords compared for equality, both ways: a value on either side only is drift."""

STRUCTURE = frozenset({"$ref", "properties", "required", "items", "oneOf", "discriminator"})
"""Keywords walked rather than compared."""

ANNOTATIONS = frozenset(
    {"description", "example", "examples", "title", "default", "deprecated", "readOnly", "writeOnly"}
)
"""The spec's keywords that constrain nothing."""


class Drift:
    """One comparison: our schema document, the spec, and what differs."""

    def __init__(self, ours: dict[str, Any], theirs: dict[str, Any]) -> None:
        self.ours = ours
        self.theirs = theirs
        self.problems: list[str] = []
        self.visited: set[str] = set()

    def run(self) -> list[str]:
        """Every difference, each naming where it is."""
        for key, operation in self.ours["operations"].items():
            self._operation(key, operation)
        components = self.theirs.get("components", {}).get("schemas", {})
        for name in self.ours["definitions"]:
            if name in components and name not in self.visited:
                self.visited.add(name)
                self._node(self.ours["definitions"][name], components[name], f"definitions/{name}")
        for name in sorted(set(self.ours["definitions"]) - self.visited):
            self.problems.append(f"definitions/{name}: compared with nothing in the spec (unused?)")
        return self.problems

    def _operation(self, key: str, operation: dict[str, Any]) -> None:
        method, path = key.split(" ", 1)
        op = self.theirs.get("paths", {}).get(path, {}).get(method.lower())
        if op is None:
            self.problems.append(f"{key}: the spec has no such operation")
            return
        request = op.get("requestBody", {})
        body = request.get("content", {}).get("application/json", {}).get("schema")
        if "body" not in operation:
            if request.get("required"):
                self.problems.append(f"{key}: the spec requires a body, ours sends none")
            return
        if body is None:
            self.problems.append(f"{key}: we send a JSON body, the spec takes none")
            return
        self._node(operation["body"], body, f"{key} body")

    def _ours(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            name = node["$ref"].removeprefix("#/definitions/")
            self.visited.add(name)
            node = self.ours["definitions"][name]
        return node

    def _theirs(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.theirs
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _node(self, ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
        ours, theirs = self._ours(ours), self._theirs(theirs)
        for key in CONSTRAINTS:
            if ours.get(key) != theirs.get(key):
                self.problems.append(
                    f"{where}: {key} is {ours.get(key)!r} in our schema, {theirs.get(key)!r} in the spec"
                )
        for key in sorted(set(theirs) - set(CONSTRAINTS) - STRUCTURE - ANNOTATIONS):
            self.problems.append(f"{where}: the spec says {key}={theirs[key]!r}, which our schema lacks")
        if ours.get("discriminator") != theirs.get("discriminator"):
            self.problems.append(f"{where}: discriminator differs from the spec's")
        self._object(ours, theirs, where)
        if "items" in ours or "items" in theirs:
            if "items" not in ours or "items" not in theirs:
                self.problems.append(f"{where}: items given on one side only")
            else:
                self._node(ours["items"], theirs["items"], f"{where}/items")
        if "oneOf" in ours or "oneOf" in theirs:
            self._one_of(ours, theirs, where)

    def _object(self, ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
        mine: dict[str, Any] = ours.get("properties", {})
        spec: dict[str, Any] = theirs.get("properties", {})
        for name, sub in mine.items():
            if name not in spec:
                self.problems.append(f"{where}/{name}: not a property in the spec")
            else:
                self._node(sub, spec[name], f"{where}/{name}")
        required_here, required_there = set(ours.get("required", ())), set(theirs.get("required", ()))
        for name in sorted(required_here - required_there):
            self.problems.append(f"{where}: {name!r} is required in our schema, optional in the spec")
        for name in sorted(required_there - required_here):
            self.problems.append(f"{where}: {name!r} is required in the spec, optional in our schema")

    def _one_of(self, ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
        prop = (ours.get("discriminator") or {}).get("propertyName")
        if prop is None or "oneOf" not in ours or "oneOf" not in theirs:
            self.problems.append(f"{where}: oneOf without a discriminator on both sides cannot be compared")
            return
        spec_branches = {}
        for branch in theirs["oneOf"]:
            branch = self._theirs(branch)
            for value in self._theirs(branch["properties"][prop]).get("enum", ()):
                spec_branches[value] = branch
        for branch in ours["oneOf"]:
            branch = self._ours(branch)
            values = self._ours(branch["properties"][prop]).get("enum", ())
            for value in values:
                if value not in spec_branches:
                    self.problems.append(f"{where}: the spec has no {prop}={value!r} branch")
                else:
                    self._node(branch, spec_branches[value], f"{where}[{prop}={value}]")


def drift(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Every difference between our schema document and PostPeer's OpenAPI document."""
    return Drift(ours, theirs).run()
