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

import httpx

from postmux import (
    Account,
    AccountStatus,
    Adapter,
    ConnectPoll,
    ConnectStart,
    ConnectStatus,
    CreatorInfo,
    MediaKind,
    Post,
    Problem,
    ProviderError,
    Publication,
    Route,
    Secret,
    Status,
    Target,
    TikTokOptions,
    UnsupportedError,
)
from postmux.connect import decode_data_url
from postmux.flow import Flow
from postmux.options import InstagramOptions, ThreadsOptions
from postmux.wire import parse, read_json

from . import wire
from .capabilities import CAPABILITIES

__all__ = ["DEFAULT_BASE_URL", "STATUSES", "WahdxAdapter"]

DEFAULT_BASE_URL = "https://api-tiktok.wahdx.co"

STATUSES: Mapping[str, Status] = {
    "PUBLISH_INITIATED": Status.PROCESSING,
    "PROCESSING_UPLOAD": Status.PROCESSING,
    "PROCESSING_DOWNLOAD": Status.PROCESSING,
    "SEND_TO_USER_INBOX": Status.INBOX,
    "PUBLISH_COMPLETE": Status.PUBLISHED,
    "FAILED": Status.FAILED,
    "PUBLISH_FAILED": Status.FAILED,
}
"""Wahdx (TikTok-vocabulary) status → neutral status; anything else is still ``processing``."""

QR_STATUSES: Mapping[str, ConnectStatus] = {
    "new": ConnectStatus.PENDING,
    "scanned": ConnectStatus.SCANNED,
    "confirmed": ConnectStatus.CONFIRMED,
    "expired": ConnectStatus.EXPIRED,
    "utilised": ConnectStatus.USED,
}

ACCOUNT_STATUSES: Mapping[str, AccountStatus] = {
    "active": AccountStatus.ACTIVE,
    "expired": AccountStatus.EXPIRED,
}


