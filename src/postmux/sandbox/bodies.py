"""Reading a request in an emulator's checks: form files, strings, times ahead.

An emulator refuses what its vendor's validator would refuse, and the same few
checks come back at every vendor: the files of a multipart form, a string
field and its length, a time that must lie ahead within a window. Each refusal
is a :class:`~postmux.sandbox.kit.Rejected` (400) naming the field, so a
handler's checks read as a list and are answered once, in the vendor's shape.
The multipart form is read with the standard library's MIME parser, so the
sandbox needs no form-parsing dependency.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import attrs
from starlette.requests import Request

from .kit import Rejected

__all__ = ["FormFile", "form_files", "text", "time_ahead"]


@attrs.frozen(slots=True)
class FormFile:
    """One part of a multipart form: its field name, file name (``upload`` if none), type and bytes."""

    field: str
    filename: str
    mime_type: str
    data: bytes


async def form_files(request: Request, *, code: str | None = None) -> list[FormFile]:
    """The named parts of a ``multipart/form-data`` request, in order; another body is refused (``code``)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise Rejected(400, "Expected multipart/form-data", code)
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(head + await request.body())
    files = []
    for part in message.iter_parts():
        field = part.get_param("name", header="content-disposition")
        if isinstance(field, str):
            data = part.get_payload(decode=True)
            raw = data if isinstance(data, bytes) else b""
            files.append(FormFile(field, part.get_filename() or "upload", part.get_content_type(), raw))
    return files


def text(body: Mapping[str, Any], field: str, limit: int | None = None) -> str:
    """``body[field]`` as a string of at most ``limit`` characters; absent or ``null`` is ``""``."""
    value = body.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Rejected(400, f"'{field}' must be a string")
    if limit is not None and len(value) > limit:
        raise Rejected(400, f"'{field}' must be at most {limit} characters")
    return value


def time_ahead(value: Any, field: str, now: datetime, earliest: timedelta, latest: timedelta) -> datetime:
    """An ISO 8601 time with its offset (``Z`` or ``±hh:mm``), ``earliest`` to ``latest`` after ``now``."""
    if not isinstance(value, str):
        raise Rejected(400, f"'{field}' must be an ISO 8601 string")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Rejected(400, f"'{field}' must be an ISO 8601 timestamp") from None
    if when.tzinfo is None:
        raise Rejected(400, f"'{field}' must include a timezone offset")
    if not earliest <= when - now <= latest:
        window = f"between {_span(earliest)} and {_span(latest)} in the future"
        raise Rejected(400, f"'{field}' must be {window}")
    return when


def _span(delta: timedelta) -> str:
    """``5 minutes``, ``29 days``: a window's bound in the largest unit that divides it."""
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"
