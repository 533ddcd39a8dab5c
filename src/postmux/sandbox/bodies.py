"""Reading a request in an emulator's checks: form files, ids, strings, times ahead, time zones.

An emulator refuses what its vendor's validator would refuse, and the same few
checks come back at every vendor: the files of a multipart form, the id a
request names, a string field and its length, a time that must lie ahead
within a window, the time zone named beside it. Each refusal is a
:class:`~postmux.sandbox.kit.Rejected` (400) naming the field, so a handler's
checks read as a list and are answered once, in the vendor's shape.
The multipart form is read with the standard library's MIME parser, so the
sandbox needs no form-parsing dependency.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from starlette.requests import Request

from .kit import Rejected

__all__ = ["FormFile", "form_files", "identifier", "text", "time_ahead", "time_zone"]


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


def identifier(value: Any, field: str, *, refusal: str = "'{field}' is required") -> str:
    """``value`` as the id a request names (an account's, an upload's): a string, not empty.

    Anything else (absent, ``null``, a number, ``""``) is refused with
    ``refusal``, a template naming ``field`` (``"{field} is required"``: the vendor's words).
    """
    if not isinstance(value, str) or not value:
        raise Rejected(400, refusal.format(field=field))
    return value


def time_ahead(
    value: Any,
    field: str,
    now: datetime,
    earliest: timedelta = timedelta(0),
    latest: timedelta | None = None,
    *,
    refusal: str | None = None,
) -> datetime:
    """An ISO 8601 time with its offset (``Z`` or ``±hh:mm``), ahead of ``now``.

    Ahead means later than ``now`` by ``earliest`` at least (by any amount when
    that is zero) and by ``latest`` at most (``None``: no bound). A time out of
    that window is refused with ``refusal``, a ``str.format`` template naming
    ``field``, ``earliest`` and ``latest`` (``"{field} must be in the future"``:
    the vendor's words); by default it says the window, in the largest units.
    Upper case only (``T``, ``Z``), as ISO 8601 writes them: a vendor whose
    validator takes RFC 3339's lower case too hands it ``value.upper()``.
    """
    if not isinstance(value, str):
        raise Rejected(400, f"'{field}' must be an ISO 8601 string")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Rejected(400, f"'{field}' must be an ISO 8601 timestamp") from None
    if when.tzinfo is None:
        raise Rejected(400, f"'{field}' must include a timezone offset")
    ahead = when - now
    if ahead < earliest or ahead <= timedelta(0) or (latest is not None and ahead > latest):
        said = {"field": field, "earliest": _span(earliest), "latest": _span(latest) if latest else ""}
        raise Rejected(400, (refusal or _window(earliest, latest)).format(**said))
    return when


def time_zone(
    body: Mapping[str, Any], field: str, default: str = "UTC", *, refusal: str = "Invalid {field}: {value}"
) -> str:
    """``body[field]`` as an IANA time zone name (``Europe/Paris``), ``default`` when absent.

    A name the system's zone database does not hold is refused with
    ``refusal``, a template naming ``field`` and ``value`` (the vendor's words).
    """
    value = body.get(field, default)
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise Rejected(400, refusal.format(field=field, value=value)) from None
    return str(value)


def _window(earliest: timedelta, latest: timedelta | None) -> str:
    """The default refusal of a time outside its window, as a template."""
    if latest is not None:
        return "'{field}' must be between {earliest} and {latest} in the future"
    return (
        "'{field}' must be at least {earliest} in the future"
        if earliest
        else "'{field}' must be in the future"
    )


def _span(delta: timedelta) -> str:
    """``5 minutes``, ``29 days``: a window's bound in the largest unit that divides it."""
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"
