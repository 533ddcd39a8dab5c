"""Settling PostPeer ``unknown``s: its post list, matched by account, content and time.

A publication with a post id is read back (``GET /v1/posts/{postId}``; 404:
absent). One without (the create answer was lost, cut short or a 5xx) is
looked for in ``GET /v1/posts?createdAfter=…&platform=…&sort=asc``, every
page: a listed post matches when its ``content`` has the attempt's digest and
its ``rawRequestBody.platforms[]`` names the attempt's account on the target's
platform. One match is found (its entry read as ``status()`` reads it), none
is absent, several are left for a person to pick. Assumptions (README): the
list shows a post as soon as its create request has been answered, and it
shows every post, failed ones included; ``createdAt`` is within
:data:`SLACK` of the attempt's time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import attrs

from postmux import Adapter, Publication, ResponseError, ServerError, TransportError
from postmux.flow import Flow
from postmux.reconcile import Finding, by_id, content_digest, hand_check
from postmux.wire import parse

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
        platforms = sorted({publications[i].target.platform for i in need})
        listed = yield from _list(adapter, since, platforms)
        for i in need:
            out[i] = _match(adapter.name, publications[i], listed, since)
    why = "postmux kept nothing of this send to look it up by"
    return [f or Finding.uncheckable(hand_check(p, why)) for f, p in zip(out, publications, strict=True)]


def _list(adapter: Adapter, since: datetime, platforms: Sequence[str]) -> Flow[list[_Listed]]:
    """Every post created since ``since`` on any of ``platforms``, oldest first, page by page."""
    out: list[_Listed] = []
    offset = 0
    while True:
        query = [("createdAfter", since.isoformat()), ("sort", "asc"), ("limit", "100")]
        query += [("offset", str(offset))] + [("platform", p) for p in platforms]
        page, data = yield from _page(adapter, "/v1/posts?" + urlencode(query))
        out += list(zip(page.posts, data["posts"], strict=True))
        offset += len(page.posts)
        if not page.posts or offset >= page.total:
            return out


def _page(adapter: Adapter, path: str) -> Flow[tuple[wire.PostsPage, Any]]:
    last: Exception | None = None
    for _ in range(READS):
        try:
            response = yield adapter.request("GET", path)
            data = adapter.read(response)
            page = parse(wire.converter, data, wire.PostsPage, provider=adapter.name, what="posts")
            return page, data
        except (ResponseError, ServerError, TransportError) as exc:  # a GET: safe to read again
            last = exc
    assert last is not None
    raise last


def _match(provider: str, p: Publication, listed: Sequence[_Listed], since: datetime) -> Finding:
    attempt = p.attempt
    assert attempt is not None
    platform = p.target.platform
    hits: list[tuple[wire.PostDetail, Mapping[str, Any], int, bool]] = []
    for post, raw in listed:
        if content_digest(post.content or "") != attempt.content_digest:
            continue
        entries = _entries(post.rawRequestBody, platform)
        for index, (account, draft) in enumerate(entries):
            if account == attempt.account_id:
                hits.append((post, raw, index, draft))
    if not hits:
        return Finding.absent(
            f"GET /v1/posts since {since.isoformat(timespec='seconds')} lists no {platform} post"
            f" of this text to account {attempt.account_id}"
        )
    if len(hits) > 1:
        ids = ", ".join(sorted({post.postId for post, *_ in hits}))
        return Finding.uncheckable(hand_check(p, f"{len(hits)} {provider} posts match it ({ids})"))
    post, raw, index, draft = hits[0]
    state = {"platform": platform, "index": str(index)} | ({"draft": "true"} if draft else {})
    known = attrs.evolve(p, id=post.postId, state=state)
    try:
        when = wire.parse_when(post.scheduledFor, post.timezone)
    except ValueError:
        when = None
    return Finding.found(outcomes.refreshed(known, post, raw, when))


def _entries(body: Mapping[str, Any] | None, platform: str) -> list[tuple[str, bool]]:
    """``(accountId, draft)`` of each of ``platform``'s entries in a post's request, in order."""
    entries = body.get("platforms") if isinstance(body, Mapping) else None
    out: list[tuple[str, bool]] = []
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, Mapping) and entry.get("platform") == platform:
            data = entry.get("platformSpecificData")
            draft = isinstance(data, Mapping) and data.get("draft") is True
            account = entry.get("accountId")
            out.append((account if isinstance(account, str) else "", draft))
    return out
