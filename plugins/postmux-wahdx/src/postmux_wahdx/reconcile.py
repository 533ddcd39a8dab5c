"""Settling Wahdx ``unknown``s, as far as its documented API reaches.

Wahdx reads a publication by ``accountId`` + ``publishId`` only (``GET
/api/content/status/…`` and the batch's ``checks``); its batch's other mode,
``{"postId"}``, is for scheduled posts, which postmux does not make here
(Wahdx documents no way to schedule). It lists no posts and searches none. So a
publication with a publish id is read back (a 404 is absent), an id salvaged
from an answer cut short (``"publish_id": "…"`` whole) included; one without (a
lost, cut-short or 5xx answer to ``POST /api/content/post``) cannot be checked:
the reason says what to look for on the account.
"""

from __future__ import annotations

from collections.abc import Sequence

from postmux import Adapter, Publication
from postmux.flow import Flow
from postmux.reconcile import Finding, by_id, hand_check, salvaged

__all__ = ["WHY", "reconcile"]

WHY = (
    "Wahdx finds a post only by its publish id, which its answer did not give"
    " (it lists no posts; batch status by postId is for scheduled posts)"
)


def reconcile(adapter: Adapter, publications: Sequence[Publication]) -> Flow[list[Finding]]:
    """By publish id where Wahdx gave one; the rest uncheckable, with what to check by hand."""
    publications = [salvaged(p, "publish_id") for p in publications]  # from an answer cut short
    found = yield from by_id(adapter, publications)
    return [f or Finding.uncheckable(hand_check(p, WHY)) for f, p in zip(found, publications, strict=True)]
