"""PostPeer's answers as neutral :class:`~postmux.Publication` objects.

PostPeer reports per *platform*, not per account: a post to two TikTok
accounts answers with two ``tiktok`` entries. A target is therefore matched to
the n-th entry of its platform, n being its place among the post's targets on
that platform (PostPeer keeps the request's order; an assumption, see the
README), and ``Publication.state`` remembers the platform and n so that
``GET /v1/posts/{postId}`` can be read the same way later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs

from postmux import Post, Publication, Route, Status, Target

from . import wire
from .vocabulary import STATUSES

__all__ = ["entry_state", "from_create", "listed", "refreshed", "requested"]

E = TypeVar("E", bound=wire.PlatformEntry)


def entry_state(
    platform: str, index: int, *, draft: bool = False, warning: str | None = None
) -> dict[str, str]:
    """What ``Publication.state`` keeps to find the target's entry again: its platform and n."""
    state = {"platform": platform, "index": str(index)}
    if draft:
        state["draft"] = "true"
    if warning:
        state["warning"] = warning
    return state


def _nth(entries: Sequence[E], platform: str, index: int) -> E | None:
    mine = [e for e in entries if e.platform == platform]
    return mine[index] if index < len(mine) else None


def from_create(
    answer: wire.CreateAnswer,
    post: Post,
    routes: Sequence[Route],
    raw: Mapping[str, Any],
    provider: str,
    sent: Mapping[str, Any],
) -> list[Publication]:
    """One publication per route from a create answer; each takes the next result of its platform.

    ``sent`` is the request's body: a TikTok ``draft`` is read from it as sent (an extras' too).
    """
    # an echo without offset is a wall-clock time in the zone the request named, as a read's is in its own
    zone = wire.schedule_fields(post.schedule_at)["timezone"] if post.schedule_at is not None else None
    when = wire.parse_when(answer.scheduledFor, zone) or post.schedule_at
    results: dict[str, list[wire.PlatformResult]] = {}
    for result in answer.platforms:
        results.setdefault(result.platform, []).append(result)
    taken: dict[str, int] = {}
    out: list[Publication] = []
    for route in routes:
        platform = route.platform
        index = taken[platform] = taken.get(platform, -1) + 1
        mine = results.get(platform, ())
        item = mine[index] if index < len(mine) else None
        drafts = [d for _, d in requested(sent, platform)]
        draft = index < len(drafts) and drafts[index]
        status = STATUSES(answer.status, draft=draft)  # accepted: the post's (a published draft: inbox)
        if item is None:
            status, error = Status.UNKNOWN, "PostPeer's answer names no result for this target"
        elif not item.success:
            status, error = Status.FAILED, item.error or "PostPeer: failed"
        else:  # a target accepted by a post that failed or went back to draft is still being worked on
            error = None
            status = Status.PROCESSING if status in (Status.FAILED, Status.CANCELLED) else status
        out.append(
            Publication(
                target=route.target,
                provider=provider,
                status=status,
                id=answer.postId,
                url=item.platformPostUrl if item and item.success else None,
                error=error,
                media_kind=post.kind,
                account_id=route.account_id,
                scheduled_for=when if answer.status == "scheduled" else None,
                state=entry_state(
                    platform, index, draft=draft, warning=item.warningMessage if item else None
                ),
                raw=raw,
            )
        )
    return out


def refreshed(
    publication: Publication, post: wire.PostDetail, raw: Mapping[str, Any], when: datetime | None
) -> Publication:
    """``publication`` as ``GET /v1/posts/{postId}`` describes it now (``when``: its ``scheduledFor``)."""
    state = dict(publication.state)
    index = int(state.get("index", "0") or 0)
    entry = _nth(post.platforms, state.get("platform", publication.target.platform), index)
    draft = state.get("draft") == "true"
    if entry is None:
        return attrs.evolve(
            publication, status=STATUSES(post.status, draft=draft), scheduled_for=when, raw=raw
        )
    if entry.warningMessage:
        state["warning"] = entry.warningMessage
    if entry.platformPostId:
        state["platform_post_id"] = entry.platformPostId
    return attrs.evolve(
        publication,
        status=STATUSES(entry.status, draft=draft),
        url=entry.platformPostUrl or publication.url,
        error=entry.errorMessage,
        scheduled_for=when or publication.scheduled_for,
        state=state,
        raw=raw,
    )


def requested(body: Mapping[str, Any] | None, platform: str) -> list[tuple[str, bool]]:
    """``(accountId, draft)`` of each of ``platform``'s entries in a post's ``rawRequestBody``, in order."""
    entries = body.get("platforms") if isinstance(body, Mapping) else None
    out: list[tuple[str, bool]] = []
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, Mapping) and entry.get("platform") == platform:
            data = entry.get("platformSpecificData")
            account = entry.get("accountId")
            draft = isinstance(data, Mapping) and data.get("draft") is True
            out.append((account if isinstance(account, str) else "", draft))
    return out


def listed(post: wire.PostDetail, raw: Mapping[str, Any], provider: str) -> list[Publication]:
    """One publication per platform entry of a listed post, with the account its request named.

    An entry whose account the request body does not show keeps an empty
    account (``Target(platform, "")``, ``account_id=None``): the post id is
    all that ``cancel`` and ``reschedule`` need.
    """
    when = wire.parse_when(post.scheduledFor, post.timezone)
    out: list[Publication] = []
    taken: dict[str, int] = {}
    for entry in post.platforms:
        index = taken[entry.platform] = taken.get(entry.platform, -1) + 1  # its place on its platform
        ids = requested(post.rawRequestBody, entry.platform)
        account = ids[index][0] if index < len(ids) else ""
        out.append(
            Publication(
                target=Target(entry.platform, account),
                provider=provider,
                status=STATUSES(entry.status),
                id=post.postId,
                scheduled_for=when,
                account_id=account or None,
                state=entry_state(entry.platform, index),
                raw=raw,
            )
        )
    return out
