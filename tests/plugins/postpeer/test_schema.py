"""The plugin's own schema of PostPeer's bodies, and the dependency-free checker the emulator uses.

The emulator checks bodies with :func:`postmux_postpeer.schema.body_errors`
(the standard library only); the tests check them with ``jsonschema``. Both
must refuse the same bodies, or the sandbox would accept what the tests call
wrong (or the reverse): every keyword the schema uses is tried here once.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from postmux import Post, Route, Target
from postmux.sandbox.schema import KEYWORDS
from postmux_postpeer import PostPeerAdapter
from postmux_postpeer import schema as ours

from .spec import Spec

PLATFORMS = ["tiktok", "instagram", "threads", "facebook", "youtube"]


def _valid_post() -> dict[str, Any]:
    post = Post(text="hi", media=["https://cdn.example.com/a.mp4"], targets=[Target(p, p) for p in PLATFORMS])
    routes = [Route(t, t.account) for t in post.targets]
    return PostPeerAdapter().post_body(post, routes, ("https://cdn.example.com/a.mp4",))


def _with(path: str, value: Any) -> dict[str, Any]:
    """The valid post with one value set (``a/0/b`` walks dicts and lists); ``...`` deletes it."""
    body = _valid_post()
    *parents, last = path.split("/")
    node: Any = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return body


def _data(platform: str) -> str:
    return f"platforms/{PLATFORMS.index(platform)}/platformSpecificData"


POST = "POST /v1/posts/"
PATCH = "PATCH /v1/posts/scheduled/{postId}"
UPLOAD = "POST /v1/media/upload"

REFUSED: list[tuple[str, str, Any]] = [
    ("additionalProperties", POST, _with("scheduledAt", "2026-07-01T09:00:00Z")),
    ("required", POST, _with("content", ...)),
    ("type string", POST, _with("content", 5)),
    ("type boolean", POST, _with("publishNow", "yes")),
    ("minItems", POST, _with("platforms", [])),
    ("discriminator", POST, _with("platforms/0/platform", "twitter")),
    ("branch required", POST, _with("platforms/0/accountId", ...)),
    ("nested additionalProperties", POST, _with(f"{_data('youtube')}/privacyStatus", "public")),
    ("enum", POST, _with(f"{_data('tiktok')}/privacyLevel", "PUBLIC")),
    ("minimum", POST, _with(f"{_data('tiktok')}/videoCoverTimestampMs", -1)),
    ("type number", POST, _with(f"{_data('tiktok')}/videoCoverTimestampMs", True)),
    ("type integer", POST, _with(f"{_data('instagram')}/thumbOffset", 1.5)),
    ("array minItems", POST, _with(f"{_data('instagram')}/collaborators", [])),
    ("maxItems", POST, _with(f"{_data('instagram')}/collaborators", ["a", "b", "c", "d"])),
    ("uniqueItems", POST, _with(f"{_data('instagram')}/collaborators", ["a", "a"])),
    ("pattern", POST, _with(f"{_data('instagram')}/collaborators", ["not a name!"])),
    ("minLength", POST, _with(f"{_data('instagram')}/collaborators", [""])),
    ("maxLength", POST, _with(f"{_data('youtube')}/title", "t" * 101)),
    ("items type", POST, _with(f"{_data('threads')}/altText", [1])),
    ("format uri", POST, _with("mediaItems/0/url", "a.mp4")),
    ("media enum", POST, _with("mediaItems/0/type", "photo")),
    ("format date-time", POST, {**_with("publishNow", ...), "scheduledFor": "2026-07-01T09:00:00"}),
    ("reschedule required", PATCH, {"timezone": "UTC"}),
    ("reschedule date-time", PATCH, {"scheduledFor": "tomorrow"}),
    ("upload minLength", UPLOAD, {"filename": "", "mimeType": "image/png"}),
    ("upload additionalProperties", UPLOAD, {"filename": "a.png", "mimeType": "image/png", "size": 3}),
    ("not an object", UPLOAD, ["a.png"]),
]

ACCEPTED: list[tuple[str, str, Any]] = [
    ("every platform", POST, _valid_post()),
    ("scheduled", POST, {**_with("publishNow", ...), "scheduledFor": "2026-07-01T09:00:00+02:00"}),
    ("integral float", POST, _with(f"{_data('instagram')}/thumbOffset", 2.0)),
    ("reschedule", PATCH, {"scheduledFor": "2026-07-01T09:00:00Z", "timezone": "Europe/Paris"}),
    ("reschedule allows more keys", PATCH, {"scheduledFor": "2026-07-01T09:00:00Z", "note": "x"}),
    ("upload", UPLOAD, {"filename": "a.png", "mimeType": "image/png"}),
]


def _jsonschema_errors(spec: Spec, operation: str, body: Any) -> list[str]:
    method, path = operation.split(" ", 1)
    validator = spec.validator(method, path.replace("{postId}", "p1"))
    assert validator is not None
    return [e.message for e in validator.iter_errors(body)]


@pytest.mark.parametrize(("what", "operation", "body"), REFUSED, ids=[r[0] for r in REFUSED])
def test_both_checkers_refuse(spec: Spec, what: str, operation: str, body: Any) -> None:
    assert _jsonschema_errors(spec, operation, body), f"jsonschema accepts {what}"
    assert ours.body_errors(operation, body), f"the emulator's checker accepts {what}"


@pytest.mark.parametrize(("what", "operation", "body"), ACCEPTED, ids=[r[0] for r in ACCEPTED])
def test_both_checkers_accept(spec: Spec, what: str, operation: str, body: Any) -> None:
    assert _jsonschema_errors(spec, operation, body) == []
    assert ours.body_errors(operation, body) == []


def test_messages_name_the_field_as_ajv_does() -> None:
    errors = ours.body_errors(POST, _with(f"{_data('youtube')}/privacyStatus", "public"))
    assert errors == [
        "body/platforms/4/platformSpecificData must NOT have additional properties: 'privacyStatus'"
    ]
    assert ours.body_errors(POST, _with("platforms/0/platform", "twitter")) == [
        "body/platforms/0/platform must be equal to one of the allowed values: "
        "instagram, youtube, tiktok, facebook, threads"
    ]
    assert ours.body_errors(UPLOAD, {"filename": "a.png"}) == ["body must have required property 'mimeType'"]


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A schema node and every node beneath it."""
    yield node
    for sub in [*node.get("properties", {}).values(), *node.get("oneOf", ())]:
        yield from _nodes(sub)
    if "items" in node:
        yield from _nodes(node["items"])


