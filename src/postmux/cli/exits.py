"""Exit codes, decided in one place from the publications a command ends with."""

from __future__ import annotations

from collections.abc import Iterable

from ..results import Publication
from ..status import Status

__all__ = ["FAILED", "OK", "UNKNOWN", "USAGE", "for_publications"]

OK = 0
"""Every publication went through (or, without waiting, is on its way)."""
FAILED = 1
"""Some publication failed or was cancelled, or the vendor refused a request."""
USAGE = 2
"""Bad usage or input: validation problems, unknown provider, missing key. Nothing was sent."""
UNKNOWN = 3
"""Some publication's outcome is unknown (or still open when waiting ran out): check before resending."""


def for_publications(publications: Iterable[Publication], *, require_final: bool = False) -> int:
    """Unknown outranks failed: a human must look before anything is sent again."""
    items = list(publications)
    if any(p.status is Status.UNKNOWN for p in items):
        return UNKNOWN
    if require_final and any(not p.is_final for p in items):
        return UNKNOWN
    if any(p.status in (Status.FAILED, Status.CANCELLED) for p in items):
        return FAILED
    return OK
