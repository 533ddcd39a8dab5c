"""The Wahdx adapter: neutral posts to ``POST /api/content/post``, one target per request.

Wahdx takes public media URLs inline and decides photo or video by their
extensions; TikTok answers ``PUBLISH_INITIATED`` and is polled, Instagram,
Threads and Facebook answer ``PUBLISH_COMPLETE`` at once. See the plugin README
for every assumption where the documents are silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import quote

import attrs

from postmux import (
    Account,
    Adapter,
    ConnectPoll,
    ConnectStart,
    CreatorInfo,
    Media,
    Post,
    Problem,
    Publication,
    Route,
    Status,
    Target,
    ValidationError,
)
from postmux.creator import tiktok_creator_info
from postmux.flow import Flow

from . import mapping, qr, reconcile, wire
from .capabilities import CAPABILITIES
from .qr import QR_POLL_INTERVAL
from .vocabulary import ACCOUNT_FIELDS, VOCABULARY
from .wire import STATUSES

__all__ = ["DEFAULT_BASE_URL", "QR_POLL_INTERVAL", "STATUSES", "WahdxAdapter"]

DEFAULT_BASE_URL = "https://api-tiktok.wahdx.co"
"""The host of the current multi-platform page; ``https://api.wahdx.com`` (the sub-pages') also works."""


class WahdxAdapter(Adapter):
    """Wahdx Connection: ``X-API-Key`` auth, one platform and account per request."""

    name: ClassVar[str] = "wahdx"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    auth_header: ClassVar[str | None] = "X-API-Key"
    capabilities = CAPABILITIES
    poll_interval: ClassVar[float] = 5.0
    vocabulary = VOCABULARY
    converter = wire.converter
    status_batch_size: ClassVar[int | None] = 100  # the docs name no cap: an assumption (README)

    def check(self, post: Post) -> list[Problem]:
        """Wahdx decides photo or video from the URL's extension alone, so one it cannot read is refused."""
        problems: list[Problem] = []
        media = post.media if isinstance(post.media, tuple) else ()
        for i, item in enumerate(media):
            if not isinstance(item, Media) or not isinstance(item.url, str):
                continue  # validation has reported it, or it is a local file
            ext = item.extension
            if ext not in mapping.WAHDX_EXTENSIONS:
                problems.append(
                    Problem(
                        f"media[{i}].url",
                        "Wahdx tells photo from video by the URL's file extension; "
                        f"{ext or 'no extension'!r} is not one it documents",
                        unsupported=True,
                    )
                )
        return problems

    # -- publishing ------------------------------------------------------

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        (route,) = routes  # Wahdx takes one target per request (the default batching)
        body = mapping.post_body(post, route, media)
        response = yield self.request("POST", "/api/content/post", json=body)
        answer, data = self.answer(response, wire.PublishBody, what="publish answer")
        url = answer.public_post_url or answer.data.public_post_url
        # The older answer has no status: a URL means done; TikTok without one is still working.
        fallback = Status.PUBLISHED if url or route.platform != "tiktok" else Status.PROCESSING
        fail_reason = answer.data.fail_reason
        made = Publication(
            target=route.target,
            provider=self.name,
            status=Status.PROCESSING,
            id=answer.data.publish_id,
            media_kind=post.kind,
            account_id=route.account_id,
        )
        status = mapping.neutral_status(answer.status, default=fallback, fail_reason=fail_reason)
        # a post that failed at once says why, as one that fails later does
        return [mapping.refreshed(made, status=status, url=url, fail_reason=fail_reason, raw=data)]

    def post_body(self, post: Post, route: Route) -> dict[str, Any]:
        """The JSON body one target would get (for previews and tests)."""
        return mapping.post_body(post, route, tuple(m.url or "" for m in post.media))

    # -- following -------------------------------------------------------

    def status(self, publication: Publication) -> Flow[Publication]:
        account_id, publish_id = _ids(publication)
        params = {}
        if publication.target.platform == "tiktok" and publication.media_kind is not None:
            params["mediaType"] = publication.media_kind.value
        path = f"/api/content/status/{quote(account_id, safe='')}/{quote(publish_id, safe='~')}"
        response = yield self.request("GET", path, params=params or None)
        d, data = self.answer(response, wire.StatusData, what="status answer", at="data")
        return mapping.refreshed(
            publication,
            status=mapping.neutral_status(d.status, default=Status.PROCESSING, fail_reason=d.fail_reason),
            url=mapping.pick_url(d.public_post_url, d.public_post_url_candidates, publication.media_kind),
            fail_reason=d.fail_reason,
            raw=data,
        )

    def status_many(self, publications: Sequence[Publication]) -> Flow[list[Publication]]:
        """One ``checks`` batch; a publication the answer does not name is returned as it was."""
        checks: list[dict[str, str]] = []
        for p in publications:
            account_id, publish_id = _ids(p)
            check = {"accountId": account_id, "publishId": publish_id}
            if p.target.platform == "tiktok" and p.media_kind is not None:
                check["mediaType"] = p.media_kind.value
            checks.append(check)
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

    reconcile = reconcile.reconcile  # unknowns looked up by id, as far as the API reaches

    # -- accounts and linking ----------------------------------------------

    def accounts(self) -> Flow[list[Account]]:
        response = yield self.request("GET", "/api/content/accounts")
        # the older TikTok-only page names no platform (and no status: active)
        return self.accounts_from(self.read(response), ACCOUNT_FIELDS, at="data", platform="tiktok")

    def creator_info(self, account_id: str) -> Flow[CreatorInfo]:
        response = yield self.request("GET", f"/api/content/creator-info/{quote(account_id, safe='')}")
        data = self.read(response)
        fields = mapping.creator_fields(data)  # no answer is documented: looked for where it may be
        return tiktok_creator_info(account_id, fields, provider=self.name, raw=data)

    def connect(self, platform: str, options: Mapping[str, Any]) -> Flow[ConnectStart]:
        """TikTok QR login (Wahdx's "Maximum" plan; others get a 403 ``PermissionDeniedError``)."""
        return qr.start(self, platform, options)

    def connect_poll(self, start: ConnectStart) -> Flow[ConnectPoll]:
        return qr.poll(self, start)


def _ids(publication: Publication) -> tuple[str, str]:
    account_id = publication.account_id or publication.target.account
    if publication.id is None:
        raise ValidationError([Problem("publication.id", "this publication has no Wahdx publish id")])
    return account_id, publication.id


def _from_batch_item(p: Publication, item: wire.BatchItem, raw: Mapping[str, Any]) -> Publication:
    if not item.success:
        return attrs.evolve(
            p,
            status=Status.UNKNOWN,
            error=f"Wahdx could not check this publication: {item.error or 'no reason given'}",
            raw=raw,
        )
    return mapping.refreshed(
        p,
        status=mapping.neutral_status(item.status, default=p.status, fail_reason=item.fail_reason),
        url=mapping.pick_url(item.public_post_url, item.public_post_url_candidates, p.media_kind),
        fail_reason=item.fail_reason,
        raw=raw,
    )