def test_the_schema_uses_only_keywords_the_emulator_checks() -> None:
    document = ours.schema()
    nodes = [n for d in document["definitions"].values() for n in _nodes(d)]
    nodes += [op["body"] for op in document["operations"].values() if "body" in op]
    used = {key for node in nodes for key in node} | (set(document) - {"operations", "definitions"})
    assert used <= KEYWORDS, sorted(used - KEYWORDS)


def test_the_schema_is_valid_draft_7_and_every_operation_resolves(spec: Spec) -> None:
    jsonschema.Draft7Validator.check_schema(ours.schema())
    for key, operation in ours.schema()["operations"].items():
        method, path = key.split(" ", 1)
        assert ours.find_operation(method, path.rstrip("/").replace("{postId}", "p1")) == key
        assert (spec.validator(method, path.replace("{postId}", "p1")) is None) == ("body" not in operation)
    assert ours.find_operation("POST", "/v1/post") is None


def test_the_emulator_always_checks_bodies_without_a_warning() -> None:
    """The old emulator skipped body checks (with a RuntimeWarning) unless the spec was beside it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ours.body_errors(POST, copy.deepcopy(_with("content", ...)))


def test_the_schema_loads_without_jsonschema_and_from_outside_the_repository(tmp_path: Any) -> None:
    """A ``postmux[sandbox]`` user has no jsonschema: the checker must not import it."""
    code = (
        "import sys; sys.modules['jsonschema'] = None; sys.modules['referencing'] = None\n"
        "from postmux_postpeer.schema import body_errors\n"
        "import json; print(json.dumps(body_errors('POST /v1/media/upload', {'filename': 'a.png'})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == ["body must have required property 'mimeType'"]
