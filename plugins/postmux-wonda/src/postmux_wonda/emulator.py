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
The four publish endpoints are one handler over :data:`ENDPOINTS`, each
taking the body keys the vocabulary sends there.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

import attrs
from starlette.requests import Request
from starlette.responses import Response

from postmux.rules import INSTAGRAM_ALT_TEXT, RULES
from postmux.sandbox import Emulator, Phase, SandboxAccount
from postmux.sandbox.bodies import form_files, identifier, text, time_ahead
from postmux.sandbox.derived import status_codes
from postmux.sandbox.kit import Rejected, Seed, account_json, phase_words, refuse_options, shown
from postmux.sandbox.media import Blob
from postmux.sandbox.platform_rules import PlatformCheck, Refusals
from postmux.vocabulary import AccountFields

from .capabilities import CAPABILITIES, SCHEDULE_MAX, SCHEDULE_MIN
from .vocabulary import INSTAGRAM_ACCOUNTS, TIKTOK_ACCOUNTS, VOCABULARY

__all__ = ["ENDPOINTS", "WondaEmulator"]

UPLOAD_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml"}
    | {"video/mp4", "video/webm", "video/quicktime", "video/x-msvideo"}
    | {"audio/mpeg", "audio/mp3", "audio/wav", "audio/ogg", "audio/webm", "audio/aac", "audio/m4a"}
)
"""The MIME types ``/media/upload`` takes (a medium's kind is its type's: ``Blob.kind``)."""
JOB_WORDS = phase_words(VOCABULARY.statuses, scheduled="queued", inbox="succeeded")
"""A job's status in Wonda's words: the vocabulary backwards (a job waiting for its time is ``queued``)."""
JOB = {
    "id": shown("id"),
    "type": "publish",
    "platform": shown("platform"),
    "status": JOB_WORDS,
    "errorMessage": shown("fail_reason", Phase.FAILED),
    "permalink": shown("url", Phase.PUBLISHED),
    "scheduledFor": shown("extra.scheduled_for"),
    "createdAt": shown("created"),
    "finished": {phase: phase in (Phase.PUBLISHED, Phase.INBOX) for phase in Phase},
}
"""``GET /jobs/publish/{id}``: a job as Wonda shows it (the README's assumed shape)."""
INSTAGRAM_SCOPES = ["instagram_business_basic", "instagram_business_content_publish"]
LISTINGS: Mapping[str, tuple[AccountFields, str, dict[str, Any]]] = {
    "tiktok": (TIKTOK_ACCOUNTS, "tiktokUserId", {"grantedScopes": ["video.publish", "user.info.basic"]}),
    "instagram": (INSTAGRAM_ACCOUNTS, "igUserId", {"accountType": "BUSINESS", "scopes": INSTAGRAM_SCOPES}),
}
"""Each account listing: the keys the adapter reads, the user id's key, and the rest of an item."""


CHECK = PlatformCheck(
    Refusals(
        kind={
            "video": "'{field}' must be a video; use /publish/tiktok/carousel for photos",
            "photo": "{name} carousels take images only",
        },
        count="'{field}' must hold {least} to {most} media IDs",
        cover="'{field}' must be the index of one of the images",
        formats={"tiktok": "TikTok carousels only accept JPEG and WebP"},  # Instagram's: Wonda's own
        text="'{field}' must be at most {limit} characters",
    ),
    CAPABILITIES,
)
"""The platform's rules as Wonda words them: counts, formats and captions from ``postmux.rules``
(35 JPEG/WebP images on TikTok, 10 on Instagram), tightened by Wonda's capabilities (90 characters)."""


@attrs.frozen(slots=False)  # not slotted: ``keys`` is worked out once, on first use
class Endpoint:
    """One publish endpoint: its platform, whether a carousel, and the media kind it takes."""

    platform: str
    carousel: bool = False
    kind: str | None = None

    @functools.cached_property
    def keys(self) -> frozenset[str]:
        """The body keys it takes: media, account, caption, and the options the vocabulary sends there."""
        keys = {"mediaIds" if self.carousel else "mediaId", f"{self.platform}AccountId", "caption"}
        kind = "photo" if self.carousel else "video"
        option_map = VOCABULARY.for_platform(self.platform)
        fields = option_map.fields.values() if option_map else ()
        if self.platform == "tiktok":  # the options carried for its media, and the derived disclosure;
            # the carousel's table also lists duet and stitch, which postmux never sends there
            keys |= {o.wire for o in fields if o.carried(kind, "post")} | {"discloseCommercial"}
            keys |= {"disableDuet", "disableStitch"} if self.carousel else set()
        elif not self.carousel:  # an Instagram carousel takes no product, alt text or feed flag
            keys |= {o.wire for o in fields}
        return frozenset(keys if self.carousel else keys | {"scheduledAt"})


