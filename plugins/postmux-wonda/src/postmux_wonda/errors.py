"""Wonda's error bodies → postmux's error tree, and the upload error.

The envelope and the codes are declared in :mod:`.vocabulary` (each
documented code picks its error class; ``.code`` always keeps Wonda's own
code). What is Wonda's alone: a 429 may carry ``deferUntil``, read as the
retry hint when there is no ``Retry-After`` header.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from postmux import InvalidRequestError, ProviderError
from postmux.adapter import retry_after

from .vocabulary import CODES, VOCABULARY

__all__ = ["CODES", "UploadError", "defer_seconds", "error_for_response"]


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
    hint = retry_after(response)
    if hint is None:
        data = _load(body)
        error = data.get("error") if data else None
        defer = error.get("deferUntil") if isinstance(error, dict) else None
        hint = defer_seconds(defer if defer is not None else (data or {}).get("deferUntil"))
    return VOCABULARY.errors.error_for(response, body, provider=provider, retry_after=hint)


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
