"""Settling PostPeer ``unknown``s: its post list, matched by account, content and time.

A publication with a post id is read back (``GET /v1/posts/{postId}``; 404:
absent). One without (the create answer was lost, cut short or a 5xx) is
looked for in ``GET /v1/posts?createdAfter=…&platform=…&sort=asc``, every
page: a listed post matches when its ``content`` has the attempt's digest and
its ``rawRequestBody.platforms[]`` names the attempt's account on the target's
platform, unless its request's ``mediaItems`` provably differ from the
attempt's media (another send of the same text: if only such posts match, it is
left for a person). One match is found (its entry read as ``status()`` reads
it), none is absent, several are left for a person to pick. Assumptions (README): the
list shows a post as soon as its create request has been answered, and it
shows every post, failed ones included; ``createdAt`` is within
:data:`SLACK` of the attempt's time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from postmux import Adapter, Publication, ResponseError
from postmux.flow import Flow
from postmux.reconcile import Finding, by_id, content_digest, hand_check

from . import outcomes, wire

__all__ = ["READS", "SLACK", "reconcile"]

SLACK = timedelta(minutes=10)
"""How long before an attempt's time the list is read from: the client's timeout and clock skew."""
READS = 3
"""Tries per page of the list when its answer is unreadable or a 5xx after the driver's retries."""

_Listed = tuple[wire.PostDetail, Mapping[str, Any]]


def reconcile(adapter: Adapter, publications: Sequence[Publication]) -> Flow[list[Finding]]:
    """One finding per ``unknown``: by post id where there is one, else from the post list."""
    out = yield from by_id(adapter, publications)
    need = [i for i, f in enumerate(out) if f is None and publications[i].attempt is not None]
    if need:
        attempts = [a for i in need if (a := publications[i].attempt) is not None]
        since = min(a.sent_at for a in attempts) - SLACK
        query = [("createdAfter", since.isoformat()), ("sort", "asc")]  # oldest first, on any platform asked
        query += [("platform", p) for p in sorted({publications[i].target.platform for i in need})]
        listed = yield from adapter.pages(
            "/v1/posts", wire.PostsPage, "posts", query=query, what="posts", tries=READS
        )
        for i in need:
            out[i] = _match(adapter.name, publications[i], listed, since)
    why = "postmux kept nothing of this send to look it up by"
    return [f or Finding.uncheckable(hand_check(p, why)) for f, p in zip(out, publications, strict=True)]


def _match(provider: str, p: Publication, listed: Sequence[_Listed], since: datetime) -> Finding:
    attempt = p.attempt
    assert attempt is not None
    platform = p.target.platform
    hits = [  # the attempt's text, on its platform, to its account
        (post, raw, index, draft)
        for post, raw in listed
        if content_digest(post.content or "") == attempt.content_digest
        for index, (account, draft) in enumerate(outcomes.requested(post.rawRequestBody, platform))
        if account == attempt.account_id
    ]
    if not hits:
        return Finding.absent(
            f"GET /v1/posts since {since.isoformat(timespec='seconds')} lists no {platform} post"
            f" of this text to account {attempt.account_id}"
        )
    mine = [hit for hit in hits if not _other_media(attempt.media, hit[0].rawRequestBody)]
    if not mine:  # of this text, to this account, but on other media: another send's (never absent:
        ids = ", ".join(sorted({post.postId for post, *_ in hits}))  # extras may have changed mediaItems)
        why = f"{provider} lists {len(hits)} post(s) of this text to this account, on other media ({ids})"
        return Finding.uncheckable(hand_check(p, why))
    hits = mine
    if len(hits) > 1:
        ids = ", ".join(sorted({post.postId for post, *_ in hits}))
        return Finding.uncheckable(hand_check(p, f"{len(hits)} {provider} posts match it ({ids})"))
    post, raw, index, draft = hits[0]
    known = attrs.evolve(p, id=post.postId, state=outcomes.entry_state(platform, index, draft=draft))
    try:
        when = wire.parse_when(post.scheduledFor, post.timezone)
    except ResponseError:
        when = None
    return Finding.found(outcomes.refreshed(known, post, raw, when))


def _other_media(media: Sequence[str], body: Mapping[str, Any] | None) -> bool:
    """True when a listed post's request provably sent other media than the attempt's.

    ``media`` are the post's media as the app named them: a URL went out as it
    is (``mediaItems[].url``), a local file under a URL PostPeer gave, so only
    the count and the URLs can differ. A request whose ``mediaItems`` cannot be
    read proves nothing.
    """
    items = body.get("mediaItems", []) if isinstance(body, Mapping) else None
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        return False
    if len(items) != len(media):
        return True
    return any(
        m.startswith(("http://", "https://")) and i.get("url") != m for m, i in zip(media, items, strict=True)
    )
