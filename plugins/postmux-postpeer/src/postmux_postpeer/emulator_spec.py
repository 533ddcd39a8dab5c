"""Checking request bodies against PostPeer's OpenAPI spec, when the spec is at hand.

The spec is not shipped with the plugin (it is PostPeer's document, not
ours): it is read at run time from ``$POSTMUX_POSTPEER_OPENAPI`` or from the
project's ``../shared/vendor-docs/postpeer-openapi.json``. An installed user
has neither, and ``jsonschema`` is a development dependency, so without them
the emulator warns once and keeps only its own hand-written checks.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["SPEC_ENV", "body_checker", "format_checker", "spec_path"]

SPEC_ENV = "POSTMUX_POSTPEER_OPENAPI"

Checker = Callable[[Any], list[str]]


def spec_path() -> Path | None:
    """Where the spec is, if anywhere."""
    if os.environ.get(SPEC_ENV):
        path = Path(os.environ[SPEC_ENV])
        return path if path.is_file() else None
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "vendor-docs" / "postpeer-openapi.json"
        if (parent / "plugins").is_dir() and candidate.is_file():
            return candidate
    return None


@cache
def _spec() -> dict[str, Any] | None:
    path = spec_path()
    if path is None:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@cache
def body_checker(path: str, method: str) -> Checker | None:
    """A function listing what the spec finds wrong with a request body; ``None`` when it cannot check."""
    spec = _spec()
    try:
        import jsonschema
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7
    except ImportError:
        spec = None
    if spec is None:
        warnings.warn(
            "postmux sandbox: PostPeer's OpenAPI spec (or jsonschema) is not available, so the PostPeer "
            f"emulator skips body-schema checks; set {SPEC_ENV} to the spec to enable them",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    pointer = "/".join(p.replace("~", "~0").replace("/", "~1") for p in ("paths", path, method))
    try:
        spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    except KeyError:
        return None
    registry: Registry[Any] = Registry().with_resource(
        "urn:postpeer-openapi", Resource.from_contents(spec, default_specification=DRAFT7)
    )
    schema = {"$ref": f"urn:postpeer-openapi#/{pointer}/requestBody/content/application~1json/schema"}
    formats = format_checker(jsonschema)
    validator = jsonschema.Draft7Validator(schema, registry=registry, format_checker=formats)

    def check(body: Any) -> list[str]:
        problems = []
        for error in validator.iter_errors(body):
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"body{'/' + where if where else ''} {_short(error)}")
        return problems

    return check


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _date_time(value: object) -> bool:
    if isinstance(value, str):
        if not _RFC3339.match(value):
            raise ValueError(f"{value!r} is not RFC 3339 with an offset")
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


def format_checker(jsonschema: Any) -> Any:
    """``date-time`` (RFC 3339, offset required) and ``uri`` (absolute), checked as PostPeer does.

    jsonschema skips both formats unless optional packages are installed, so
    they are written out here: the emulator refuses what the spec's formats refuse,
    and the plugin's tests check the adapter's bodies with the same checker.
    """
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_date_time)
    checker.checks("uri")(_uri)
    return checker


def _short(error: Any) -> str:
    """An ajv-like message: the best sub-error of a ``oneOf``, not the whole failing instance."""
    if error.validator == "oneOf" and error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        for subs in branches.values():
            if not any(list(sub.relative_path) == ["platform"] for sub in subs):
                sub = subs[0]
                where = "/".join(str(p) for p in sub.relative_path)
                return f"{where + ' ' if where else ''}{_short(sub)}"
        return "must match exactly one platform schema"
    if error.validator == "additionalProperties":
        return "must NOT have additional properties: " + str(error.message).split("(")[-1].rstrip(")")[:200]
    return str(error.message)[:300]
