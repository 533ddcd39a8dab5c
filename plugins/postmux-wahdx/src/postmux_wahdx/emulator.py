"""An emulator of the Wahdx API for the postmux sandbox, written from Wahdx's documents.

It answers the endpoints :class:`~postmux_wahdx.adapter.WahdxAdapter` uses, in
the shapes of ``https://wahdx.co/docs`` and ``https://wahdx.com/docs/photo-carousel``:
``X-API-Key`` auth; one platform and one account per post; media type told by
extension (a photo and video mix is rejected); TikTok answers
``PUBLISH_INITIATED`` and moves through TikTok's vocabulary as time passes,
Instagram, Threads and Facebook answer ``PUBLISH_COMPLETE`` at once; QR login
moves ``new`` → ``scanned`` → ``confirmed`` across polls.

Where the documents are silent the emulator follows the plugin's README
assumptions: errors are ``{"success": false, "error": "…"}`` with a fitting
status; creator info is TikTok's ``creator_info`` inside the usual envelope.
"""

from __future__ import annotations

import base64
import secrets
import string
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import Response

from postmux import ConnectStatus
from postmux.media import extension_of
from postmux.sandbox import Emulator, Phase, Record, SandboxAccount
from postmux.sandbox.bodies import identifier
from postmux.sandbox.kit import (
    Rejected,
    Seed,
    account_json,
    phase_words,
    refuse_options,
    tiktok_creator_fields,
)
from postmux.sandbox.platform_rules import PlatformCheck, Refusals
from postmux.sandbox.platforms import post_url
from postmux.sandbox.qr import QRLogins
from postmux.sandbox.samples import qr_png

from .capabilities import META_VIDEO, PHOTOS
from .vocabulary import ACCOUNT_FIELDS, QR_STATUSES, STATUSES, VOCABULARY

__all__ = ["WahdxEmulator"]

PLATFORMS = ("tiktok", "instagram", "threads", "facebook")
VIDEO = {"tiktok": {"mp4", "mov", "webm"}, "meta": META_VIDEO}
TIKTOK_PHOTO = {"jpg", "jpeg", "png", "webp"}
PHASE_WORDS = phase_words(STATUSES, queued="PROCESSING_DOWNLOAD", processing="PROCESSING_UPLOAD")
"""The emulator's phases in TikTok's status vocabulary, which Wahdx passes through (the status map's
first word for each; a queued post is still being downloaded, as TikTok says)."""
CHECK = PlatformCheck(
    Refusals(
        mixed="Cannot mix media types: a post is a single video or a photo carousel",
        videos="A video post takes exactly one video",
        count="Too many photos: {platform} takes up to {most}",  # the platform's most: Facebook has none
    )
)
"""The platforms' own counts in Wahdx's words; its formats and content limit are its own (below)."""
QR_WORDS = {status: word for word, status in QR_STATUSES.items()}
"""A QR session's state in Wahdx's words: the adapter's table, backwards."""
REQUIRED = "{field} is required"
"""How Wahdx refuses a request that names no account or QR session."""
BATCH_KEYS = ("status", "public_post_url", "public_post_url_candidates", "fail_reason")
"""What a batch item carries of a status answer's ``data`` (where that has it)."""