class WahdxAdapter(Adapter):
    """Wahdx Connection: ``X-API-Key`` auth, one platform and account per request."""

    name: ClassVar[str] = "wahdx"
    env_var: ClassVar[str] = "WAHDX_API_KEY"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    capabilities = CAPABILITIES
    poll_interval: ClassVar[float] = 5.0
    field_mapping: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "TikTokOptions": wire.TIKTOK_FIELDS,
        "InstagramOptions": wire.INSTAGRAM_FIELDS,
        "ThreadsOptions": wire.THREADS_FIELDS,
    }

    def auth_headers(self, key: Secret) -> Mapping[str, str]:
        return {"X-API-Key": key.reveal()}

    # -- publishing ------------------------------------------------------

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        (route,) = routes  # Wahdx takes one target per request (the default batching)
        body = self.post_body(post, route)
        response = yield self.request("POST", "/api/content/post", json=body)
        data = read_json(response, provider=self.name)
        answer = parse(wire.converter, data, wire.PublishBody, provider=self.name, what="publish answer")
        if not answer.success:
            raise ProviderError(
                _error_text(data) or "Wahdx answered success: false",
                provider=self.name,
                status_code=response.status_code,
                body=response.text,
            )
        kind = _kind(post)
        status = _status(answer.status, default=_default_status(route.platform, answer))
        url = answer.public_post_url or answer.data.public_post_url
        return [
            Publication(
                target=route.target,
                provider=self.name,
                status=status,
                id=answer.data.publish_id,
                url=url,
                media_kind=kind,
                account_id=route.account_id,
                raw=data,
            )
        ]

    def post_body(self, post: Post, route: Route) -> dict[str, Any]:
        """The JSON body for one target, neutral defaults filled in and extras merged."""
        kind = _kind(post)
        photos = kind is MediaKind.PHOTO
        platform = route.platform
        body = wire.PostBody(
            platform=platform,
            accountId=route.account_id,
            content=post.text,
            mediaItems=[wire.MediaItem(m.url or "") for m in post.media],
            photoTitle=post.title if platform == "tiktok" and photos and post.title else None,
            tiktokSettings=_tiktok(post.tiktok, photos) if platform == "tiktok" else None,
            instagramSettings=_instagram(post.instagram, photos) if platform == "instagram" else None,
            threadsSettings=_threads(post.threads) if platform == "threads" else None,
            facebookSettings=wire.FacebookSettings() if platform == "facebook" else None,
        )
        return _merge(wire.unstructure(body), post.extras.get(self.name, {}))

    # -- following -------------------------------------------------------

    def status(self, publication: Publication) -> Flow[Publication]:
        account_id, publish_id = _ids(publication)
        params = {}
        if publication.target.platform == "tiktok" and publication.media_kind is not None:
            params["mediaType"] = publication.media_kind.value
        path = f"/api/content/status/{quote(account_id, safe='')}/{quote(publish_id, safe='~')}"
        response = yield self.request("GET", path, params=params or None)
        data = read_json(response, provider=self.name)
        answer = parse(wire.converter, data, wire.StatusBody, provider=self.name, what="status answer")
        d = answer.data
        return _refreshed(
            publication,
            status=_status(d.status, default=Status.PROCESSING),
            url=_pick_url(d.public_post_url, d.public_post_url_candidates, publication.media_kind),
            fail_reason=d.fail_reason,
            raw=data,
        )

    def status_many(self, publications: Sequence[Publication]) -> Flow[list[Publication]]:
        checks: list[dict[str, str]] = []
        for p in publications:
            account_id, publish_id = _ids(p)
            check = {"accountId": account_id, "publishId": publish_id}
            if p.target.platform == "tiktok" and p.media_kind is not None:
                check["mediaType"] = p.media_kind.value
            checks.append(check)
        items = yield from self._batch({"checks": checks})
        by_key = {(i.accountId, i.publishId): i for i in items}
        out: list[Publication] = []
        for p, check in zip(publications, checks, strict=True):
            item = by_key.get((check["accountId"], check["publishId"]))
            out.append(_from_batch_item(p, item) if item is not None else p)
        return out

    def scheduled_post_status(self, post_id: str) -> Flow[list[Publication]]:
        """Every publication of a post Wahdx scheduled, by its ``postId`` (batch mode two)."""
        items = yield from self._batch({"postId": post_id})
        out: list[Publication] = []
        for item in items:
            platform = item.platform or "tiktok"
            blank = Publication(
                target=Target(platform, item.accountId or ""),
                provider=self.name,
                status=Status.PROCESSING,
                id=item.publishId or item.publish_id,
                account_id=item.accountId,
            )
            out.append(_from_batch_item(blank, item))
        return out

    def _batch(self, body: dict[str, Any]) -> Flow[list[wire.BatchItem]]:
        response = yield self.request("POST", "/api/content/status/batch", json=body, idempotent=True)
        data = read_json(response, provider=self.name)
        answer = parse(wire.converter, data, wire.BatchBody, provider=self.name, what="batch status")
        return answer.data.results

    # -- accounts and linking ----------------------------------------------

    def accounts(self) -> Flow[list[Account]]:
        response = yield self.request("GET", "/api/content/accounts")
        data = read_json(response, provider=self.name)
        answer = parse(wire.converter, data, wire.AccountsBody, provider=self.name, what="accounts")
        raw_items = data["data"]
        return [
            Account(
                id=a.accountId,
                platform=a.platform,
                provider=self.name,
                username=a.username,
                display_name=a.display_name,
                avatar_url=a.avatar_url,
                status=ACCOUNT_STATUSES.get(a.status or "active", AccountStatus.UNKNOWN),
                status_reason=a.status if a.status not in (None, "active") else None,
                raw=raw,
            )
            for a, raw in zip(answer.data, raw_items, strict=True)
        ]

    def creator_info(self, account_id: str) -> Flow[CreatorInfo]:
        response = yield self.request("GET", f"/api/content/creator-info/{quote(account_id, safe='')}")
        data = read_json(response, provider=self.name)
        fields = _creator_fields(data)
        info = parse(wire.converter, fields, wire.CreatorInfoBody, provider=self.name, what="creator info")
        return CreatorInfo(
            account_id=account_id,
            privacy_options=tuple(info.privacy_level_options),
            comments_disabled=info.comment_disabled,
            duets_disabled=info.duet_disabled,
            stitches_disabled=info.stitch_disabled,
            max_video_duration_s=info.max_video_post_duration_sec,
            username=info.creator_username,
            nickname=info.creator_nickname,
            avatar_url=info.creator_avatar_url,
            raw=data,
        )

    def connect(self, platform: str, options: Mapping[str, Any]) -> Flow[ConnectStart]:
        if platform != "tiktok":
            raise UnsupportedError(
                [
                    Problem(
                        "platform", f"wahdx links only TikTok accounts through its API, not {platform}", True
                    )
                ]
            )
        unknown = set(options) - {"unique_id"}
        if unknown:
            raise UnsupportedError(
                [
                    Problem(f"options.{n}", "wahdx's QR login takes only unique_id", True)
                    for n in sorted(unknown)
                ]
            )
        body = {"unique_id": options["unique_id"]} if options.get("unique_id") else {}
        response = yield self.request("POST", "/api/content/qr-login/request", json=body)
        data = read_json(response, provider=self.name)
        answer = parse(wire.converter, data, wire.QrRequestBody, provider=self.name, what="QR login")
        image, mime = decode_data_url(answer.data.qrCodeImage)
        return ConnectStart(
            platform="tiktok",
            qr_image=image,
            qr_mime_type=mime or "image/png",
            expires_in=answer.data.expiresIn,
            poll_interval=10.0,
            state={"token": answer.data.token, "unique_id": answer.data.unique_id},
            raw=data,
        )

    def connect_poll(self, start: ConnectStart) -> Flow[ConnectPoll]:
        body = {"token": start.state["token"]}
        response = yield self.request("POST", "/api/content/qr-login/check", json=body, idempotent=True)
        data = read_json(response, provider=self.name)
        answer = parse(wire.converter, data, wire.QrCheckBody, provider=self.name, what="QR login status")
        d = answer.data
        account = None
        if d.account is not None:
            account = Account(
                id=d.account.accountId,
                platform="tiktok",
                provider=self.name,
                username=d.account.username,
                display_name=d.account.display_name,
                raw=data["data"]["account"],
            )
        return ConnectPoll(
            status=QR_STATUSES.get(d.status, ConnectStatus.PENDING),
            account=account,
            message=d.message,
            raw=data,
        )

    def error_for(self, response: httpx.Response, body: str) -> ProviderError:
        error = super().error_for(response, body)
        if error.code is None:
            error.code = _subscription_code(body)
        return error


