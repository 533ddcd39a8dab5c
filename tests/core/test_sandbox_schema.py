"""The emulator kit's JSON Schema checker, on a small vendor-neutral schema of its own."""

from __future__ import annotations

from typing import Any

import pytest

from postmux.sandbox.schema import Schema, is_date_time, is_uri

DOCUMENT: dict[str, Any] = {
    "operations": {
        "POST /v1/things/": {"body": {"$ref": "#/definitions/Thing"}},
        "GET /v1/things/{id}": {},
        "GET /v1/things/latest": {},
    },
    "definitions": {
        "Thing": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "parts"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]*$"},
                "when": {"type": "string", "format": "date-time"},
                "count": {"type": "integer", "minimum": 1},
                "tags": {"type": "array", "maxItems": 2, "uniqueItems": True, "items": {"type": "string"}},
                "parts": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "discriminator": {"propertyName": "kind"},
                        "oneOf": [{"$ref": "#/definitions/Wheel"}, {"$ref": "#/definitions/Door"}],
                    },
                },
            },
        },
        "Wheel": {
            "type": "object",
            "properties": {"kind": {"type": "string", "enum": ["wheel"]}, "size": {"type": "number"}},
        },
        "Door": {
            "type": "object",
            "required": ["side"],
            "properties": {"kind": {"type": "string", "enum": ["door"]}, "side": {"enum": ["l", "r"]}},
        },
    },
}
SCHEMA = Schema(DOCUMENT)
POST = "POST /v1/things/"
GOOD = {"name": "abc", "parts": [{"kind": "wheel", "size": 2.5}]}


def test_a_body_the_schema_allows_has_no_errors() -> None:
    assert SCHEMA.body_errors(POST, GOOD) == []
    assert SCHEMA.body_errors("GET /v1/things/{id}", None) == []
    assert SCHEMA.body_errors("GET /v1/things/{id}", {}) == ["GET /v1/things/{id} takes no body"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"name": 3}, "body/name must be string"),
        ({"name": ""}, "body/name must NOT have fewer than 1 characters"),
        ({"name": "abcdef"}, "body/name must NOT have more than 5 characters"),
        ({"name": "ABC"}, 'body/name must match pattern "^[a-z]*$"'),
        ({"when": "2026-01-01T10:00:00"}, 'body/when must match format "date-time"'),
        ({"count": 0}, "body/count must be >= 1"),
        ({"count": True}, "body/count must be integer"),
        ({"tags": ["a", "a"]}, "body/tags must NOT have duplicate items"),
        ({"tags": ["a", "b", "c"]}, "body/tags must NOT have more than 2 items"),
        ({"tags": [1]}, "body/tags/0 must be string"),
        ({"parts": []}, "body/parts must NOT have fewer than 1 items"),
        ({"extra": 1}, "body must NOT have additional properties: 'extra'"),
        (
            {"parts": [{"kind": "roof"}]},
            "body/parts/0/kind must be equal to one of the allowed values: wheel, door",
        ),
        ({"parts": [{"kind": "door"}]}, "body/parts/0 must have required property 'side'"),
        (
            {"parts": [{"kind": "door", "side": "x"}]},
            "body/parts/0/side must be equal to one of the allowed values: l, r",
        ),
    ],
)
def test_each_keyword_refuses_in_ajv_words(change: dict[str, Any], error: str) -> None:
    assert SCHEMA.body_errors(POST, {**GOOD, **change}) == [error]


def test_a_missing_required_property_is_named() -> None:
    assert SCHEMA.body_errors(POST, {"name": "abc"}) == ["body must have required property 'parts'"]


def test_operations_are_found_by_method_and_path_literal_paths_first() -> None:
    assert SCHEMA.find_operation("post", "/v1/things") == POST
    assert SCHEMA.find_operation("GET", "/v1/things/t1") == "GET /v1/things/{id}"
    assert SCHEMA.find_operation("GET", "/v1/things/latest") == "GET /v1/things/latest"
    assert SCHEMA.find_operation("DELETE", "/v1/things/t1") is None


def test_a_packaged_schema_is_read_only_when_first_used() -> None:
    calls: list[int] = []

    def source() -> dict[str, Any]:
        calls.append(1)
        return DOCUMENT

    lazy = Schema(source)
    assert calls == []
    assert lazy.body_errors(POST, GOOD) == []
    assert lazy.load() is lazy.load()
    assert calls == [1]


def test_formats() -> None:
    assert is_date_time("2026-01-01T10:00:00Z")
    assert is_date_time("2026-01-01T10:00:00.5+02:00")
    assert not is_date_time("2026-01-01T10:00:00")
    assert not is_date_time("2026-13-01T10:00:00Z")
    assert is_uri("https://example.com/a")
    assert not is_uri("/relative")
