"""An emulator of the PostPeer API for the postmux sandbox, written from its OpenAPI spec and docs.

It answers what :class:`~postmux_postpeer.adapter.PostPeerAdapter` uses:
``x-access-key`` auth; every body (``POST /v1/posts``, the reschedule
``PATCH``, the upload ask) checked against the plugin's own ``schema.json``,
written from the spec (a body the spec rejects is a 400), and posts answered 202 with per-platform
results; posts that move ``pending`` → ``publishing`` → ``published`` (YouTube
asynchronously, the others within the request, as the TikTok example shows);
``scheduledFor`` + ``timezone`` scheduling, listed, rescheduled and cancelled
(back to ``draft``); presigned uploads to the sandbox's media host;
integrations with a ``reconnect_required`` one; OAuth connect whose URL,
opened (or left for a moment), links a new account; TikTok creator info. Both
error shapes are kept: ``{success: false, message}`` for posts and media,
``{error}`` for connect, integrations and creator info.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from postmux import ConnectStart
from postmux.media import extension_of
from postmux.sandbox import Emulator, Phase, Record, SandboxAccount
from postmux.sandbox.kit import Rejected, Seed, tiktok_creator_fields
from postmux.sandbox.middleware import json_bytes
from postmux.sandbox.oauth import OAuthLinks
from postmux.sandbox.platforms import post_url, shortcode
from postmux.sandbox.queries import choice, choices, instant, page, sort_order, window, within

from .schema import body_errors
from .vocabulary import VOCABULARY

__all__ = ["PostPeerEmulator"]

PLATFORMS = ("tiktok", "instagram", "threads", "facebook", "youtube")
CONNECTABLE = frozenset(
    {
        "twitter",
        "instagram",
        "youtube",
        "tiktok",
        "pinterest",
        "linkedin",
        "bluesky",
        "facebook",
        "threads",
        "googlebusiness",
    }
)
POST_STATUSES = ("draft", "pending", "scheduled", "publishing", "published", "failed", "partial")
PROFILE_ID = "profile_sandbox"
"""The one profile every sandbox integration belongs to."""
_BOUNDS = ("createdAfter", "createdBefore", "scheduledAfter", "scheduledBefore")
ASYNCHRONOUS = frozenset({"youtube"})
"""Platforms whose publish-now outlasts the request: accepted, then ``publishing``.