class WahdxEmulator(Emulator):
    """Wahdx Connection, emulated."""

    provider = "wahdx"
    auth_header = "X-API-Key"
    default_key = "sk_sandbox_wahdx_0000000000000000"
    route_roles: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "publish": ("POST /api/content/post",),
        "status": ("GET /api/content/status/*", "POST /api/content/status/batch"),
        "accounts": ("GET /api/content/accounts", "GET /api/content/creator-info/*"),
    }
    """Wahdx takes media by URL: it has no upload route."""
    route_table: ClassVar[Mapping[str, str]] = {
        "POST /api/content/post": "create_post",
        "POST /api/content/status/batch": "batch_status",
        "GET /api/content/status/{account_id}/{publish_id}": "status",
        "GET /api/content/creator-info/{account_id}": "creator_info",
        "GET /api/content/accounts": "list_accounts",
        "POST /api/content/qr-login/request": "qr_request",
        "POST /api/content/qr-login/check": "qr_check",
    }
    vocabulary = VOCABULARY
    seeds: ClassVar[Sequence[Seed]] = (
        *(Seed(p, "100000000000001" if p == "facebook" else None) for p in PLATFORMS),
        Seed("tiktok", "sandbox_expired", active=False),
    )
    """One active account per platform (Facebook's "username" is a page id), and an expired TikTok one."""
    subscription: str = "maximum"
    """The plan the sandbox user has; anything but ``maximum`` makes QR login a 403, as documented."""

    def __init__(self, **options: Any) -> None:
        self.linking: QRLogins = QRLogins(self, platform="tiktok", lifetime=300, stem="sandbox_creator")
        """QR login sessions by token: 5 minutes each (``expiresIn: 300``); ``approve()`` confirms one."""
        super().__init__(**options)

    # -- publishing ----------------------------------------------------------------

    async def create_post(self, request: Request) -> Response:
        body = await self.body_object(request)
        platform, account = self._target(body)
        urls = _media_urls(body)
        kind = self._check_media(platform, urls)
        settings = self._check_settings(platform, body)
        _check_text(body)
        publish_id = f"v_pub_url~v2.{self.digits(10)}" if platform == "tiktok" else self.digits(17)
        record = self.new_post(
            request,
            account,
            kind,
            id=publish_id,
            text=str(body.get("content", "")),
            media=tuple(urls),
            synchronous=platform != "tiktok",
            draft=platform == "tiktok" and settings.get("draft") is True,
            options=VOCABULARY.neutral(platform, settings),  # the vocabulary, backwards
            extra={"title": str(body.get("photoTitle") or "")[:90]},
        )
        return self.json(self._publish_answer(record, account))

    def _target(self, body: dict[str, Any]) -> tuple[str, SandboxAccount]:
        platform = body.get("platform", "tiktok")  # the older, TikTok-only page sends none
        if platform not in PLATFORMS:
            raise Rejected(400, f"Invalid platform: {platform!r}. Use tiktok, instagram, threads or facebook")
        account_id = identifier(body.get("accountId"), "accountId", refusal=REQUIRED)
        return platform, self._active(account_id, platform)

    def _active(self, account_id: str, platform: str, wrong: str | None = None) -> SandboxAccount:
        """The linked account on ``platform``, its token valid; else a 404, a 400 (``wrong``) or a 401."""
        account = self.account(account_id)
        if account is None:
            raise Rejected(404, "Account not found")
        if account.platform != platform:
            raise Rejected(
                400, wrong or f"Account {account_id} is a {account.platform} account, not {platform}"
            )
        if not account.active:
            raise Rejected(401, "Account token expired. Reconnect the account")
        return account

    def _check_media(self, platform: str, urls: list[str]) -> str:
        if not urls:
            raise Rejected(400, "mediaItems is required")
        kinds = []
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise Rejected(400, f"Invalid media URL: {url}")
            ext = extension_of(url)
            video_formats = VIDEO["tiktok" if platform == "tiktok" else "meta"]
            if ext in video_formats:
                kinds.append("video")
            elif ext in PHOTOS:
                if platform == "tiktok" and ext not in TIKTOK_PHOTO:
                    raise Rejected(400, f"Unsupported photo format for TikTok: .{ext}")
                kinds.append("photo")
            else:
                raise Rejected(400, f"Unsupported media type: cannot detect the type of {url}")
            if self.media.missing(url):
                raise Rejected(400, f"Could not fetch media: {url}")
        return CHECK.media(platform, [(k, extension_of(u)) for k, u in zip(kinds, urls, strict=True)])

    def _check_settings(self, platform: str, body: dict[str, Any]) -> dict[str, Any]:
        settings = body.get(f"{platform}Settings")
        if settings is None:
            return {}
        if not isinstance(settings, dict):
            raise Rejected(400, f"{platform}Settings must be an object")
        # each key as its neutral field is typed: TikTok's privacy levels, booleans, counts;
        # Wahdx shows only "everyone" for who_can_reply, Threads' own vocabulary is assumed (README)
        refusal = platform + "Settings.{key} must be {want}"
        refuse_options(VOCABULARY.for_platform(platform), settings, refusal=refusal)
        return settings

    def _publish_answer(self, record: Record, account: SandboxAccount) -> dict[str, Any]:
        files = [f"uploads/{secrets.token_hex(6)}.{extension_of(u)}" for u in record.media]
        phase = self.phase(record)
        done = record.platform != "tiktok" and phase is Phase.PUBLISHED  # TikTok is always polled
        data: dict[str, Any] = {"publish_id": record.id}
        if done:
            data |= {"id": record.id, "public_post_url": record.url}
        elif phase is Phase.FAILED:
            data["fail_reason"] = record.fail_reason  # as the status answers carry it
        status = "PUBLISH_COMPLETE" if done else "FAILED" if phase is Phase.FAILED else "PUBLISH_INITIATED"
        answer = {"success": True, "accountId": account.id, "platform": record.platform, "status": status}
        answer |= {"data": data, "mediaType": record.kind, "fileIds": files}
        answer["mediaUrls"] = [f"https://media.wahdx.co/{f}" for f in files]
        if done:
            answer["public_post_url"] = record.url
        return answer

    # -- following -------------------------------------------------------------------

    def _find(self, account_id: Any, publish_id: Any) -> Record:
        """The publication ``publish_id`` of the account; else a 404 saying which of the two is unknown."""
        if not isinstance(account_id, str) or self.account(account_id) is None:
            raise Rejected(404, "Account not found")
        record = self.records.get(publish_id) if isinstance(publish_id, str) else None
        if record is None or record.account_id != account_id:
            raise Rejected(404, "Publish not found")
        return record

    async def status(self, request: Request) -> Response:
        account_id = request.path_params["account_id"]
        record = self._find(account_id, request.path_params["publish_id"])
        data = self._status_data(record, request.query_params.get("mediaType"))
        return self.json(
            {"success": True, "accountId": account_id, "platform": record.platform, "data": data}
        )

    def _status_data(self, record: Record, media_type: str | None) -> dict[str, Any]:
        phase = self.phase(record)
        done = phase is Phase.PUBLISHED
        data: dict[str, Any] = {
            "publish_id": record.id,
            "platform": record.platform,
            "status": PHASE_WORDS.get(phase, "PROCESSING_DOWNLOAD"),
        }
        if record.platform == "tiktok":
            data["uploaded_bytes"] = str(5821041 if phase is not Phase.QUEUED else 0)
            if media_type or not done:
                data["public_post_url"] = record.url if done and media_type == record.kind else None
            else:
                post_id = record.extra["post_id"]
                handle = record.url.split("/")[3] if record.url else "@sandbox"
                data["public_post_url"] = None
                urls = {
                    k: post_url("tiktok", handle, post_id, photo=k == "photo") for k in ("video", "photo")
                }
                data["public_post_url_candidates"] = urls
            data["data"] = {"publicaly_available_post_id": [record.extra["post_id"]] if done else []}
        else:
            data["public_post_url"] = record.url if done else None
        if phase is Phase.FAILED:
            data["fail_reason"] = record.fail_reason
        return data

    async def batch_status(self, request: Request) -> Response:
        body = await self.body_object(request)
        if "postId" in body:
            return self.error(404, "Scheduled post not found")
        checks = body.get("checks")
        if not isinstance(checks, list) or not checks:
            return self.error(400, "Send checks or postId")
        results = [self._batch_item(check if isinstance(check, dict) else {}) for check in checks]
        by_account: dict[str, list[dict[str, Any]]] = {}
        for item in results:
            if item["success"]:
                by_account.setdefault(item["accountId"], []).append(item)
        return self.json({"success": True, "data": {"results": results, "byAccountId": by_account}})

    def _batch_item(self, check: dict[str, Any]) -> dict[str, Any]:
        account_id, publish_id = check.get("accountId"), check.get("publishId")
        base = {"accountId": account_id, "publishId": publish_id}
        try:
            record = self._find(account_id, publish_id)
        except Rejected as exc:  # a batch answers each check, found or not
            return {**base, "success": False, "error": exc.message}
        data = self._status_data(record, check.get("mediaType"))
        item = {**base, "platform": record.platform, "success": True, "publish_id": record.id}
        return item | {key: data[key] for key in BATCH_KEYS if key in data}

    # -- accounts ----------------------------------------------------------------------

    async def list_accounts(self, request: Request) -> Response:
        data = [_account_entry(a) for a in self.accounts_on()]
        return self.json({"success": True, "subscription": self.subscription, "data": data})

    async def creator_info(self, request: Request) -> Response:
        wrong = "creator-info is available for TikTok accounts only"
        account = self._active(request.path_params["account_id"], "tiktok", wrong)
        return self.json({"success": True, "data": tiktok_creator_fields(account)})  # TikTok's, passed on

    # -- QR login ------------------------------------------------------------------------

    async def qr_request(self, request: Request) -> Response:
        if self.subscription != "maximum":
            why = "QR Code login is only available for Maximum subscription"
            return self.json({"error": why, "subscription": self.subscription}, 403)  # no success key
        body = await self.body(request) or {}
        unique_id = body.get("unique_id") if isinstance(body, dict) else None
        if unique_id is not None and (not isinstance(unique_id, str) or len(unique_id) < 8):
            return self.error(400, "unique_id must be at least 8 characters")
        with self.lock:
            token = "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(32))
        unique_id = unique_id or f"session_{token[:10].lower()}"
        self.linking.issue(token, unique_id=unique_id)
        image = "data:image/png;base64," + base64.b64encode(qr_png(token)).decode()
        data = {"qrCodeImage": image, "token": token, "unique_id": unique_id, "expiresIn": 300}
        return self.json({"success": True, "data": data})

    async def qr_check(self, request: Request) -> Response:
        body = await self.body(request)
        token = identifier(body.get("token") if isinstance(body, dict) else None, "token", refusal=REQUIRED)
        polled = self.linking.poll(token)
        if polled is None:
            return self.error(404, "QR session not found")
        status, account, session = polled
        data: dict[str, Any] = {"unique_id": session["unique_id"], "status": QR_WORDS[status]}
        if status is ConnectStatus.USED:
            data["message"] = "QR code has already been used."
        if account is not None:
            data["account"] = {
                "accountId": account.id,
                "display_name": account.display_name,
                "username": account.username,
            }
        return self.json({"success": True, "data": data})


