"""Every request body the PostPeer tests send, checked against the plugin's schema of PostPeer's API.

The schema is ``postmux_postpeer/schema.py``: ours, written from the facts
of PostPeer's OpenAPI spec (``test_schema_drift.py`` compares the two when the
official spec is given). Its request schemas say ``additionalProperties: false``
at every level, as the spec does, so a misspelt or stale key (the docs'
``privacyStatus``, ``scheduledAt``) fails here as it would at PostPeer. The
tests validate with ``jsonschema`` (Draft 7), independently of the small
checker the emulator uses; ``date-time`` and ``uri`` are checked strictly
(RFC 3339 with an offset; an absolute URL) by the plugin's own format checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from postmux.sandbox.schema import format_checker
from postmux_postpeer import schema as ours

BASE = "https://api.postpeer.dev"
_URN = "urn:postmux-postpeer:schema"

FORMATS = format_checker(jsonschema)
"""RFC 3339 ``date-time`` with an offset and absolute ``uri``: the emulator's own checks."""


class Spec:
    """The operations postmux calls and their request schemas, with a validator per operation."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = ours.schema()
        resource = Resource.from_contents(self.document, default_specification=DRAFT7)
        self.registry: Registry[Any] = Registry().with_resource(_URN, resource)

    def operation(self, method: str, path: str) -> str:
        """The schema's ``"METHOD /template"`` for a request path (trailing slash or not)."""
        key = ours.find_operation(method, path)
        if key is None:
            raise AssertionError(f"postmux's PostPeer schema has no operation {method} {path}")
        return key

    def validator(self, method: str, path: str) -> jsonschema.protocols.Validator | None:
        """The request-body validator of an operation, or ``None`` when it takes no body."""
        body = self.document["operations"][self.operation(method, path)].get("body")
        if body is None:
            return None
        schema = {"$ref": f"{_URN}#/definitions/{body['$ref'].removeprefix('#/definitions/')}"}
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
    """The schema, parsed once per test run."""
    return Spec()