TikTok is not among them: PostPeer's documented TikTok example answers a
publish-now post ``published`` with its ``platformPostUrl``.
"""
WORDS = {
    Phase.SCHEDULED: "scheduled",
    Phase.QUEUED: "pending",
    Phase.PROCESSING: "publishing",
    Phase.PUBLISHED: "published",
    Phase.INBOX: "published",
    Phase.FAILED: "failed",
    Phase.CANCELLED: "draft",
}
_ERROR_SHAPE_PREFIXES = ("/v1/connect", "/v1/tiktok", "/v1/profiles", "/v1/apps")


class PostPeerEmulator(Emulator):
    """PostPeer's REST API, emulated."""

    provider: ClassVar[str] = "postpeer"
    auth_header: ClassVar[str] = "x-access-key"
    default_key: ClassVar[str] = "pp_sandbox_0000000000000000"
    route_roles: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "publish": ("POST /v1/posts", "POST /v1/posts/"),
        "status": ("GET /v1/posts", "GET /v1/posts/*"),
        "upload": ("POST /v1/media/upload",),
        "accounts": ("GET /v1/connect/integrations", "GET /v1/tiktok/creator-info"),
    }
    publish_routes: ClassVar[tuple[str, ...]] = route_roles["publish"]
    public_paths: ClassVar[frozenset[str]] = frozenset({"/v1/health", OAuthLinks.PUBLIC})

    def __init__(self, **options: Any) -> None:
        self.posts: dict[str, dict[str, Any]] = {}
        self.oauth = OAuthLinks(self, id_prefix="int_", user_id_digits=12)
        super().__init__(**options)

    vocabulary = VOCABULARY
    seeds: ClassVar[Sequence[Seed]] = (
        *(Seed(p, user_id_digits=12) for p in PLATFORMS),
        Seed("tiktok", "sandbox_expired", active=False, user_id_digits=12),
    )
    seed_id_prefix: ClassVar[str] = "int_"

    def error_payload(
        self, status: int, message: str, code: str | None = None, *, path: str = ""
    ) -> tuple[bytes, str]:
        """``{error}`` for connect, TikTok, profiles, apps; else the vocabulary's ``{success, message}``."""
        if path.startswith(_ERROR_SHAPE_PREFIXES):
            return json_bytes({"error": message}), "application/json"
        return super().error_payload(status, message)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/health", self.health, methods=["GET"]),
            Route("/v1/health/auth", self.health, methods=["GET"]),
            Route("/v1/posts", self.create_post, methods=["POST"]),
            Route("/v1/posts/", self.create_post, methods=["POST"]),
            Route("/v1/posts", self.list_posts, methods=["GET"]),
            Route("/v1/posts/", self.list_posts, methods=["GET"]),
            Route("/v1/posts/scheduled", self.list_scheduled, methods=["GET"]),
            Route("/v1/posts/scheduled/", self.list_scheduled, methods=["GET"]),
            Route("/v1/posts/scheduled/{post_id}", self.cancel, methods=["DELETE"]),
            Route("/v1/posts/scheduled/{post_id}", self.reschedule, methods=["PATCH"]),
            Route("/v1/posts/{post_id}", self.get_post, methods=["GET"]),
            Route("/v1/media/upload", self.upload, methods=["POST"]),
            Route("/v1/connect/integrations", self.integrations, methods=["GET"]),
            Route("/v1/connect/{platform}", self.connect, methods=["GET"]),
            Route("/v1/tiktok/creator-info", self.creator_info, methods=["GET"]),
            self.oauth.route(),
        ]

    async def health(self, request: Request) -> Response:
        return self.json({"ok": True})

    # -- posts -------------------------------------------------------------------------

    async def create_post(self, request: Request) -> Response:
        body = await self.body(request)
        if not isinstance(body, dict):
            raise Rejected(400, "body must be object")
        problems = body_errors("POST /v1/posts/", body)
        if problems:
            raise Rejected(400, problems[0])
        entries, kind = self._check(body)
        when, zone = self._when(body)
        post_id = "post_" + self.new_id().replace("-", "")[:20]
        records: list[Record | str] = []
        for entry, account in entries:
            if not account.active:
                records.append("Account needs to be reconnected: token_expired")
                continue
            records.append(self._record(request, post_id, entry, account, kind, body, when))
        self.posts[post_id] = {
            "body": body,
            "records": [r for r in records if isinstance(r, Record)],
            "failures": [
                (e["platform"], r) for (e, _), r in zip(entries, records, strict=True) if isinstance(r, str)
            ],
            "timezone": zone,
            "created": self.clock.datetime().isoformat(),
        }
        return self.json(self._create_answer(post_id, entries, records, when), status=202)

    def _check(self, body: dict[str, Any]) -> tuple[list[tuple[dict[str, Any], SandboxAccount]], str]:
        """What the spec cannot say: known accounts of the right platform, one kind of media."""
        if not isinstance(body.get("content"), str):
            raise Rejected(400, "body/content must be string")
        platforms = body.get("platforms")
        if not isinstance(platforms, list) or not platforms:
            raise Rejected(400, "body/platforms must NOT have fewer than 1 items")
        entries = []
        for entry in platforms:
            account = self.account(str(entry.get("accountId", ""))) if isinstance(entry, dict) else None
            if account is None or account.platform != entry.get("platform"):
                raise Rejected(
                    400, f"Integration {entry.get('accountId')!r} not found for {entry.get('platform')}"
                )
            entries.append((entry, account))
        items = body.get("mediaItems") or []
        types = {i.get("type") for i in items if isinstance(i, dict)}
        if "video" in types and len(types) > 1:
            raise Rejected(400, "Cannot mix videos with other media in one post")
        for item in items:
            url = item.get("url", "") if isinstance(item, dict) else ""
            if self.media.owns(url) and self.media.lookup(url) is None:
                raise Rejected(400, f"Media not found at {url}: upload it first")
        if not items and any(e["platform"] in ("tiktok", "instagram", "youtube") for e, _ in entries):
            raise Rejected(400, "TikTok, Instagram and YouTube posts need media")
        return entries, "video" if "video" in types else "photo"

    def _when(self, body: dict[str, Any]) -> tuple[datetime | None, str]:
        zone = body.get("timezone", "UTC")
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Rejected(400, f"Invalid timezone: {zone}") from None
        value = body.get("scheduledFor")
        if value is None:
            if body.get("publishNow") is not True:
                raise Rejected(400, "publishNow is required when scheduledFor is omitted")
            return None, str(zone)
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise Rejected(400, 'body/scheduledFor must match format "date-time"') from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=tz)
        if when <= self.clock.datetime():
            raise Rejected(400, "scheduledFor must be in the future")
        return when, str(zone)

    def _record(
        self,
        request: Request,
        post_id: str,
        entry: dict[str, Any],
        account: SandboxAccount,
        kind: str,
        body: dict[str, Any],
        when: datetime | None,
    ) -> Record:
        platform = account.platform
        data = entry.get("platformSpecificData") or {}
        post_number = self.digits(19)
        code = shortcode(self.rng)
        return self.new_record(
            request,
            id=self.new_id("rec_"),
            account_id=account.id,
            platform=platform,
            kind=kind,
            text=str(entry.get("content") or body.get("content", "")),
            media=tuple(str(i.get("url")) for i in body.get("mediaItems") or []),
            url=post_url(platform, account.username, post_number, photo=kind == "photo", code=code),
            start=when.timestamp() if when else self.clock.now(),
            scheduled=when is not None,
            synchronous=platform not in ASYNCHRONOUS,
            draft=platform == "tiktok" and data.get("draft") is True,
            group=post_id,
            options=_neutral_options(platform, data, kind),
            extra={"platform_post_id": post_number},
        )

    def _create_answer(
        self,
        post_id: str,
        entries: list[tuple[dict[str, Any], SandboxAccount]],
        records: list[Record | str],
        when: datetime | None,
    ) -> dict[str, Any]:
        results = []
        for (entry, _), record in zip(entries, records, strict=True):
            item: dict[str, Any] = {"platform": entry["platform"]}
            if isinstance(record, str):
                item.update(success=False, error=record)
            elif self.phase(record) is Phase.FAILED:
                item.update(success=False, error=record.fail_reason or "failed")
            else:
                item["success"] = True
                if self.phase(record) in (Phase.PUBLISHED, Phase.INBOX) and not record.draft:
                    item["platformPostUrl"] = record.url
            results.append(item)
        answer: dict[str, Any] = {
            "success": any(r["success"] for r in results),
            "status": self._post_status(post_id),
            "postId": post_id,
            "platforms": results,
        }
        if when is not None:
            answer["scheduledFor"] = when.isoformat().replace("+00:00", "Z")
        return answer

    def _post_status(self, post_id: str) -> str:
        post = self.posts[post_id]
        words = [WORDS[self.phase(r)] for r in post["records"]] + ["failed" for _ in post["failures"]]
        if not words:
            return "failed"
        if len(set(words)) == 1:
            return words[0]
        if set(words) <= {"published", "failed"}:
            return "partial"
        for word in ("publishing", "pending", "scheduled"):
            if word in words:
                return word
        return "partial"

    async def get_post(self, request: Request) -> Response:
        post_id = request.path_params["post_id"]
        if post_id not in self.posts:
            return self.error(404, "Post not found", path="/v1/posts")
        return self.json({"success": True, "post": self._post_json(post_id)})

    async def list_posts(self, request: Request) -> Response:
        """``GET /v1/posts``: the posts the OpenAPI's filters select, a page at a time.

        Its parameters (``status``, ``platform`` repeatable with OR, ``profileId``,
        the created/scheduled bounds, ``limit`` 1–100 default 20, ``offset``,
        ``sort``) are the spec's; which way ``sort`` runs by default it does not
        say: oldest first.
        """
        params = request.query_params
        limit, offset = page(params)
        status = choice(params, "status", POST_STATUSES)
        platforms = set(choices(params, "platform", CONNECTABLE))
        profile = params.get("profileId")
        bounds = {name: instant(params, name) for name in _BOUNDS}
        newest_first = sort_order(params)
        found = []
        for post_id, post in list(self.posts.items()):
            if status is not None and self._post_status(post_id) != status:
                continue
            if platforms and not platforms & self._platforms_of(post):
                continue
            if profile is not None and profile != self._profile_of(post):
                continue
            if not within(
                datetime.fromisoformat(post["created"]), bounds["createdAfter"], bounds["createdBefore"]
            ):
                continue
            if bounds["scheduledAfter"] or bounds["scheduledBefore"]:
                when = self._scheduled_for(post)
                if when is None or not within(when, bounds["scheduledAfter"], bounds["scheduledBefore"]):
                    continue
            found.append(post_id)
        selected = window(found, limit, offset, newest_first)
        return self.json(
            {"success": True, "total": len(found), "posts": [self._post_json(p) for p in selected]}
        )

    @staticmethod
    def _platforms_of(post: dict[str, Any]) -> set[str]:
        return {r.platform for r in post["records"]} | {platform for platform, _ in post["failures"]}

    @staticmethod
    def _profile_of(post: dict[str, Any]) -> str:
        """Every sandbox integration belongs to one profile, so every post targets it."""
        return PROFILE_ID

    def _scheduled_for(self, post: dict[str, Any]) -> datetime | None:
        first = post["records"][0] if post["records"] else None
        if first is None or not first.scheduled:
            return None
        return datetime.fromtimestamp(first.start, self.clock.datetime().tzinfo)

    def _post_json(self, post_id: str) -> dict[str, Any]:
        """A post as ``GET /v1/posts/{postId}`` and ``GET /v1/posts`` show it."""
        post = self.posts[post_id]
        body = post["body"]
        platforms = []
        for record in post["records"]:
            phase = self.phase(record)
            done = phase in (Phase.PUBLISHED, Phase.INBOX)
            public = phase is Phase.PUBLISHED
            finished = datetime.fromtimestamp(record.finished_at(self.timing), self.clock.datetime().tzinfo)
            platforms.append(
                {
                    "platform": record.platform,
                    "status": WORDS[phase],
                    "content": None,
                    "platformPostId": record.extra["platform_post_id"] if public else None,
                    "platformPostUrl": record.url if public else None,
                    "publishedAt": finished.isoformat() if done else None,
                    "errorMessage": record.fail_reason if phase is Phase.FAILED else None,
                    "warningMessage": None,
                }
            )
        for platform, reason in post["failures"]:
            platforms.append(
                {
                    "platform": platform,
                    "status": "failed",
                    "content": None,
                    "platformPostId": None,
                    "platformPostUrl": None,
                    "publishedAt": None,
                    "errorMessage": reason,
                    "warningMessage": None,
                }
            )
        first = post["records"][0] if post["records"] else None
        scheduled = (
            datetime.fromtimestamp(first.start, self.clock.datetime().tzinfo).isoformat()
            if first is not None and first.scheduled
            else None
        )
        return {
            "postId": post_id,
            "content": body.get("content", ""),
            "status": self._post_status(post_id),
            "scheduledFor": scheduled,
            "timezone": post["timezone"],
            "mediaItems": [_media_item(i, self) for i in body.get("mediaItems") or []],
            "platforms": platforms,
            "crosspostingEnabled": False,
            "rawRequestBody": body,
            "createdAt": post["created"],
            "updatedAt": self.clock.datetime().isoformat(),
        }

    # -- scheduling ---------------------------------------------------------------------------

    async def list_scheduled(self, request: Request) -> Response:
        limit, offset = page(request.query_params)
        newest_first = sort_order(request.query_params)
        waiting = [
            (post_id, post)
            for post_id, post in self.posts.items()
            if post["records"] and all(self.phase(r) is Phase.SCHEDULED for r in post["records"])
        ]
        waiting.sort(key=lambda item: item[1]["records"][0].start)
        posts = []
        for post_id, post in window(waiting, limit, offset, newest_first):
            first = post["records"][0]
            posts.append(
                {
                    "postId": post_id,
                    "content": post["body"].get("content", ""),
                    "scheduledFor": datetime.fromtimestamp(
                        first.start, self.clock.datetime().tzinfo
                    ).isoformat(),
                    "timezone": post["timezone"],
                    "platforms": [{"platform": r.platform, "status": "scheduled"} for r in post["records"]],
                    "createdAt": post["created"],
                }
            )
        return self.json({"success": True, "total": len(waiting), "posts": posts})

    async def cancel(self, request: Request) -> Response:
        post = self.posts.get(request.path_params["post_id"])
        if post is None or not post["records"] or not post["records"][0].scheduled:
            return self.error(404, "Scheduled post not found", path="/v1/posts")
        if any(self.phase(r) is Phase.CANCELLED for r in post["records"]):  # back in draft already
            return self.error(409, "Post is no longer scheduled", path="/v1/posts")
        if not all(self.records.cancel(r) for r in post["records"]):
            return self.error(409, "Post is already publishing or published", path="/v1/posts")
        return self.json({"success": True, "message": "Post cancelled and moved to draft."})

    async def reschedule(self, request: Request) -> Response:
        post = self.posts.get(request.path_params["post_id"])
        body = await self.body(request)
        if post is None or not post["records"] or not post["records"][0].scheduled:
            return self.error(404, "Scheduled post not found", path="/v1/posts")
        if not isinstance(body, dict) or "scheduledFor" not in body:
            raise Rejected(400, "body must have required property 'scheduledFor'")
        problems = body_errors("PATCH /v1/posts/scheduled/{postId}", body)
        if problems:
            raise Rejected(400, problems[0])
        when, zone = self._when({"timezone": post["timezone"], **body})
        assert when is not None
        if any(self.phase(r) is not Phase.SCHEDULED for r in post["records"]):
            return self.error(409, "Post is no longer scheduled", path="/v1/posts")
        for record in post["records"]:
            record.start = when.timestamp()
        post["timezone"] = zone
        return self.json(
            {
                "success": True,
                "message": "Post rescheduled.",
                "scheduledFor": when.isoformat().replace("+00:00", "Z"),
            }
        )

    # -- media -----------------------------------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        body = await self.body(request)
        if not isinstance(body, dict) or not isinstance(body.get("filename"), str):
            return self.error(400, "body must have required property 'filename'", path="/v1/media")
        problems = body_errors("POST /v1/media/upload", body)
        if problems:
            return self.error(400, problems[0], path="/v1/media")
        mime = body.get("mimeType")
        if not isinstance(mime, str) or not mime.startswith(("image/", "video/")):
            return self.error(400, "Only image/* and video/* files can be uploaded", path="/v1/media")
        upload_url, public_url = self.media.presign(body["filename"], mime)
        return self.json({"success": True, "data": {"uploadUrl": upload_url, "publicUrl": public_url}})

    # -- accounts and linking -------------------------------------------------------------------

    def approve(self, start: ConnectStart, username: str | None = None) -> SandboxAccount | None:
        """The person opens the OAuth URL and consents: the account is linked now."""
        return self.oauth.approve(start, username)

    async def integrations(self, request: Request) -> Response:
        """``GET /v1/connect/integrations`` with the OpenAPI's filters: platform, profileId, q, a page."""
        self.oauth.settle()  # a person shown a link long enough ago has consented
        params = request.query_params
        limit, offset = page(params)
        platform = choice(params, "platform", CONNECTABLE)
        newest_first = sort_order(params)
        profile = params.get("profileId")
        query = (params.get("q") or "").strip().lower()
        with self.lock:
            found = [
                a
                for a in self.accounts
                if platform in (None, a.platform)
                and profile in (None, PROFILE_ID)
                and (not query or a.id == params.get("q") or _matches(a, query))
            ]
        selected = window(found, limit, offset, newest_first)
        return self.json(
            {"success": True, "total": len(found), "integrations": [self._integration(a) for a in selected]}
        )

    def _integration(self, a: SandboxAccount) -> dict[str, Any]:
        return {
            "id": a.id,
            "platform": a.platform,
            "platformUserId": a.extra.get("user_id"),
            "username": a.username,
            "displayName": a.display_name,
            "profileUrl": post_url(a.platform, a.username, "").rsplit("/", 2)[0],
            "imageUrl": f"https://sandbox.invalid/avatars/{a.username}.jpg",
            "profileId": PROFILE_ID,
            "appId": None,
            "app": None,
            "byok": False,
            "authStatus": "active" if a.active else "reconnect_required",
            "authFailureReason": None if a.active else "token_expired",
            "createdAt": "2026-01-01T00:00:00.000Z",
        }

    async def connect(self, request: Request) -> Response:
        platform = request.path_params["platform"]
        if platform not in CONNECTABLE:
            return self.error(400, f"Unsupported platform: {platform}", path="/v1/connect")
        return self.json({"url": self.oauth.url(platform)})

    async def creator_info(self, request: Request) -> Response:
        account_id = request.query_params.get("accountId")
        with self.lock:
            tiktok = [a for a in self.accounts if a.platform == "tiktok"]
        account = next((a for a in tiktok if a.id == account_id or not account_id), None)
        if account is None:
            return self.error(404, "TikTok account not found", path="/v1/tiktok")
        if not account.active:
            return self.error(502, "TikTok rejected the token: reconnect the account", path="/v1/tiktok")
        return self.json({"success": True, "data": tiktok_creator_fields(account, camel=True)})


