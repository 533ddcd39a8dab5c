"""The Wahdx adapter: neutral posts to ``POST /api/content/post``, one target per request.

Wahdx takes public media URLs inline and decides photo or video by their
extensions; TikTok answers ``PUBLISH_INITIATED`` and is polled, Instagram,
Threads and Facebook answer ``PUBLISH_COMPLETE`` at once. See the plugin README
for every assumption where the documents are silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from postmux import Adapter, Media, Post, Problem, Publication, Route, Status, Target
from postmux.errors import NotFoundError
from postmux.flow import Flow

from . import mapping, wire
from .capabilities import CAPABILITIES, EXTENSIONS
from .vocabulary import ACCOUNT_FIELDS, VOCABULARY

if TYPE_CHECKING:  # the QR login's and the account classes: loaded with them, never by a publish
    from postmux import Account, ConnectPoll, ConnectStart, CreatorInfo

__all__ = ["DEFAULT_BASE_URL", "WahdxAdapter"]

DEFAULT_BASE_URL = "https://api-tiktok.wahdx.co"
"""The host of the current multi-platform page; ``https://api.wahdx.com`` (the sub-pages') also works."""


class WahdxAdapter(Adapter):
    """Wahdx Connection: ``X-API-Key`` auth, one platform and account per request."""

    name = "wahdx"
    default_base_url = DEFAULT_BASE_URL
    auth_header = "X-API-Key"
    capabilities = CAPABILITIES
    poll_interval = 5.0
    vocabulary = VOCABULARY  # the plain converter reads every answer class of .wire
    status_batch_size = 100  # the docs name no cap: an assumption (README)

    def check(self, post: Post) -> list[Problem]:
        """Wahdx decides photo or video from the URL's extension alone, so one it cannot read is refused."""
        why = "Wahdx tells photo from video by the URL's file extension; {!r} is not one it documents"
        media = post.media if isinstance(post.media, tuple) else ()  # else validation has reported it
        return [
            Problem(f"media[{i}].url", why.format(item.extension or "no extension"), unsupported=True)
            for i, item in enumerate(media)
            if isinstance(item, Media) and isinstance(item.url, str)  # a local file is refused apart
            if item.extension not in EXTENSIONS
        ]

    # -- publishing ------------------------------------------------------

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        (route,) = routes  # Wahdx takes one target per request (the default batching)
        body = mapping.post_body(post, route, media)
        response = yield self.request("POST", "/api/content/post", json=body)
        answer, data = self.answer(response, wire.PublishBody, what="publish answer")
        d, kind = answer.data, post.kind
        url = answer.public_post_url or d.public_post_url
        # The older answer has no status: a URL means done; TikTok without one is still working.
        fallback = Status.PUBLISHED if url or route.platform != "tiktok" else Status.PROCESSING
        # a post that failed at once says why, as one that fails later does (the fields said() reads)
        reading = wire.Reading(
            status=answer.status,
            public_post_url=url,
            fail_reason=d.fail_reason,
            public_post_url_candidates=d.public_post_url_candidates,
        )
        said = mapping.said(reading, data, default=fallback, kind=kind)
        made = Publication(
            target=route.target,
            provider=self.name,
            id=d.publish_id,
            media_kind=kind,
            account_id=route.account_id,
            **said,
        )
        return [made]

    def post_body(self, post: Post, route: Route) -> dict[str, Any]:
        """The JSON body one target would get (for previews and tests)."""
        return mapping.post_body(post, route, tuple(m.url or "" for m in post.media))

    # -- following -------------------------------------------------------

    def status(self, publication: Publication) -> Flow[Publication]:
        params = self._check(publication)
        account_id, publish_id = params.pop("accountId"), params.pop("publishId")
        path = f"/api/content/status/{quote(account_id, safe='')}/{quote(publish_id, safe='~')}"
        try:
            response = yield self.request("GET", path, params=params or None)
        except NotFoundError as exc:  # "Account not found": Wahdx could not look the post up, no proof
            if "account not found" not in (exc.message or "").lower():  # it is absent (README)
                raise
            raise exc.inconclusive("Wahdx could not check this publication") from exc
        d, data = self.answer(response, wire.StatusData, what="status answer", at="data")
        return mapping.refreshed(publication, d, data, default=Status.PROCESSING)

    def status_many(self, publications: Sequence[Publication]) -> Flow[list[Publication]]:
        """One ``checks`` batch; a publication the answer does not name is returned as it was."""
        checks = [self._check(p) for p in publications]
        items = yield from self._batch({"checks": checks})
        by_key = {(item.accountId, item.publishId): (item, raw) for item, raw in items}
        out: list[Publication] = []
        for p, check in zip(publications, checks, strict=True):
            found = by_key.get((check["accountId"], check["publishId"]))
            out.append(_from_batch_item(p, *found) if found is not None else p)
        return out

    def scheduled_post_status(self, post_id: str) -> Flow[list[Publication]]:
        """Every publication of a post Wahdx stored, by its ``postId`` (the batch's second mode).

        Run it with ``pub.run(pub.adapter.scheduled_post_status(post_id))``. An
        item that names no platform (a per-item failure) gets platform ``unknown``.
        """
        items = yield from self._batch({"postId": post_id})
        out: list[Publication] = []
        for item, raw in items:
            blank = Publication(
                target=Target(item.platform or "unknown", item.accountId or ""),
                provider=self.name,
                status=Status.PROCESSING,
                id=item.publishId or item.publish_id,
                account_id=item.accountId,
            )
            out.append(_from_batch_item(blank, item, raw))
        return out

    def _batch(self, body: dict[str, Any]) -> Flow[list[tuple[wire.BatchItem, Mapping[str, Any]]]]:
        response = yield self.request("POST", "/api/content/status/batch", json=body, idempotent=True)
        # data.byAccountId is the same items again, so it is not read
        results, data = self.answer(response, list[wire.BatchItem], what="batch status", at="data.results")
        return list(zip(results, data["data"]["results"], strict=True))

    def _check(self, publication: Publication) -> dict[str, str]:
        """What Wahdx reads a publication by: its account and publish ids, and TikTok's media type."""
        publish_id = self.publication_id(publication, "publish id")  # refused before any request
        check = {"accountId": publication.account_id or publication.target.account, "publishId": publish_id}
        if publication.target.platform == "tiktok" and publication.media_kind is not None:
            check["mediaType"] = publication.media_kind.value  # it picks the URL TikTok's answer names
        return check

    answer_id_key = "publish_id"  # reconcile reads it even from an answer cut short (the whole string)

    def unfindable(self, publication: Publication) -> str:
        """Why an ``unknown`` with no publish id stays one (one with it is read back; a 404 is absent).

        Wahdx reads a publication by ``accountId`` + ``publishId`` only (``GET
        /api/content/status/…`` and the batch's ``checks``); the batch's other
        mode, ``{"postId"}``, is for scheduled posts, which postmux does not make
        here (Wahdx documents no way to schedule). It lists no posts and searches none.
        """
        return (
            "Wahdx finds a post only by its publish id, which its answer did not give"
            " (it lists no posts; batch status by postId is for scheduled posts)"
        )

    # -- accounts and linking ----------------------------------------------

    def accounts(self) -> Flow[list[Account]]:
        response = yield self.request("GET", "/api/content/accounts")
        # the older TikTok-only page names no platform (and no status: active)
        return self.accounts_from(self.read(response), ACCOUNT_FIELDS, at="data", platform="tiktok")

    def creator_info(self, account_id: str) -> Flow[CreatorInfo]:
        from postmux.creator import tiktok_creator_info  # imported here: a publish never needs it

        response = yield self.request("GET", f"/api/content/creator-info/{quote(account_id, safe='')}")
        data = self.read(response)
        fields = mapping.creator_fields(data)  # no answer is documented: looked for where it may be
        return tiktok_creator_info(account_id, fields, provider=self.name, raw=data)

    def connect(self, platform: str, options: Mapping[str, Any]) -> Flow[ConnectStart]:
        """TikTok QR login (Wahdx's "Maximum" plan; others get a 403 ``PermissionDeniedError``)."""
        from . import qr  # linking only: a publish never loads it

        return qr.start(self, platform, options)

    def connect_poll(self, start: ConnectStart) -> Flow[ConnectPoll]:
        from . import qr

        return qr.poll(self, start)


def _from_batch_item(p: Publication, item: wire.BatchItem, raw: Mapping[str, Any]) -> Publication:
    if not item.success:
        return attrs.evolve(
            p,
            status=Status.UNKNOWN,
            error=f"Wahdx could not check this publication: {item.error or 'no reason given'}",
            raw=raw,
        )
    return mapping.refreshed(p, item, raw, default=p.status)
