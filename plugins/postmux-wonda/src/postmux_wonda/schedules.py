"""Reading ``GET /publish/scheduled``, whose answer Wonda does not document.

The page says only that it "lists scheduled Instagram and TikTok publish jobs
for the account, soonest first". postmux therefore reads it tolerantly: the
list may be the body itself or sit under a key such as ``scheduled`` or
``jobs``; each item's id may be ``outputJobId``, ``jobId`` or ``id``; the
platform comes from ``platform`` or from which account id the item carries;
the time from ``scheduledFor`` or ``scheduledAt``. An item without any id is
a :class:`~postmux.ResponseError`, since it could not be cancelled.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from postmux import Publication, ResponseError, Status, Target
from postmux.wire import excerpt, find, parse_datetime

__all__ = ["LIST_KEYS", "scheduled_publications"]

LIST_KEYS = ("scheduled", "jobs", "items", "data", "publishes", "results", "scheduledJobs")
"""Keys under which the list is looked for when the body is an object (and in objects under them)."""

_ID_KEYS = ("outputJobId", "jobId", "id")
_PLATFORM_ACCOUNT_KEYS = (("tiktok", "tiktokAccountId"), ("instagram", "instagramAccountId"))


def scheduled_publications(data: Any, *, provider: str) -> list[Publication]:
    """One ``scheduled`` :class:`Publication` per item of the answer."""
    items = find(data, lambda value: isinstance(value, list), under=LIST_KEYS)
    if items is None:
        raise ResponseError(
            "cannot find the list of scheduled jobs in the response", provider=provider, body=excerpt(data)
        )
    return [_publication(item, provider) for item in items]


def _publication(item: Any, provider: str) -> Publication:
    if not isinstance(item, Mapping):
        raise ResponseError("a scheduled job is not an object", provider=provider, body=excerpt(item))
    job_id = next((item[k] for k in _ID_KEYS if isinstance(item.get(k), str) and item[k]), None)
    if job_id is None:
        raise ResponseError(
            "a scheduled job has no outputJobId, jobId or id", provider=provider, body=excerpt(item)
        )
    platform, account = _platform_and_account(item)
    return Publication(
        target=Target(platform, account),
        provider=provider,
        status=Status.SCHEDULED,
        id=job_id,
        scheduled_for=_when(item),
        account_id=account or None,
        raw=dict(item),
    )


def _platform_and_account(item: Mapping[str, Any]) -> tuple[str, str]:
    platform = item.get("platform")
    for name, key in _PLATFORM_ACCOUNT_KEYS:
        account = item.get(key)
        if isinstance(account, str) and (platform is None or str(platform).lower() == name):
            return name, account
    account = item.get("accountId")
    return (
        str(platform).lower() if isinstance(platform, str) else "unknown",
        account if isinstance(account, str) else "",
    )


def _when(item: Mapping[str, Any]) -> datetime | None:
    for key in ("scheduledFor", "scheduledAt"):
        with contextlib.suppress(TypeError, ValueError):
            return parse_datetime(item.get(key))
    return None