def _media_urls(body: dict[str, Any]) -> list[str]:
    """Every documented spelling: ``mediaItems`` (objects or strings), ``mediaUrls``, ``media_urls``."""
    for key in ("mediaItems", "mediaUrls", "media_urls"):
        items = body.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise Rejected(400, f"{key} must be an array")
        urls = []
        for item in items:
            url = item.get("url") if isinstance(item, dict) else item
            if not isinstance(url, str):
                raise Rejected(400, f"every {key} entry needs a url")
            urls.append(url)
        return urls
    return []


def _check_text(body: dict[str, Any]) -> None:
    content = body.get("content", "")
    if not isinstance(content, str):
        raise Rejected(400, "content must be a string")
    if len(content) > 4000:
        raise Rejected(400, "content is limited to 4,000 characters")
    title = body.get("photoTitle")
    if title is not None and not isinstance(title, str):
        raise Rejected(400, "photoTitle must be a string")


def _account_entry(a: SandboxAccount) -> dict[str, Any]:
    """An account as ``GET /api/content/accounts`` lists it: the adapter's keys, and Wahdx's figures."""
    entry = account_json(a, ACCOUNT_FIELDS, VOCABULARY.accounts)
    entry["bio_description"] = "A postmux sandbox account"
    entry["followers"] = 1500
    entry["following"] = 300 if a.platform != "facebook" else None
    entry["likes"] = 12500 if a.platform in ("tiktok", "facebook") else None
    entry["videos"] = 42 if a.platform in ("tiktok", "instagram") else None
    entry["is_verified"] = False if a.platform == "tiktok" else None
    return entry
