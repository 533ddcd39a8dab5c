"""Our schema of what postmux sends PostPeer, checked by the core's emulator kit.

``schema.json`` beside this module (package data, so it is in the wheel) is
written by us from the facts of PostPeer's OpenAPI 3.0 spec: field names,
types, enums, formats, lengths and ``additionalProperties: false``. It is not a
copy of the spec, only the operations postmux calls and the bodies it sends,
so the plugin and its emulator stand alone. The test suite compares it with
the official spec when ``POSTMUX_POSTPEER_OPENAPI`` names that file
(``tests/plugins/postpeer/test_schema_drift.py``), and checks the kit's
checker (:class:`postmux.sandbox.schema.Schema`) against ``jsonschema``.
"""

from __future__ import annotations

from postmux.sandbox.schema import KEYWORDS, Schema, format_checker, is_date_time, is_uri

__all__ = [
    "KEYWORDS",
    "SCHEMA",
    "body_errors",
    "find_operation",
    "format_checker",
    "is_date_time",
    "is_uri",
    "resolve",
    "schema",
]

SCHEMA = Schema.packaged(__package__)
"""``schema.json``, read on first use."""

schema = SCHEMA.load
body_errors = SCHEMA.body_errors
find_operation = SCHEMA.find_operation
resolve = SCHEMA.resolve