# -- mapping helpers ---------------------------------------------------------


def _kind(post: Post) -> MediaKind | None:
    return post.media[0].kind if post.media else None


def _tiktok(options: TikTokOptions | None, photos: bool) -> wire.TikTokSettings:
    resolved = (options or TikTokOptions()).resolved_for(photos=photos)
    values = {wire_name: getattr(resolved, name) for name, wire_name in wire.TIKTOK_FIELDS.items()}
    return wire.TikTokSettings(**values, media_type="photo" if photos else None)


def _instagram(options: InstagramOptions | None, photos: bool) -> wire.InstagramSettings:
    if photos:
        return wire.InstagramSettings()  # share_to_feed is for reels only
    resolved = (options or InstagramOptions()).resolved()
    return wire.InstagramSettings(share_to_feed=resolved.share_to_feed)


def _threads(options: ThreadsOptions | None) -> wire.ThreadsSettings:
    resolved = (options or ThreadsOptions()).resolved()
    return wire.ThreadsSettings(who_can_reply=resolved.reply_control)


def _merge(body: dict[str, Any], extras: Mapping[str, Any]) -> dict[str, Any]:
    """Raw ``Post.extras["wahdx"]`` fields over the body; settings objects merge key by key."""
    for key, value in extras.items():
        if isinstance(value, Mapping) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


def _status(value: str | None, *, default: Status) -> Status:
    if value is None:
        return default
    return STATUSES.get(value.upper(), Status.PROCESSING)


def _default_status(platform: str, answer: wire.PublishBody) -> Status:
    """The older answer has no ``status``: a URL means done, else TikTok is still working."""
    if answer.public_post_url or answer.data.public_post_url:
        return Status.PUBLISHED
    return Status.PROCESSING if platform == "tiktok" else Status.PUBLISHED


def _ids(publication: Publication) -> tuple[str, str]:
    account_id = publication.account_id or publication.target.account
    if publication.id is None:
        raise UnsupportedError([Problem("publication.id", "this publication has no Wahdx publish id", True)])
    return account_id, publication.id


def _pick_url(url: str | None, candidates: Mapping[str, str] | None, kind: MediaKind | None) -> str | None:
    """The single URL, or the candidate for the post's media kind (legacy answers)."""
    if url:
        return url
    if candidates:
        if kind is not None and kind.value in candidates:
            return candidates[kind.value]
        return candidates.get("video") or next(iter(candidates.values()), None)
    return None


def _refreshed(
    p: Publication,
    *,
    status: Status,
    url: str | None,
    fail_reason: str | None,
    raw: Mapping[str, Any],
) -> Publication:
    import attrs

    return attrs.evolve(
        p,
        status=status,
        url=url or p.url,
        error=fail_reason if status is Status.FAILED else None,
        error_code=fail_reason if status is Status.FAILED else None,
        raw=raw,
    )


def _from_batch_item(p: Publication, item: wire.BatchItem) -> Publication:
    import attrs

    raw = attrs.asdict(item)
    if not item.success:
        return attrs.evolve(
            p,
            status=Status.UNKNOWN,
            error=f"Wahdx could not check this publication: {item.error or 'no reason given'}",
            raw=raw,
        )
    return _refreshed(
        p,
        status=_status(item.status, default=p.status),
        url=_pick_url(item.public_post_url, item.public_post_url_candidates, p.media_kind),
        fail_reason=item.fail_reason,
        raw=raw,
    )


def _creator_fields(data: Any) -> Any:
    """TikTok's creator_info fields wherever the envelope puts them (``data``, ``data.data``, top level)."""
    node = data
    for _ in range(3):
        if isinstance(node, dict) and "privacy_level_options" in node:
            return node
        if isinstance(node, dict) and isinstance(node.get("data"), dict):
            node = node["data"]
        else:
            break
    return node


def _error_text(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("error", "message"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return None


def _subscription_code(body: str) -> str | None:
    """The 403 for QR login names the plan: ``subscription`` becomes ``code`` (``plan:free``)."""
    import json

    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("subscription"), str):
        return f"plan:{data['subscription']}"
    return None
