"""Wonda's error bodies → postmux's error tree, and the upload error.

Wonda answers errors as ``{"error": {"message": "…", "code": "…"}}`` with
``code`` "always present" (its errors page); the official MCP client also
accepts ``error`` as a plain string. Each documented code picks its error class
(so a code that arrives with an unexpected status still means what it says);
``.code`` always keeps Wonda's own code. A 429 may carry ``deferUntil``, read
as the retry hint when there is no ``Retry-After`` header.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from postmux import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    ServerError,
)
from postmux.adapter import retry_after
from postmux.errors import error_for_status

__all__ = ["CODES", "UploadError", "defer_seconds", "error_for_response"]

CODES: Mapping[str, type[ProviderError]] = {
    "validation_error": InvalidRequestError,
    "bad_request": InvalidRequestError,
    "unknown_project": InvalidRequestError,
    "unauthorized": AuthenticationError,
    "payment_required": PaymentRequiredError,
    "insufficient_credits": PaymentRequiredError,
    "forbidden": PermissionDeniedError,
    "feature_disabled": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "project_exists": ConflictError,
    "gone": NotFoundError,
    "rate_limit_exceeded": RateLimitError,
    "throttled": RateLimitError,
    "internal_server_error": ServerError,
}
"""Every code on Wonda's errors page and the class it becomes."""


class UploadError(InvalidRequestError):
    """Wonda refused some files of an upload; nothing was published.

    ``files`` maps each refused file's name to Wonda's reason
    (``"Unsupported MIME type"``…).
    """

    def __init__(self, files: Mapping[str, str], **kwargs: Any) -> None:
        self.files = dict(files)
        listing = "; ".join(f"{name}: {reason}" for name, reason in self.files.items())
        super().__init__(
            f"Wonda refused {len(self.files)} file(s), nothing was published: {listing}", **kwargs
        )


def error_for_response(response: httpx.Response, body: str, *, provider: str) -> ProviderError:
    """The error for a Wonda response with status ≥ 400 (``body`` already scrubbed of the key)."""
    data = _load(body)
    message, code, envelope = _read_envelope(data)
    status = response.status_code
    hint = retry_after(response)
    if hint is None:
        hint = defer_seconds(envelope.get("deferUntil", data.get("deferUntil") if data else None))
    error = error_for_status(
        status,
        message or _fallback(body, status),
        provider=provider,
        code=code,
        body=body,
        retry_after=hint,
    )
    cls = CODES.get(code or "")
    if cls is None or type(error) is cls:
        return error
    if cls is RateLimitError:
        return RateLimitError(
            error.message, retry_after=hint, provider=provider, status_code=status, code=code, body=body
        )
    return cls(error.message, provider=provider, status_code=status, code=code, body=body)


def defer_seconds(value: object, *, now: datetime | None = None) -> float | None:
    """Seconds until ``deferUntil``.

    Undocumented beyond its name, so every plausible form is read: an ISO 8601
    time, epoch seconds or milliseconds, or a plain number of seconds.
    """
    if value is None or isinstance(value, bool):
        return None
    now = now or datetime.now(UTC)
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                value = float(value)
            except ValueError:
                return None
        else:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - now).total_seconds())
    if isinstance(value, int | float):
        number = float(value)
        if number > 1e12:  # epoch milliseconds
            return max(0.0, number / 1000 - now.timestamp())
        if number > 1e9:  # epoch seconds
            return max(0.0, number - now.timestamp())
        return max(0.0, number)
    return None


def _load(body: str) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _read_envelope(data: dict[str, Any] | None) -> tuple[str | None, str | None, dict[str, Any]]:
    """(message, code, the error object) from either envelope; empties when unreadable."""
    if data is None:
        return None, None, {}
    error = data.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        code = error.get("code")
        return (
            message if isinstance(message, str) else None,
            code if isinstance(code, str) else None,
            error,
        )
    code = data.get("code")
    message = error if isinstance(error, str) else data.get("message")
    return (
        message if isinstance(message, str) else None,
        code if isinstance(code, str) else None,
        {},
    )


def _fallback(body: str, status: int) -> str:
    """A message when the body has none: a short plain-text body is itself the message."""
    text = body.strip()
    if text.startswith("<"):
        return f"HTTP {status}: Wonda answered with an HTML page"
    try:
        json.loads(text)
    except ValueError:
        return text[:200] or f"HTTP {status}"
    return f"HTTP {status}"
