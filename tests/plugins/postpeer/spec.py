"""Every request body the PostPeer tests send, checked against PostPeer's own OpenAPI spec.

The spec is read at test time from ``<repo>/../shared/vendor-docs/postpeer-openapi.json``
(never copied into the repository). Its request schemas say
``additionalProperties: false`` at every level, so a misspelt or stale key
(the docs' ``privacyStatus``, ``scheduledAt``) fails here as it would at
PostPeer. OpenAPI 3.0's ``nullable`` is turned into JSON Schema's ``null``
type, and ``date-time`` / ``uri`` formats are checked strictly (RFC 3339 with
an offset; an absolute URL), since jsonschema skips them without extra packages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from postmux_postpeer.emulator_spec import format_checker

REPO = Path(__file__).resolve().parents[3]
SPEC_PATH = REPO.parent / "shared" / "vendor-docs" / "postpeer-openapi.json"
BASE = "https://api.postpeer.dev"
_URN = "urn:postpeer-openapi"

FORMATS = format_checker(jsonschema)
"""RFC 3339 ``date-time`` with an offset and absolute ``uri``: the emulator's own checker."""


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` as JSON Schema: ``null`` added to the type (and enum)."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if isinstance(out.get("enum"), list):
            out["enum"] = [*out["enum"], None]
    return out


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class Spec:
    """PostPeer's operations and request schemas, with a validator per operation."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.document: dict[str, Any] = _nullable(json.loads(path.read_text(encoding="utf-8")))
        resource = Resource.from_contents(self.document, default_specification=DRAFT7)
        self.registry: Registry[Any] = Registry().with_resource(_URN, resource)
        self._paths = [
            (re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", p.rstrip("/")) + "/?$"), p)
            for p in self.document["paths"]
        ]

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        """The spec's path template and operation for a request path (trailing slash or not)."""
        for pattern, template in self._paths:
            if pattern.match(path):
                op = self.document["paths"][template].get(method.lower())
                if op is not None:
                    return template, op
        raise AssertionError(f"PostPeer's spec has no operation {method} {path}")

    def validator(self, method: str, path: str) -> jsonschema.protocols.Validator | None:
        """The request-body validator of an operation, or ``None`` when it takes no body."""
        template, op = self.operation(method, path)
        if "application/json" not in op.get("requestBody", {}).get("content", {}):
            return None
        pointer = _pointer("paths", template, method.lower(), "requestBody", "content", "application/json")
        schema = {"$ref": f"{_URN}#/{pointer}/schema"}
        return jsonschema.Draft7Validator(schema, registry=self.registry, format_checker=FORMATS)

    def errors(self, method: str, url: str, body: bytes | str | None) -> list[str]:
        """Why PostPeer would refuse this request (empty when it would not); other hosts pass."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != BASE:
            return []
        try:
            validator = self.validator(method, parts.path)
        except AssertionError as exc:
            return [str(exc)]
        raw = body.decode() if isinstance(body, bytes) else (body or "")
        if validator is None:
            return [f"{method} {parts.path} takes no body, got {raw[:80]!r}"] if raw.strip() else []
        if not raw.strip():
            return [f"{method} {parts.path} needs a JSON body"]
        return [
            f"{method} {parts.path}: {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
            for e in validator.iter_errors(json.loads(raw))
        ]

    def check_request(self, request: httpx.Request) -> list[str]:
        """:meth:`errors` for an httpx request (its body read)."""
        return self.errors(request.method, str(request.url), request.read())

    def assert_valid(self, requests: Iterable[tuple[str, str, bytes | str | None]]) -> None:
        """Fail with every reason at once when any (method, url, body) would be refused."""
        problems = [p for method, url, body in requests for p in self.errors(method, url, body)]
        assert not problems, "requests PostPeer's spec rejects:\n" + "\n".join(problems)


@cache
def load_spec() -> Spec:
    """The spec, parsed once per test run."""
    return Spec()
