"""An emulator of the Wonda API for the postmux sandbox, written from Wonda's documents.

It answers what :class:`~postmux_wonda.adapter.WondaAdapter` uses, under
``/api/v1``: ``Authorization: Bearer`` auth; multipart ``/media/upload``
(stored on the sandbox's media host, which plays Wonda's bucket); TikTok and
Instagram accounts (the TikTok list holds only active accounts, as
documented); single posts answered with a job that moves ``queued`` →
``in_progress`` → ``succeeded``; carousels answered synchronously with their
permalink; ``scheduledAt`` 5 minutes to 29 days ahead, listed and cancellable;
errors as ``{"error": {"message", "code"}}`` with the documented codes.

Where the documents are silent (the job body, the scheduled list) the shapes
are the plugin's README assumptions, and are marked synthetic in its cassettes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, ClassVar

import attrs
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from postmux.sandbox import Emulator, Phase, Record, SandboxAccount
from postmux.sandbox.kit import Rejected, Seed, option_errors
from postmux.sandbox.middleware import json_bytes
from postmux.sandbox.platforms import post_url, shortcode

from .vocabulary import VOCABULARY

__all__ = ["WondaEmulator"]

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml"})
VIDEO_TYPES = frozenset({"video/mp4", "video/webm", "video/quicktime", "video/x-msvideo"})
AUDIO_TYPES = frozenset(
    {"audio/mpeg", "audio/mp3", "audio/wav", "audio/ogg", "audio/webm", "audio/aac", "audio/m4a"}
)
CODES = {
    400: "validation_error",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    410: "gone",
    429: "rate_limit_exceeded",
    500: "internal_server_error",
    502: "internal_server_error",
    503: "internal_server_error",
    504: "internal_server_error",
}
"""The documented code of each status, for an error raised without one."""
JOB_WORDS = {
    Phase.SCHEDULED: "queued",
    Phase.QUEUED: "queued",
    Phase.PROCESSING: "in_progress",
    Phase.PUBLISHED: "succeeded",
    Phase.INBOX: "succeeded",
    Phase.FAILED: "failed",
    Phase.CANCELLED: "canceled",
}
TIKTOK_FLAGS = (
    "isAigc",
    "disableComment",
    "disableDuet",
    "disableStitch",
    "discloseCommercial",
    "brandOrganic",
    "brandedContent",
)


@attrs.frozen(slots=True)
class _Media:
    id: str
    url: str
    mime_type: str

    @property
    def kind(self) -> str:
        return (
            "video"
            if self.mime_type in VIDEO_TYPES
            else "photo"
            if self.mime_type in IMAGE_TYPES
            else "audio"
        )


class WondaEmulator(Emulator):
    """Wonda's publishing API, emulated."""

    provider: ClassVar[str] = "wonda"
    base_path: ClassVar[str] = "/api/v1"
    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"
    default_key: ClassVar[str] = "sk_" + "0123456789abcdef" * 4
    route_roles: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "publish": (
            "POST /publish/tiktok",
            "POST /publish/tiktok/carousel",
            "POST /publish/instagram",
            "POST /publish/instagram/carousel",
        ),
        "status": ("GET /jobs/publish/*", "GET /publish/scheduled"),
        "upload": ("POST /media/upload",),
        "accounts": ("GET /tiktok/accounts", "GET /instagram/accounts"),
    }
    publish_routes: ClassVar[tuple[str, ...]] = route_roles["publish"]
    scheduling_enabled: bool = True
    """``False`` makes every scheduling request a 403 ``feature_disabled``, as documented."""

    def __init__(self, **options: Any) -> None:
        self.uploads: dict[str, _Media] = {}
        super().__init__(**options)

    vocabulary = VOCABULARY
    error_codes: ClassVar[Mapping[int, str]] = CODES
    seeds: ClassVar[Sequence[Seed]] = (
        Seed("tiktok", user_id_digits=10),
        Seed("instagram", user_id_digits=17),
        Seed("tiktok", "sandbox_expired", active=False, user_id_digits=10),
        Seed("instagram", "sandbox_expired_ig", "Sandbox Expired IG", False, 17),
    )

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/media/upload", self.upload, methods=["POST"]),
            Route("/tiktok/accounts", self.tiktok_accounts, methods=["GET"]),
            Route("/instagram/accounts", self.instagram_accounts, methods=["GET"]),
            Route("/publish/tiktok", self.publish_tiktok, methods=["POST"]),
            Route("/publish/tiktok/carousel", self.tiktok_carousel, methods=["POST"]),
            Route("/publish/instagram", self.publish_instagram, methods=["POST"]),
            Route("/publish/instagram/carousel", self.instagram_carousel, methods=["POST"]),
            Route("/publish/scheduled", self.list_scheduled, methods=["GET"]),
            Route("/publish/scheduled/{job_id}", self.cancel_scheduled, methods=["DELETE"]),
            Route("/jobs/publish/{job_id}", self.job, methods=["GET"]),
        ]

    # -- media ----------------------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return self.error(400, "Expected multipart/form-data", "bad_request")
        raw = await request.body()
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
        )
        uploads: dict[str, dict[str, str]] = {}
        errors: dict[str, str] = {}
        for part in message.iter_parts():
            field = part.get_param("name", header="content-disposition")
            filename = part.get_filename() or "upload"
            if not isinstance(field, str):
                continue
            mime = part.get_content_type()
            if mime not in IMAGE_TYPES | VIDEO_TYPES | AUDIO_TYPES:
                errors[field] = "Unsupported MIME type"
                continue
            data = part.get_payload(decode=True)
            media_id = self.new_id()
            url = self.media.store(filename, mime, data if isinstance(data, bytes) else b"")
            self.uploads[media_id] = _Media(media_id, url, mime)
            uploads[field] = {"mediaId": media_id, "url": url, "mimeType": mime}
        if not uploads:
            body: dict[str, Any] = {
                "error": {"message": "No supported file was uploaded", "code": "validation_error"}
            }
            if errors:
                body["errors"] = errors
            return Response(json_bytes(body), status_code=400, media_type="application/json")
        answer: dict[str, Any] = {}
        if set(uploads) == {"file"} and not errors:
            answer.update(uploads["file"])
        answer["uploads"] = uploads
        if errors:
            answer["errors"] = errors
        return self.json(answer)

    def _media(self, media_id: Any, field: str) -> _Media:
        if not isinstance(media_id, str) or not media_id:
            raise Rejected(400, f"'{field}' is required")
        media = self.uploads.get(media_id)
        if media is None:
            raise Rejected(404, f"Media {media_id} not found")
        return media

    # -- accounts ---------------------------------------------------------------------

    async def tiktok_accounts(self, request: Request) -> Response:
        accounts = [
            a for a in self.accounts if a.platform == "tiktok" and a.active
        ]  # "currently active" only
        return self.json(
            {
                "accounts": [
                    {
                        "tiktokAccountId": a.id,
                        "tiktokUserId": a.extra.get("user_id"),
                        "username": a.username,
                        "displayName": a.display_name,
                        "avatarUrl": f"https://sandbox.invalid/avatars/{a.username}.jpg",
                        "status": "active",
                        "grantedScopes": ["video.publish", "user.info.basic"],
                    }
                    for a in accounts
                ]
            }
        )

    async def instagram_accounts(self, request: Request) -> Response:
        accounts = [a for a in self.accounts if a.platform == "instagram"]
        return self.json(
            {
                "accounts": [
                    {
                        "instagramAccountId": a.id,
                        "igUserId": a.extra.get("user_id"),
                        "username": a.username,
                        "accountType": "BUSINESS",
                        "status": "active" if a.active else "expired",
                        "scopes": ["instagram_business_basic", "instagram_business_content_publish"],
                    }
                    for a in accounts
                ]
            }
        )

    def _account(self, body: dict[str, Any], field: str, platform: str) -> SandboxAccount:
        account_id = body.get(field)
        if not isinstance(account_id, str) or not account_id:
            raise Rejected(400, f"'{field}' is required")
        account = self.account(account_id)
        if account is None or account.platform != platform:
            raise Rejected(404, f"{platform.title()} account {account_id} not found")
        if not account.active:
            raise Rejected(
                403, f"{platform.title()} account {account_id} needs to be reconnected", "forbidden"
            )
        return account

    # -- checks shared by the publish endpoints -------------------------------------------

    @staticmethod
    def _allowed(body: dict[str, Any], allowed: set[str]) -> None:
        extra = sorted(set(body) - allowed)
        if extra:
            raise Rejected(400, f"Unrecognized key(s) in object: {', '.join(repr(k) for k in extra)}")

    @staticmethod
    def _text(body: dict[str, Any], field: str, limit: int) -> str:
        value = body.get(field, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise Rejected(400, f"'{field}' must be a string")
        if len(value) > limit:
            raise Rejected(400, f"'{field}' must be at most {limit} characters")
        return value

    @staticmethod
    def _options(body: dict[str, Any], platform: str) -> bool:
        """Each option key as its neutral field is typed (privacy levels, flags, ``postMode``); a draft?"""
        for key, want in option_errors(VOCABULARY.for_platform(platform), body):
            raise Rejected(400, f"'{key}' must be {want}")
        if not isinstance(body.get("discloseCommercial", False), bool):  # derived, not an option
            raise Rejected(400, "'discloseCommercial' must be a boolean")
        return body.get("postMode") == "inbox"

    def _schedule(self, body: dict[str, Any]) -> datetime | None:
        value = body.get("scheduledAt")
        if value is None:
            return None
        if not self.scheduling_enabled:
            raise Rejected(403, "Scheduled publishing is not enabled for this account", "feature_disabled")
        if not isinstance(value, str):
            raise Rejected(400, "'scheduledAt' must be an ISO 8601 string")
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Rejected(400, "'scheduledAt' must be an ISO 8601 timestamp") from None
        if when.tzinfo is None:
            raise Rejected(400, "'scheduledAt' must include a timezone offset")
        ahead = when - self.clock.datetime()
        if ahead < timedelta(minutes=5) or ahead > timedelta(days=29):
            raise Rejected(400, "'scheduledAt' must be between 5 minutes and 29 days in the future")
        return when

    # -- single posts: jobs ----------------------------------------------------------------

    async def publish_tiktok(self, request: Request) -> Response:
        body = await self.body_object(request, code="bad_request")
        self._allowed(
            body,
            {
                "mediaId",
                "tiktokAccountId",
                "caption",
                "privacyLevel",
                "postMode",
                "scheduledAt",
                *TIKTOK_FLAGS,
            },
        )
        media = self._media(body.get("mediaId"), "mediaId")
        if media.kind != "video":
            raise Rejected(400, "'mediaId' must be a video; use /publish/tiktok/carousel for photos")
        account = self._account(body, "tiktokAccountId", "tiktok")
        caption = self._text(body, "caption", 2200)
        draft = self._options(body, "tiktok")
        when = self._schedule(body)
        record = self._job(request, account, "video", caption, [media], when, draft=draft, body=body)
        return self._job_answer(record, when)

    async def publish_instagram(self, request: Request) -> Response:
        body = await self.body_object(request, code="bad_request")
        self._allowed(
            body,
            {
                "mediaId",
                "instagramAccountId",
                "caption",
                "altText",
                "product",
                "shareToFeed",
                "scheduledAt",
            },
        )
        media = self._media(body.get("mediaId"), "mediaId")
        account = self._account(body, "instagramAccountId", "instagram")
        caption = self._text(body, "caption", 2200)
        self._text(body, "altText", 1000)
        self._options(body, "instagram")
        product = body.get("product", "REELS" if media.kind == "video" else "IMAGE")
        if product not in ("IMAGE", "REELS", "STORIES"):
            raise Rejected(400, "'product' must be IMAGE, REELS or STORIES")
        if (product == "REELS" and media.kind != "video") or (product == "IMAGE" and media.kind != "photo"):
            raise Rejected(400, f"product {product} does not match the media type {media.mime_type}")
        when = self._schedule(body)
        record = self._job(request, account, media.kind, caption, [media], when, draft=False, body=body)
        return self._job_answer(record, when)

    def _job(
        self,
        request: Request,
        account: SandboxAccount,
        kind: str,
        caption: str,
        media: list[_Media],
        when: datetime | None,
        *,
        draft: bool,
        body: dict[str, Any],
    ) -> Record:
        post_id = self.digits(19)
        start = when.timestamp() if when else self.clock.now()
        return self.new_record(
            request,
            id=self.new_id(),
            account_id=account.id,
            platform=account.platform,
            kind=kind,
            text=caption,
            media=tuple(m.url for m in media),
            url=post_url(
                account.platform, account.username, post_id, photo=kind == "photo", code=shortcode(self.rng)
            ),
            start=start,
            scheduled=when is not None,
            draft=draft,
            options=_neutral_options(body),
            extra={"scheduled_for": when.isoformat() if when else None},
        )

    def _job_answer(self, record: Record, when: datetime | None) -> Response:
        if when is not None:
            return self.json(
                {"outputJobId": record.id, "status": "scheduled", "scheduledFor": when.isoformat()}
            )
        return self.json({"outputJobId": record.id, "status": "queued"})

    async def job(self, request: Request) -> Response:
        record = self.records.get(request.path_params["job_id"])
        if record is None or record.extra.get("carousel"):
            return self.error(404, "Job not found")
        phase = self.phase(record)
        done = phase in (Phase.PUBLISHED, Phase.INBOX)
        return self.json(
            {
                "id": record.id,
                "type": "publish",
                "platform": record.platform,
                "status": JOB_WORDS[phase],
                "errorMessage": record.fail_reason if phase is Phase.FAILED else None,
                "permalink": record.url if phase is Phase.PUBLISHED else None,
                "scheduledFor": record.extra.get("scheduled_for"),
                "createdAt": datetime.fromtimestamp(record.created, self.clock.datetime().tzinfo).isoformat(),
                "finished": done,
            }
        )

    # -- carousels: synchronous ---------------------------------------------------------------

    async def tiktok_carousel(self, request: Request) -> Response:
        body = await self.body_object(request, code="bad_request")
        self._allowed(
            body,
            {
                "mediaIds",
                "tiktokAccountId",
                "caption",
                "privacyLevel",
                "postMode",
                "coverIndex",
                *TIKTOK_FLAGS,
            },
        )
        media = self._images(
            body, 2, 35, {"image/jpeg", "image/webp"}, "TikTok carousels only accept JPEG and WebP"
        )
        account = self._account(body, "tiktokAccountId", "tiktok")
        caption = self._text(body, "caption", 90)
        draft = self._options(body, "tiktok")
        cover = body.get("coverIndex", 0)
        if not isinstance(cover, int) or isinstance(cover, bool) or not 0 <= cover < len(media):
            raise Rejected(400, "'coverIndex' must be the index of one of the images")
        record = self._carousel(request, account, caption, media, draft=draft, body=body)
        if self.phase(record) is Phase.FAILED:
            return self.error(
                502, f"TikTok rejected the carousel: {record.fail_reason}", "internal_server_error"
            )
        publish_id = "v0" + self.digits(16)
        return self.json(
            {
                "tiktokPublishId": record.id,
                "publishId": publish_id,
                "tiktokMediaId": publish_id,
                "permalink": record.url,
                "imageCount": len(media),
            }
        )

    async def instagram_carousel(self, request: Request) -> Response:
        body = await self.body_object(request, code="bad_request")
        self._allowed(body, {"mediaIds", "instagramAccountId", "caption"})
        media = self._images(body, 2, 10, set(IMAGE_TYPES), "Instagram carousels take images only")
        account = self._account(body, "instagramAccountId", "instagram")
        caption = self._text(body, "caption", 2200)
        record = self._carousel(request, account, caption, media, draft=False, body=body)
        if self.phase(record) is Phase.FAILED:
            return self.error(
                502, f"Instagram rejected the carousel: {record.fail_reason}", "internal_server_error"
            )
        return self.json(
            {
                "instagramPublishId": record.id,
                "igMediaId": self.digits(17),
                "permalink": record.url,
                "imageCount": len(media),
            }
        )

    def _images(self, body: dict[str, Any], low: int, high: int, types: set[str], why: str) -> list[_Media]:
        ids = body.get("mediaIds")
        if not isinstance(ids, list):
            raise Rejected(400, "'mediaIds' is required")
        if not low <= len(ids) <= high:
            raise Rejected(400, f"'mediaIds' must hold {low} to {high} media IDs")
        media = [self._media(i, "mediaIds") for i in ids]
        if any(m.mime_type not in types for m in media):
            raise Rejected(400, why)
        return media

    def _carousel(
        self,
        request: Request,
        account: SandboxAccount,
        caption: str,
        media: list[_Media],
        *,
        draft: bool,
        body: dict[str, Any],
    ) -> Record:
        post_id = self.digits(19)
        record = self.new_record(
            request,
            id=self.new_id(),
            account_id=account.id,
            platform=account.platform,
            kind="photo",
            text=caption,
            media=tuple(m.url for m in media),
            url=post_url(account.platform, account.username, post_id, photo=True, code=shortcode(self.rng)),
            synchronous=True,
            draft=draft,
            # a carousel endpoint has no product: its posts go to the feed, never a story
            options=_neutral_options(body) | ({"story": False} if account.platform == "instagram" else {}),
            extra={"carousel": True},
        )
        return record

    # -- schedules -------------------------------------------------------------------------------

    async def list_scheduled(self, request: Request) -> Response:
        if not self.scheduling_enabled:
            return self.error(403, "Scheduled publishing is not enabled for this account", "feature_disabled")
        waiting = sorted((r for r in self.records if self.phase(r) is Phase.SCHEDULED), key=lambda r: r.start)
        items = []
        for r in waiting:
            key = "tiktokAccountId" if r.platform == "tiktok" else "instagramAccountId"
            items.append(
                {
                    "outputJobId": r.id,
                    "platform": r.platform,
                    key: r.account_id,
                    "status": "scheduled",
                    "scheduledFor": r.extra.get("scheduled_for"),
                    "caption": r.text,
                }
            )
        return self.json({"scheduled": items})

    async def cancel_scheduled(self, request: Request) -> Response:
        if not self.scheduling_enabled:
            return self.error(403, "Scheduled publishing is not enabled for this account", "feature_disabled")
        record = self.records.get(request.path_params["job_id"])
        if record is None or not record.scheduled:
            return self.error(404, "Scheduled job not found")
        if not self.records.cancel(record):
            return self.error(409, "The job has already started or finished")
        return self.json({"outputJobId": record.id, "status": "canceled"})


def _neutral_options(body: dict[str, Any]) -> dict[str, Any]:
    """The options a publish body carried, in postmux's neutral names: the vocabulary, backwards."""
    return VOCABULARY.neutral("tiktok" if "tiktokAccountId" in body else "instagram", body)
