"""Settling Wonda ``unknown``s, as far as its documented endpoints reach.

A publication with an ``outputJobId`` (one the answer gave before it was cut
short included) is read back through ``GET
/jobs/publish/{id}`` (a 404 is absent). Without one — the answer to ``POST
/publish/…`` was lost, cut short or a 5xx — Wonda documents nothing that finds
the post: the TikTok publish history has no documented REST path; the
Instagram history (``GET /instagram/publishes``) documents only its filters and
cursor, not a field (caption, media id) to tell one publish from another; and
``GET /media/{mediaId}`` describes an uploaded file, not the posts made of it.
So those stay ``unknown``, each with what to check by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

from postmux import Adapter, Publication
from postmux.flow import Flow
from postmux.reconcile import Finding, by_id, hand_check, salvaged

__all__ = ["reconcile", "why"]


def why(publication: Publication) -> str:
    """Why Wonda's API cannot settle ``publication`` (it has no job id)."""
    if publication.target.platform == "instagram":
        return (
            "Wonda's answer gave no job id, and its Instagram publish history documents no field"
            " to match a post by (see `wonda publish history instagram`)"
        )
    return (
        "Wonda's answer gave no job id, and its TikTok publish history has no documented REST path"
        " (see `wonda publish history tiktok`)"
    )


def reconcile(adapter: Adapter, publications: Sequence[Publication]) -> Flow[list[Finding]]:
    """By job id where Wonda gave one; the rest uncheckable, with what to check by hand."""
    publications = [salvaged(p, "outputJobId") for p in publications]  # from an answer cut short
    found = yield from by_id(adapter, publications)
    return [f or Finding.uncheckable(hand_check(p, why(p))) for f, p in zip(found, publications, strict=True)]
