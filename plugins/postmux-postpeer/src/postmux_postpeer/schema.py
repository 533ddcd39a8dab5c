"""Our schema of what postmux sends PostPeer, derived from the vocabulary and checked by the emulator kit.

Written by us from the facts of PostPeer's OpenAPI 3.0 spec (field names,
types, enums, formats, lengths, ``additionalProperties: false``), only for
the operations postmux calls and the bodies it sends. Each
``platformSpecificData`` object is derived from the plugin's option maps and
the neutral option classes' field types (:func:`~postmux.sandbox.schema.option_schema`),
with what the spec says beyond those types declared below, so a key cannot be
renamed in one place and not the other. The test suite compares the document
with the official spec when ``POSTMUX_POSTPEER_OPENAPI`` names that file
(``tests/plugins/postpeer/test_schema_drift.py``), and checks the kit's
checker (:class:`postmux.sandbox.schema.Schema`) against ``jsonschema``.
"""

from __future__ import annotations

from typing import Any

from postmux.sandbox.schema import Schema, enum_schema, object_schema, option_schema

from .vocabulary import FACEBOOK, INSTAGRAM, STATUSES, THREADS, TIKTOK, VOCABULARY, YOUTUBE

__all__ = ["BRANCHES", "MORE", "SCHEMA", "body_errors", "definition_of", "find_operation", "schema"]

STRING = {"type": "string"}
URI = {"type": "string", "format": "uri"}
WHEN = {"type": "string", "format": "date-time"}
NAME = {"type": "string", "minLength": 1}
USERNAME = {"type": "string", "minLength": 1, "maxLength": 30, "pattern": "^[A-Za-z0-9._]+$"}

MORE: dict[str, dict[str, dict[str, Any]]] = {
    TIKTOK.platform: {
        "videoCoverTimestampMs": {"type": "number"},
        "photoCoverIndex": {"type": "number"},
        "description": {"type": "string", "maxLength": 4000},  # a photo post's caption (body.py)
    },
    INSTAGRAM.platform: {
        "coverUrl": URI,
        "collaborators": {"minItems": 1, "maxItems": 3, "uniqueItems": True, "items": USERNAME},
    },
    THREADS.platform: {"replyControl": enum_schema("everyone", "accounts_you_follow", "mentioned_only")},
    FACEBOOK.platform: {"link": URI, "videoThumbnailUrl": URI},
    YOUTUBE.platform: {"title": {"maxLength": 100}, "firstComment": {"maxLength": 10000}},
}
"""What the spec says of a ``platformSpecificData`` key beyond its neutral field's type."""

BRANCHES = ("instagram", "youtube", "tiktok", "facebook", "threads")
"""The platforms of ``platforms[]``, in the spec's ``oneOf`` order (the order its errors list them in)."""


def definition_of(platform: str) -> str:
    """The spec's name of a platform's options object: ``TikTokConfigurations``."""
    option_map = VOCABULARY.for_platform(platform)
    assert option_map is not None
    return option_map.options.__name__.removesuffix("Options") + "Configurations"


def _entry(platform: str) -> dict[str, Any]:
    """One ``platforms[]`` branch: the entry of a target on ``platform``."""
    properties = {"platform": enum_schema(platform), "accountId": STRING, "content": STRING}
    properties["platformSpecificData"] = {"$ref": f"#/definitions/{definition_of(platform)}"}
    return object_schema(properties, "platform", "accountId")


def _document() -> dict[str, Any]:
    entries = {"discriminator": {"propertyName": "platform"}, "oneOf": [_entry(p) for p in BRANCHES]}
    post = {
        "content": STRING,
        "mediaItems": {"type": "array", "items": {"$ref": "#/definitions/MediaItem"}},
        "platforms": {"type": "array", "minItems": 1, "items": entries},
        "publishNow": {"type": "boolean"},
        "scheduledFor": WHEN,
        "timezone": STRING,
    }
    media = {"type": enum_schema("image", "video", "gif", "document"), "url": URI, "thumbnail": URI}
    definitions = {
        "PostPayload": object_schema(post, "content", "platforms"),
        "MediaItem": object_schema(media, "type", "url"),
        **{definition_of(m.platform): option_schema(m, **MORE[m.platform]) for m in VOCABULARY.options},
        "Reschedule": object_schema({"scheduledFor": WHEN, "timezone": STRING}, "scheduledFor", closed=False),
        "MediaUpload": object_schema({"filename": NAME, "mimeType": NAME}, "filename", "mimeType"),
        "Status": enum_schema(*STATUSES),
    }
    bodies = {"POST /v1/posts/": "PostPayload", "PATCH /v1/posts/scheduled/{postId}": "Reschedule"}
    bodies["POST /v1/media/upload"] = "MediaUpload"
    reads = ["GET /v1/posts/", "GET /v1/posts/{postId}", "GET /v1/posts/scheduled/"]
    reads += ["DELETE /v1/posts/scheduled/{postId}", "GET /v1/connect/integrations"]
    reads += ["GET /v1/connect/{platform}", "GET /v1/tiktok/creator-info"]
    operations: dict[str, Any] = {key: {"body": {"$ref": f"#/definitions/{d}"}} for key, d in bodies.items()}
    operations.update({key: {} for key in reads})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "urn:postmux-postpeer:schema",
        "operations": operations,
        "definitions": definitions,
    }


SCHEMA = Schema(_document)
"""The document, built on first use."""

schema = SCHEMA.load
body_errors = SCHEMA.body_errors
find_operation = SCHEMA.find_operation
