"""Wonda's answers as typed classes, and the strict converter that reads them.

The request bodies are plain dicts written by :mod:`.mapping` from the
vocabulary. Answer classes mirror Wonda's spelling (``wonda-publish-tiktok.txt``
and the Wonda pages cited in ``VENDORS.md`` §2) and keep only what postmux
reads; unknown fields are tolerated (the raw body is kept on the publication).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from postmux.wire import base_converter

__all__ = [
    "JobAnswer",
    "JobBody",
    "UploadAnswer",
    "UploadItem",
    "converter",
]


# -- answers -------------------------------------------------------------------


@attrs.frozen(slots=True, kw_only=True)
class UploadItem:
    """One uploaded file: the ``mediaId`` to publish with."""

    mediaId: str  # noqa: N815 - Wonda's spelling


@attrs.frozen(slots=True, kw_only=True)
class UploadAnswer:
    """``POST /media/upload``: ``uploads`` by form field, and ``errors`` by field on partial failure."""

    uploads: dict[str, UploadItem] = attrs.field(factory=dict)
    errors: dict[str, str] = attrs.field(factory=dict)
    mediaId: str | None = None  # noqa: N815 - the single-file form also has it at the top


@attrs.frozen(slots=True, kw_only=True)
class JobAnswer:
    """The answer to a single-post publish: a job to poll, or a scheduled job."""

    outputJobId: str  # noqa: N815
    status: str
    scheduledFor: datetime | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class JobBody:
    """``GET /jobs/publish/{id}``: only ``status`` and ``errorMessage`` are documented."""

    status: str
    errorMessage: str | None = None  # noqa: N815


converter = base_converter()
"""Reads the answer classes above: strict about types, tolerant of fields it does not know."""
