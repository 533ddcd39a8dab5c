"""postmux's PostPeer schema against PostPeer's official OpenAPI spec, when the spec is given.

``postmux_postpeer/schema.py`` builds ours, written from the spec's facts; the
spec itself is PostPeer's document and is not in this repository. Set
``POSTMUX_POSTPEER_OPENAPI`` to its path (``.ci/run`` does when
``../shared/vendor-docs/postpeer-openapi.json`` is beside the checkout) and
these tests fail, naming each field, wherever the two disagree. Without it the
comparison with the spec is skipped; the comparison itself is still tested
here on a small spec-shaped document.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from postmux_postpeer import schema as ours

from .drift import drift

SPEC_ENV = "POSTMUX_POSTPEER_OPENAPI"

needs_spec = pytest.mark.skipif(
    not os.environ.get(SPEC_ENV),
    reason=f"{SPEC_ENV} is not set: set it to the path of PostPeer's official OpenAPI JSON "
    "to compare postmux_postpeer/schema.py with it",
)


@pytest.fixture(scope="module")
def official() -> dict[str, Any]:
    """The official spec named by the environment; a named file that is missing is a failure."""
    path = Path(os.environ[SPEC_ENV])
    assert path.is_file(), f"{SPEC_ENV}={path} names no file"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert str(document.get("openapi", "")).startswith("3."), f"{path} is not an OpenAPI 3 document"
    return document


@needs_spec
def test_our_schema_matches_postpeer_s_spec(official: dict[str, Any]) -> None:
    problems = drift(ours.schema(), official)
    assert not problems, "postmux_postpeer/schema.py has drifted from PostPeer's spec:\n" + "\n".join(
        problems
    )


@needs_spec
def test_every_platform_postmux_publishes_to_is_a_branch_of_the_spec(official: dict[str, Any]) -> None:
    from postmux_postpeer.emulator import PLATFORMS

    platforms = ours.schema()["definitions"]["PostPayload"]["properties"]["platforms"]["items"]["oneOf"]
    assert {b["properties"]["platform"]["enum"][0] for b in platforms} == set(PLATFORMS)
    assert set(PLATFORMS) <= set(official["components"]["schemas"]["Platform"]["enum"])


def _break(document: dict[str, Any], change: str) -> dict[str, Any]:
    """A copy of our schema with one field changed as a careless edit (or a spec update) would."""
    broken = copy.deepcopy(document)
    definitions = broken["definitions"]
    if change == "enum":
        definitions["YouTubeConfigurations"]["properties"]["visibility"]["enum"].append("secret")
    elif change == "maxLength":
        definitions["YouTubeConfigurations"]["properties"]["title"]["maxLength"] = 90
    elif change == "type":
        definitions["TikTokConfigurations"]["properties"]["videoCoverTimestampMs"]["type"] = "integer"
    elif change == "format":
        del definitions["MediaItem"]["properties"]["url"]["format"]
    elif change == "property":
        definitions["PostPayload"]["properties"]["scheduledAt"] = {"type": "string"}
    elif change == "required":
        definitions["PostPayload"]["required"].append("publishNow")
    elif change == "additionalProperties":
        del definitions["MediaUpload"]["additionalProperties"]
    elif change == "operation":
        broken["operations"]["POST /v1/post"] = {"body": {"$ref": "#/definitions/MediaUpload"}}
    elif change == "branch":
        branch = definitions["PostPayload"]["properties"]["platforms"]["items"]["oneOf"][0]
        branch["properties"]["platform"]["enum"] = ["mastodon"]
    return broken


CHANGES = [
    ("enum", "visibility: enum"),
    ("maxLength", "title: maxLength is 90"),
    ("type", "videoCoverTimestampMs: type is 'integer'"),
    ("format", "url: format is None"),
    ("property", "scheduledAt: not a property in the spec"),
    ("required", "'publishNow' is required in our schema"),
    ("additionalProperties", "additionalProperties is None in our schema, False in the spec"),
    ("operation", "POST /v1/post: the spec has no such operation"),
    ("branch", "no platform='mastodon' branch"),
]


@needs_spec
@pytest.mark.parametrize(("change", "message"), CHANGES, ids=[c for c, _ in CHANGES])
def test_a_drifted_field_fails_and_is_named(official: dict[str, Any], change: str, message: str) -> None:
    problems = drift(_break(ours.schema(), change), official)
    assert any(message in p for p in problems), problems


# -- the comparison itself, on a spec-shaped document (runs without the spec) --------------------


def _as_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """Our schema rewritten as an OpenAPI document: what the spec looks like when nothing drifted."""
    text = json.dumps(document["definitions"]).replace("#/definitions/", "#/components/schemas/")
    schemas = json.loads(text)
    paths: dict[str, Any] = {}
    for key, operation in document["operations"].items():
        method, path = key.split(" ", 1)
        op: dict[str, Any] = {"responses": {}}
        if "body" in operation:
            ref = operation["body"]["$ref"].replace("#/definitions/", "#/components/schemas/")
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}
        paths.setdefault(path, {})[method.lower()] = op
    return {"openapi": "3.0.0", "paths": paths, "components": {"schemas": schemas}}


def test_an_unchanged_schema_shows_no_drift() -> None:
    assert drift(ours.schema(), _as_openapi(ours.schema())) == []


@pytest.mark.parametrize(("change", "message"), CHANGES, ids=[c for c, _ in CHANGES])
def test_the_comparison_names_each_kind_of_drift(change: str, message: str) -> None:
    problems = drift(_break(ours.schema(), change), _as_openapi(ours.schema()))
    assert any(message in p for p in problems), problems


def test_a_constraint_the_spec_adds_is_drift_too() -> None:
    spec = _as_openapi(ours.schema())
    spec["components"]["schemas"]["MediaUpload"]["properties"]["filename"]["maxLength"] = 255
    spec["components"]["schemas"]["Reschedule"]["properties"]["timezone"]["nullable"] = True
    spec["components"]["schemas"]["Reschedule"]["properties"]["timezone"]["not"] = {"enum": [""]}
    problems = drift(ours.schema(), spec)
    assert any("filename: maxLength is None in our schema, 255 in the spec" in p for p in problems)
    assert any("timezone: nullable is None in our schema, True in the spec" in p for p in problems)
    assert any("timezone: the spec says not=" in p for p in problems)


def test_a_body_the_spec_no_longer_takes_is_drift() -> None:
    spec = _as_openapi(ours.schema())
    del spec["paths"]["/v1/media/upload"]["post"]["requestBody"]
    spec["paths"]["/v1/posts/{postId}"]["get"]["requestBody"] = {"required": True}
    problems = drift(ours.schema(), spec)
    assert "POST /v1/media/upload: we send a JSON body, the spec takes none" in problems
    assert "GET /v1/posts/{postId}: the spec requires a body, ours sends none" in problems