def _matches(a: SandboxAccount, query: str) -> bool:
    """``q``: a case-insensitive part of the display name, username or platform user id."""
    fields = (a.display_name, a.username, str(a.extra.get("user_id") or ""))
    return any(query in f.lower() for f in fields)


def _neutral_options(platform: str, data: dict[str, Any], kind: str) -> dict[str, Any]:
    """The options an entry carried, in postmux's neutral names (absent keys stay absent)."""
    options = VOCABULARY.neutral(platform, data)  # the vocabulary, read backwards
    if platform == "tiktok" and kind == "photo":  # isAigc is "Videos only": photos carry no AI label
        options.setdefault("ai_generated", False)
    if platform == "instagram":  # "story" is the only contentType: left out, the post is no story
        options["story"] = data.get("contentType") == "story"
    return options


def _media_item(item: Any, emulator: Emulator) -> dict[str, Any]:
    url = str(item.get("url", "")) if isinstance(item, dict) else ""
    blob = emulator.media.lookup(url)
    return {
        "type": item.get("type") if isinstance(item, dict) else "image",
        "url": url,
        "filename": blob.filename if blob else url.rsplit("/", 1)[-1],
        "size": len(blob.data) if blob else 0,
        "mimeType": blob.mime_type if blob else f"image/{extension_of(url) or 'jpeg'}",
    }
