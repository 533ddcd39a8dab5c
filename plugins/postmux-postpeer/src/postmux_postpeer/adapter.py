"""The PostPeer adapter: a whole post, every target, in one ``POST /v1/posts``.

PostPeer takes many platforms and accounts in one request and answers 202
with one result per platform, so :meth:`PostPeerAdapter.batches` returns a
single batch. Local files are uploaded once, before the post, through a
presigned URL; status, scheduling, accounts and linking follow the OpenAPI
spec (``postpeer-openapi.json``), which wins where the docs pages disagree.
See the plugin README for the mapping tables and every assumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import attrs

from postmux import (
    Account,
    Adapter,
    CreatorInfo,
    Post,
    PostmuxError,
    Publication,
    Route,
    Status,
)
from postmux.creator import tiktok_creator_info
from postmux.flow import Flow, file_request

from . import body, checks, linking, outcomes, reconcile, wire
from .capabilities import CAPABILITIES
from .linking import PAGE_SIZE
from .vocabulary import VOCABULARY

__all__ = ["DEFAULT_BASE_URL", "PAGE_SIZE", "PostPeerAdapter"]

DEFAULT_BASE_URL = "https://api.postpeer.dev"


class PostPeerAdapter(Adapter):
    """PostPeer: ``x-access-key`` auth, one request for every target of a post."""

    name = "postpeer"
    default_base_url = DEFAULT_BASE_URL
    auth_header = "x-access-key"
    capabilities = CAPABILITIES
    vocabulary = VOCABULARY
    converter = wire.converter
    poll_interval = 5.0
    status_batch_size = 25  # one GET per post: groups of 25 read concurrently
    status_shared_by_id = True  # the GET answers for every target of the post
    check = staticmethod(checks.check)  # PostPeer's rules beyond the tables

    # -- publishing ------------------------------------------------------

    def batches(self, post: Post, routes: Sequence[Route]) -> list[list[Route]]:
        """Every target in one request: PostPeer fans out itself."""
        return [list(routes)] if routes else []

    def stage(self, post: Post, routes: Sequence[Route]) -> Flow[tuple[str, ...]]:
        """URLs as they are; each local file uploaded through a presigned URL, once."""
        urls: list[str] = []
        for item in post.media:
            if not item.is_local:
                urls.append(item.url or "")
                continue
            assert item.path is not None
            assert item.mime_type is not None  # upload_types refuses a local file without one
            ask = {"filename": item.filename, "mimeType": item.mime_type}
            response = yield self.request("POST", "/v1/media/upload", json=ask)
            upload = self.answer_fields(response, at="data", uploadUrl=str, publicUrl=str)
            yield file_request("PUT", upload["uploadUrl"], item.path, content_type=item.mime_type)
            urls.append(upload["publicUrl"])
        return tuple(urls)

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        payload = self.post_body(post, routes, media)
        response = yield self.request("POST", "/v1/posts", json=payload)
        # success: false means only "every platform failed": each target's outcome says which
        answer, data = self.answer(response, wire.CreateAnswer, what="publish answer", refusals=False)
        return outcomes.from_create(answer, post, routes, data, self.name, payload)

    def post_body(self, post: Post, routes: Sequence[Route], media: Sequence[str]) -> dict[str, Any]:
        """The JSON body of ``POST /v1/posts`` for these routes (public for tests and tools)."""
        return body.post_body(post, routes, media, provider=self.name)

    # -- following -------------------------------------------------------

    def status(self, publication: Publication) -> Flow[Publication]:
        (out,) = yield from self.status_many([publication])
        return out

    def status_many(self, publications: Sequence[Publication]) -> Flow[list[Publication]]:
        """One ``GET /v1/posts/{postId}`` per post, however many of its targets are asked about."""
        details: dict[str, tuple[wire.PostDetail, Any, datetime | None]] = {}
        for p in publications:
            post_id = self.publication_id(p, "post id")
            if post_id not in details:
                details[post_id] = yield from self._post(post_id)
        return [outcomes.refreshed(p, *details[self.publication_id(p, "post id")]) for p in publications]

    def _post(self, post_id: str) -> Flow[tuple[wire.PostDetail, Any, datetime | None]]:
        response = yield self.request("GET", f"/v1/posts/{quote(post_id, safe='')}")
        post, data = self.answer(response, wire.PostDetail, what="post", at="post")
        return post, data, wire.parse_when(post.scheduledFor, post.timezone)

    reconcile = reconcile.reconcile  # unknowns found in the post list by account, content and time

    # -- scheduling --------------------------------------------------------

    def scheduled(self) -> Flow[list[Publication]]:
        """Every scheduled post, one publication per platform entry, each with its account.

        ``GET /v1/posts/scheduled`` names no accounts, so the general list
        ``GET /v1/posts?status=scheduled`` is read instead: each of its posts
        carries ``rawRequestBody``, the request that made it, whose
        ``platforms[].accountId`` name the accounts (the n-th entry of a
        platform is the n-th target on it, as everywhere in this plugin).
        """
        query = [("status", "scheduled")]
        found = yield from self.pages(
            "/v1/posts", wire.PostsPage, "posts", query=query, size=PAGE_SIZE, what="scheduled posts"
        )
        return [p for post, raw in found for p in outcomes.listed(post, raw, self.name)]

    def cancel(self, publication: Publication) -> Flow[Publication]:
        """Cancel the scheduled post (every target of it): PostPeer moves it back to draft.

        The cancel answer names no time, and ``publication`` may be from before
        a :meth:`reschedule`; the post is read back so that ``scheduled_for`` is
        the time PostPeer had. Should that read fail, the post is cancelled all
        the same and ``scheduled_for`` is left empty rather than stale.
        """
        post_id = self.publication_id(publication, "post id")
        response = yield self.request("DELETE", f"/v1/posts/scheduled/{quote(post_id, safe='')}")
        data = self.read(response)
        try:
            post, raw, when = yield from self._post(post_id)
        except PostmuxError:
            return attrs.evolve(
                publication, status=Status.CANCELLED, error=None, scheduled_for=None, raw=data
            )
        now = outcomes.refreshed(publication, post, raw, when)
        return attrs.evolve(now, status=Status.CANCELLED, error=None, scheduled_for=when, raw=data)

    def reschedule(self, publication: Publication, at: datetime) -> Flow[Publication]:
        """Move the scheduled post to ``at`` (aware, in the future: the publishers checked it)."""
        post_id = self.publication_id(publication, "post id")
        payload = wire.schedule_fields(at)
        response = yield self.request("PATCH", f"/v1/posts/scheduled/{quote(post_id, safe='')}", json=payload)
        data = self.answer_fields(response, scheduledFor=str | None)
        when = wire.parse_when(data.get("scheduledFor"), payload["timezone"]) or at
        return attrs.evolve(publication, status=Status.SCHEDULED, scheduled_for=when, raw=data)

    # -- accounts and linking ----------------------------------------------

    def accounts(self) -> Flow[list[Account]]:
        """Every integration, page by page until ``total`` is reached."""
        return (yield from linking.integrations(self, None))

    def creator_info(self, account_id: str) -> Flow[CreatorInfo]:
        response = yield self.request("GET", "/v1/tiktok/creator-info", params={"accountId": account_id})
        # a 200 with success: false was raised by read(), as the vocabulary says; no data: unreadable
        info, data = self.answer(response, dict[str, Any], what="creator info", at="data")
        return tiktok_creator_info(account_id, info, provider=self.name, raw=data)  # camelCase is read too

    connect = linking.start  # the OAuth URL, after noting which accounts on the platform exist
    connect_poll = linking.poll  # confirmed once an account appears that was not there before
