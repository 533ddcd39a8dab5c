"""Shared test configuration: vcrpy (through pytest-recording) and small helpers.

Cassettes replay with record mode ``none`` (pytest-recording's default), so no
test reaches the internet. Every vendor's auth header is filtered on record,
and request bodies are matched as JSON where they are JSON, so key order and
spacing in a hand-written cassette do not matter.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

SECRET_HEADERS = ["x-api-key", "authorization", "x-access-key"]
TEST_KEY = "sk_test_0123456789abcdef"
"""The key tests use; a test that finds it in an error, repr or cassette fails."""


def _json_body(r1: Any, r2: Any) -> None:
    def load(r: Any) -> Any:
        body = r.body
        if body in (None, b"", ""):
            return None
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        try:
            return json.loads(body)
        except ValueError:
            return body

    a, b = load(r1), load(r2)
    if a != b:
        raise AssertionError(f"request bodies differ: {a!r} != {b!r}")


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": SECRET_HEADERS,
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "decode_compressed_response": True,
    }


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    vcr.register_matcher("json_body", _json_body)