ENDPOINTS: Mapping[str, Endpoint] = {
    "/publish/tiktok": Endpoint("tiktok", kind="video"),
    "/publish/tiktok/carousel": Endpoint("tiktok", True, "photo"),
    "/publish/instagram": Endpoint("instagram"),
    "/publish/instagram/carousel": Endpoint("instagram", True, "photo"),
}


class WondaEmulator(Emulator):
    """Wonda's publishing API, emulated."""

    provider: ClassVar[str] = "wonda"
    base_path: ClassVar[str] = "/api/v1"
    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"
    default_key: ClassVar[str] = "sk_" + "0123456789abcdef" * 4
    vocabulary = VOCABULARY
    error_codes: ClassVar[Mapping[int, str]] = status_codes(VOCABULARY.errors.classes)
    seeds: ClassVar[Sequence[Seed]] = (
        Seed("tiktok", user_id_digits=10),
        Seed("instagram", user_id_digits=17),
        Seed("tiktok", "sandbox_expired", active=False, user_id_digits=10),
        Seed("instagram", "sandbox_expired_ig", "Sandbox Expired IG", False, 17),
    )
    route_table: ClassVar[Mapping[str, str]] = {
        "POST /media/upload": "upload",
        "GET /tiktok/accounts": "listing",
        "GET /instagram/accounts": "listing",
        **{f"POST {path}": "publish" for path in ENDPOINTS},
        "GET /publish/scheduled": "list_scheduled",
        "DELETE /publish/scheduled/{job_id}": "cancel_scheduled",
        "GET /jobs/publish/{job_id}": "job",
    }
    route_roles: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "publish": ("POST /publish/*",),  # the four publish endpoints, nothing else POSTs under /publish
        "status": ("GET /jobs/publish/*", "GET /publish/scheduled"),
        "upload": ("POST /media/upload",),
        "accounts": ("GET /tiktok/accounts", "GET /instagram/accounts"),
    }
    scheduling_enabled: bool = True
    """``False`` makes every scheduling request a 403 ``feature_disabled``, as documented."""

    def __init__(self, **options: Any) -> None:
        self.uploads: dict[str, str] = {}
        """Each uploaded medium's URL on the media host, by its media id."""
        super().__init__(**options)

    # -- media and accounts -----------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        uploads: dict[str, dict[str, str]] = {}
        errors: dict[str, str] = {}
        for part in await form_files(request, code="bad_request"):
            mime = part.mime_type
            if mime not in UPLOAD_TYPES:
                errors[part.field] = "Unsupported MIME type"
                continue
            media_id, url = self.new_id(), self.media.store(part.filename, mime, part.data)
            self.uploads[media_id] = url
            uploads[part.field] = {"mediaId": media_id, "url": url, "mimeType": mime}
        if not uploads:
            body = VOCABULARY.errors.body("No supported file was uploaded", "validation_error")
            return self.json(body | ({"errors": errors} if errors else {}), status=400)
        single = uploads["file"] if set(uploads) == {"file"} and not errors else {}
        return self.json({**single, "uploads": uploads, **({"errors": errors} if errors else {})})

    def _media(self, media_id: Any, field: str) -> Blob:
        """The uploaded medium an id names: its URL, MIME type and kind (``Blob.kind``)."""
        blob = self.media.lookup(self.uploads.get(identifier(media_id, field), ""))
        if blob is None:
            raise Rejected(404, f"Media {media_id} not found")
        return blob

    async def listing(self, request: Request) -> Response:
        """``GET /{platform}/accounts``; the TikTok list holds only the "currently active" accounts."""
        platform = request.url.path.split("/")[-2]
        fields, user_id, rest = LISTINGS[platform]
        accounts = [a for a in self.accounts_on(platform) if a.active or platform != "tiktok"]
        words = VOCABULARY.accounts
        items = [account_json(a, fields, words) | {user_id: a.extra.get("user_id"), **rest} for a in accounts]
        return self.json({"accounts": items})

    def _account(self, body: dict[str, Any], platform: str) -> SandboxAccount:
        field = f"{platform}AccountId"
        account_id = identifier(body.get(field), field)
        named = f"{platform.title()} account {account_id}"
        lapsed = Rejected(403, f"{named} needs to be reconnected", "forbidden")
        return self.linked(account_id, platform, missing=Rejected(404, f"{named} not found"), lapsed=lapsed)

    # -- publishing: one handler, four endpoints ------------------------------------------

    async def publish(self, request: Request) -> Response:
        endpoint = ENDPOINTS[request.url.path.removeprefix(self.base_path)]
        platform = endpoint.platform
        body = await self.body_object(request, code="bad_request")
        extra = sorted(set(body) - endpoint.keys)
        if extra:
            raise Rejected(400, f"Unrecognized key(s) in object: {', '.join(repr(k) for k in extra)}")
        field = "mediaIds" if endpoint.carousel else "mediaId"
        ids = body.get(field) if endpoint.carousel else [body.get(field)]
        if not isinstance(ids, list):
            raise Rejected(400, "'mediaIds' is required")
        media = [self._media(i, field) for i in ids]
        items, least = [(str(m.kind), m.mime_type) for m in media], 2 if endpoint.carousel else None
        cover = ("coverIndex", body.get("coverIndex", 0))
        kind = CHECK.media(platform, items, field=field, kind=endpoint.kind, least=least, cover=cover)
        account = self._account(body, platform)
        caption = CHECK.text(platform, body, "caption", photo=kind == "photo")
        refuse_options(VOCABULARY.for_platform(platform), body)
        if not isinstance(body.get("discloseCommercial", False), bool):  # derived, not an option
            raise Rejected(400, "'discloseCommercial' must be a boolean")
        if platform == "instagram" and not endpoint.carousel:
            _product(body, media[0])
        when = None if endpoint.carousel else self._schedule(body.get("scheduledAt"))
        options = VOCABULARY.neutral(platform, body)  # the vocabulary, backwards
        if endpoint.carousel and platform == "instagram":
            options["story"] = False  # a carousel endpoint has no product: its posts go to the feed
        record = self.new_post(
            request,
            account,
            kind,
            at=when,
            id=self.new_id(),
            text=caption,
            media=tuple(m.url for m in media),
            synchronous=endpoint.carousel,
            draft=body.get("postMode") == "inbox",
            options=options,
            extra={"carousel": True}
            if endpoint.carousel
            else {"scheduled_for": when.isoformat() if when else None},
        )
        if not endpoint.carousel:
            at = {"scheduledFor": when.isoformat()} if when else {}
            return self.json({"outputJobId": record.id, "status": "scheduled" if when else "queued", **at})
        if self.phase(record) is Phase.FAILED:
            why = f"{RULES[platform].name} rejected the carousel: {record.fail_reason}"
            raise Rejected(502, why, "internal_server_error")
        if platform == "tiktok":
            publish_id = "v0" + self.digits(16)
            answer = {"tiktokPublishId": record.id, "publishId": publish_id, "tiktokMediaId": publish_id}
        else:
            answer = {"instagramPublishId": record.id, "igMediaId": self.digits(17)}
        return self.json({**answer, "permalink": record.url, "imageCount": len(media)})

    def _scheduling(self) -> None:
        if not self.scheduling_enabled:
            raise Rejected(403, "Scheduled publishing is not enabled for this account", "feature_disabled")

    def _schedule(self, value: Any) -> datetime | None:
        if value is None:
            return None
        self._scheduling()
        return time_ahead(value, "scheduledAt", self.clock.datetime(), SCHEDULE_MIN, SCHEDULE_MAX)

    # -- jobs and schedules ---------------------------------------------------------------------

    async def job(self, request: Request) -> Response:
        record = self.records.get(request.path_params["job_id"])
        if record is None or record.extra.get("carousel"):
            raise Rejected(404, "Job not found")
        return self.json(self.record_json(record, JOB))

    async def list_scheduled(self, request: Request) -> Response:
        self._scheduling()
        items = [
            {
                "outputJobId": r.id,
                "platform": r.platform,
                f"{r.platform}AccountId": r.account_id,
                "status": "scheduled",
                "scheduledFor": r.extra.get("scheduled_for"),
                "caption": r.text,
            }
            for r in self.records.waiting()
        ]
        return self.json({"scheduled": items})

    async def cancel_scheduled(self, request: Request) -> Response:
        self._scheduling()
        record = self.records.get(request.path_params["job_id"])
        if record is None or not record.scheduled:
            raise Rejected(404, "Scheduled job not found")
        if not self.records.cancel(record):
            raise Rejected(409, "The job has already started or finished")
        return self.json({"outputJobId": record.id, "status": "canceled"})


def _product(body: dict[str, Any], media: Blob) -> None:
    """An Instagram single post's alt text, and a product that fits its media."""
    text(body, "altText", INSTAGRAM_ALT_TEXT)
    product = body.get("product", "REELS" if media.kind == "video" else "IMAGE")
    if product not in ("IMAGE", "REELS", "STORIES"):
        raise Rejected(400, "'product' must be IMAGE, REELS or STORIES")
    if (product == "REELS" and media.kind != "video") or (product == "IMAGE" and media.kind != "photo"):
        raise Rejected(400, f"product {product} does not match the media type {media.mime_type}")
