"""An emulator of the PostPeer API for the postmux sandbox, written from its OpenAPI spec and docs.

It answers what :class:`~postmux_postpeer.adapter.PostPeerAdapter` uses:
``x-access-key`` auth; every body (``POST /v1/posts``, the reschedule
``PATCH``, the upload ask) checked against the plugin's own schema (:mod:`.schema`,
written from the spec: a body the spec rejects is a 400), and posts answered 202 with per-platform
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
from starlette.routing import BaseRoute

from postmux import ConnectStart
from postmux.media import extension_of
from postmux.sandbox import Emulator, Phase, Record, SandboxAccount
from postmux.sandbox.kit import Rejected, Seed, account_json, phase_words, tiktok_creator_fields
from postmux.sandbox.middleware import json_bytes
from postmux.sandbox.oauth import OAuthLinks
from postmux.sandbox.platforms import post_url, shortcode
from postmux.sandbox.queries import choice, choices, instant, page, sort_order, window, within

from .schema import SCHEMA
from .vocabulary import INTEGRATION, STATUSES, VOCABULARY

__all__ = ["PostPeerEmulator"]

PLATFORMS = tuple(m.platform for m in VOCABULARY.options)
"""The platforms postmux publishes to through PostPeer: one seeded integration each."""
CONNECTABLE = frozenset(PLATFORMS) | {"twitter", "pinterest", "linkedin", "bluesky", "googlebusiness"}
"""The spec's ``Platform`` enum (postmux's five and five more): what ``connect`` and filters take."""
PROFILE_ID = "profile_sandbox"
"""The one profile every sandbox integration belongs to."""
_BOUNDS = ("createdAfter", "createdBefore", "scheduledAfter", "scheduledBefore")
ASYNCHRONOUS = frozenset({"youtube"})
"""Platforms whose publish-now outlasts the request: accepted, then ``publishing``.

TikTok is not among them: PostPeer's documented TikTok example answers a
publish-now post ``published`` with its ``platformPostUrl``.
"""
WORDS = phase_words(STATUSES, inbox="published")
"""Each phase as a PostPeer status (a TikTok draft in the inbox is ``published``, a cancel ``draft``)."""
_ERROR_SHAPE_PREFIXES = ("/v1/connect", "/v1/tiktok", "/v1/profiles", "/v1/apps")
_Entries = list[tuple[dict[str, Any], SandboxAccount]]
_Post = dict[str, Any]
"""A post as the emulator keeps it: its body, records, failed entries, zone, kind and time."""


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
    route_table: ClassVar[Mapping[str, str]] = {
        "GET /v1/health": "health",
        "GET /v1/health/auth": "health",
        **{f"POST /v1/posts{tail}": "create_post" for tail in ("", "/")},
        **{f"GET /v1/posts{tail}": "list_posts" for tail in ("", "/")},
        **{f"GET /v1/posts/scheduled{tail}": "list_scheduled" for tail in ("", "/")},
        "DELETE /v1/posts/scheduled/{post_id}": "cancel",
        "PATCH /v1/posts/scheduled/{post_id}": "reschedule",
        "GET /v1/posts/{post_id}": "get_post",
        "POST /v1/media/upload": "upload",
        "GET /v1/connect/integrations": "integrations",
        "GET /v1/connect/{platform}": "connect",
        "GET /v1/tiktok/creator-info": "creator_info",
    }
    schema = SCHEMA
    vocabulary = VOCABULARY
    seeds: ClassVar[Sequence[Seed]] = (
        *(Seed(p, user_id_digits=12) for p in PLATFORMS),
        Seed("tiktok", "sandbox_expired", active=False, user_id_digits=12),
    )
    seed_id_prefix: ClassVar[str] = "int_"

    def __init__(self, **options: Any) -> None:
        self.posts: dict[str, dict[str, Any]] = {}
        self.oauth = OAuthLinks(self, id_prefix="int_", user_id_digits=12)
        super().__init__(**options)

    def error_payload(
        self, status: int, message: str, code: str | None = None, *, path: str = ""
    ) -> tuple[bytes, str]:
        """``{error}`` for connect, TikTok, profiles, apps; else the vocabulary's ``{success, message}``."""
        if path.startswith(_ERROR_SHAPE_PREFIXES):
            return json_bytes({"error": message}), "application/json"
        return super().error_payload(status, message)

    def routes(self) -> list[BaseRoute]:
        return [*self.table_routes(), self.oauth.route()]

    async def health(self, request: Request) -> Response:
        return self.json({"ok": True})

    # -- posts -------------------------------------------------------------------------

    async def create_post(self, request: Request) -> Response:
        body = await self.checked_body(request, "POST /v1/posts/")
        entries, kind = self._check(body)
        when, zone = self._when(body)
        post_id = "post_" + self.new_id().replace("-", "")[:20]
        post: _Post = {"id": post_id, "body": body, "records": [], "failures": [], "timezone": zone}
        post |= {"created": self.clock.datetime().isoformat(), "kind": kind, "when": when}
        self.posts[post_id] = post
        results: list[Record | str] = []
        for entry, account in entries:
            if not account.active:
                results.append("Account needs to be reconnected: token_expired")
                post["failures"].append((account.platform, results[-1]))
            else:
                results.append(self._record(request, post, entry, account))
                post["records"].append(results[-1])
        return self.json(self._create_answer(post, entries, results), status=202)

    def _check(self, body: dict[str, Any]) -> tuple[_Entries, str]:
        """What the spec cannot say: known accounts of the right platform, one kind of media."""
        entries = []
        for entry in body["platforms"]:
            account = self.account(entry["accountId"])
            if account is None or account.platform != entry["platform"]:
                raise Rejected(400, f"Integration {entry['accountId']!r} not found for {entry['platform']}")
            entries.append((entry, account))
        items = body.get("mediaItems") or []
        types = {i["type"] for i in items}
        if "video" in types and len(types) > 1:
            raise Rejected(400, "Cannot mix videos with other media in one post")
        for url in (i["url"] for i in items):
            if self.media.owns(url) and self.media.lookup(url) is None:
                raise Rejected(400, f"Media not found at {url}: upload it first")
        if not items and any(e["platform"] in ("tiktok", "instagram", "youtube") for e, _ in entries):
            raise Rejected(400, "TikTok, Instagram and YouTube posts need media")
        return entries, "video" if "video" in types else "photo"

    def _when(self, body: dict[str, Any]) -> tuple[datetime | None, str]:
        """``scheduledFor`` and ``timezone``; the schema has checked that the time is RFC 3339."""
        zone = str(body.get("timezone", "UTC"))
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Rejected(400, f"Invalid timezone: {zone}") from None
        value = body.get("scheduledFor")
        if value is None:
            if body.get("publishNow") is not True:
                raise Rejected(400, "publishNow is required when scheduledFor is omitted")
            return None, zone
        when = datetime.fromisoformat(str(value).upper().replace("Z", "+00:00"))
        if when <= self.clock.datetime():
            raise Rejected(400, "scheduledFor must be in the future")
        return when, zone

    def _record(self, request: Request, post: _Post, entry: dict[str, Any], a: SandboxAccount) -> Record:
        body, platform, kind, when = post["body"], a.platform, post["kind"], post["when"]
        data = entry.get("platformSpecificData") or {}
        number, code = self.digits(19), shortcode(self.rng)
        return self.new_record(
            request,
            id=self.new_id("rec_"),
            account_id=a.id,
            platform=platform,
            kind=kind,
            text=str(entry.get("content") or body["content"]),
            media=tuple(str(i["url"]) for i in body.get("mediaItems") or []),
            url=post_url(platform, a.username, number, photo=kind == "photo", code=code),
            start=when.timestamp() if when else self.clock.now(),
            scheduled=when is not None,
            synchronous=platform not in ASYNCHRONOUS,
            draft=platform == "tiktok" and data.get("draft") is True,
            group=post["id"],
            options=_neutral_options(platform, data, kind),
            extra={"platform_post_id": number},
        )

    def _create_answer(self, post: _Post, entries: _Entries, results: list[Record | str]) -> _Post:
        items = []
        for (entry, _), record in zip(entries, results, strict=True):
            item: dict[str, Any] = {"platform": entry["platform"], "success": False}
            if isinstance(record, str):
                item["error"] = record
            elif self.phase(record) is Phase.FAILED:
                item["error"] = record.fail_reason or "failed"
            else:
                item["success"] = True
                if self.phase(record) in (Phase.PUBLISHED, Phase.INBOX) and not record.draft:
                    item["platformPostUrl"] = record.url
            items.append(item)
        answer = {"success": any(r["success"] for r in items), "status": self._post_status(post["id"])}
        answer |= {"postId": post["id"], "platforms": items}
        if post["when"] is not None:
            answer["scheduledFor"] = post["when"].isoformat().replace("+00:00", "Z")
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
        return next((w for w in ("publishing", "pending", "scheduled") if w in words), "partial")

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
        status = choice(params, "status", tuple(STATUSES))
        platforms = set(choices(params, "platform", CONNECTABLE))
        profile = params.get("profileId")  # every sandbox integration, so every post, is PROFILE_ID's
        bounds = {name: instant(params, name) for name in _BOUNDS}
        newest_first = sort_order(params)
        found = []
        for post_id, post in list(self.posts.items()):
            when = self._scheduled_for(post)
            if (
                (status is not None and self._post_status(post_id) != status)
                or (platforms and not platforms & self._platforms_of(post))
                or profile not in (None, PROFILE_ID)
                or not within(datetime.fromisoformat(post["created"]), *_pair(bounds, "created"))
            ):
                continue
            if (bounds["scheduledAfter"] or bounds["scheduledBefore"]) and (
                when is None or not within(when, *_pair(bounds, "scheduled"))
            ):
                continue
            found.append(post_id)
        selected = window(found, limit, offset, newest_first)
        return self.json(
            {"success": True, "total": len(found), "posts": [self._post_json(p) for p in selected]}
        )

    @staticmethod
    def _platforms_of(post: _Post) -> set[str]:
        return {r.platform for r in post["records"]} | {platform for platform, _ in post["failures"]}

    def _scheduled_for(self, post: _Post) -> datetime | None:
        first = post["records"][0] if post["records"] else None
        if first is None or not first.scheduled:
            return None
        return datetime.fromtimestamp(first.start, self.clock.datetime().tzinfo)

    def _post_json(self, post_id: str) -> dict[str, Any]:
        """A post as ``GET /v1/posts/{postId}`` and ``GET /v1/posts`` show it."""
        post = self.posts[post_id]
        body, zone = post["body"], self.clock.datetime().tzinfo
        platforms = []
        for record in post["records"]:
            phase = self.phase(record)
            public = phase is Phase.PUBLISHED
            finished = datetime.fromtimestamp(record.finished_at(self.timing), zone).isoformat()
            platforms.append(
                _platform_entry(
                    record.platform,
                    WORDS[phase],
                    record.fail_reason if phase is Phase.FAILED else None,
                    platformPostId=record.extra["platform_post_id"] if public else None,
                    platformPostUrl=record.url if public else None,
                    publishedAt=finished if phase in (Phase.PUBLISHED, Phase.INBOX) else None,
                )
            )
        platforms += [_platform_entry(platform, "failed", reason) for platform, reason in post["failures"]]
        scheduled = self._scheduled_for(post)
        return {
            "postId": post_id,
            "content": body.get("content", ""),
            "status": self._post_status(post_id),
            "scheduledFor": scheduled.isoformat() if scheduled else None,
            "timezone": post["timezone"],
            "mediaItems": [self._media_item(i) for i in body.get("mediaItems") or []],
            "platforms": platforms,
            "crosspostingEnabled": False,
            "rawRequestBody": body,
            "createdAt": post["created"],
            "updatedAt": self.clock.datetime().isoformat(),
        }

    def _media_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = str(item["url"])
        blob = self.media.lookup(url)
        return {
            "type": item["type"],
            "url": url,
            "filename": blob.filename if blob else url.rsplit("/", 1)[-1],
            "size": len(blob.data) if blob else 0,
            "mimeType": blob.mime_type if blob else f"image/{extension_of(url) or 'jpeg'}",
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
            full = self._post_json(post_id)  # the list shows less of each post
            posts.append({key: full[key] for key in ("postId", "content", "scheduledFor", "timezone")})
            posts[-1] |= {
                "platforms": [{"platform": r.platform, "status": "scheduled"} for r in post["records"]]
            }
            posts[-1]["createdAt"] = post["created"]
        return self.json({"success": True, "total": len(waiting), "posts": posts})

    def _scheduled(self, request: Request) -> _Post:
        """The scheduled post a cancel or reschedule names (404 when there is none)."""
        post = self.posts.get(request.path_params["post_id"])
        if post is None or self._scheduled_for(post) is None:
            raise Rejected(404, "Scheduled post not found")
        return post

    async def cancel(self, request: Request) -> Response:
        post = self._scheduled(request)
        if any(self.phase(r) is Phase.CANCELLED for r in post["records"]):  # back in draft already
            raise Rejected(409, "Post is no longer scheduled")
        if not all(self.records.cancel(r) for r in post["records"]):
            raise Rejected(409, "Post is already publishing or published")
        return self.json({"success": True, "message": "Post cancelled and moved to draft."})

    async def reschedule(self, request: Request) -> Response:
        post = self._scheduled(request)
        body = await self.checked_body(request, "PATCH /v1/posts/scheduled/{postId}")
        when, zone = self._when({"timezone": post["timezone"], **body})
        assert when is not None
        if any(self.phase(r) is not Phase.SCHEDULED for r in post["records"]):
            raise Rejected(409, "Post is no longer scheduled")
        for record in post["records"]:
            record.start = when.timestamp()
        post["timezone"] = zone
        moved = when.isoformat().replace("+00:00", "Z")
        return self.json({"success": True, "message": "Post rescheduled.", "scheduledFor": moved})

    # -- media -----------------------------------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        body = await self.checked_body(request, "POST /v1/media/upload")
        if not body["mimeType"].startswith(("image/", "video/")):
            raise Rejected(400, "Only image/* and video/* files can be uploaded")
        upload_url, public_url = self.media.presign(body["filename"], body["mimeType"])
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
            {"success": True, "total": len(found), "integrations": [_integration(a) for a in selected]}
        )

    async def connect(self, request: Request) -> Response:
        platform = request.path_params["platform"]
        if platform not in CONNECTABLE:
            raise Rejected(400, f"Unsupported platform: {platform}")
        return self.json({"url": self.oauth.url(platform)})

    async def creator_info(self, request: Request) -> Response:
        account_id = request.query_params.get("accountId")
        with self.lock:
            tiktok = [a for a in self.accounts if a.platform == "tiktok"]
        account = next((a for a in tiktok if a.id == account_id or not account_id), None)
        if account is None:
            raise Rejected(404, "TikTok account not found")
        if not account.active:
            raise Rejected(502, "TikTok rejected the token: reconnect the account")
        return self.json({"success": True, "data": tiktok_creator_fields(account, camel=True)})


def _pair(bounds: Mapping[str, datetime | None], name: str) -> tuple[datetime | None, datetime | None]:
    return bounds[name + "After"], bounds[name + "Before"]


def _platform_entry(platform: str, status: str, error: str | None, **more: Any) -> dict[str, Any]:
    """One entry of a post's ``platforms``; ``more``: what a made publication adds."""
    entry = {"platform": platform, "status": status, "content": None, "platformPostId": None}
    entry |= {"platformPostUrl": None, "publishedAt": None, "errorMessage": error, "warningMessage": None}
    return entry | more


def _integration(a: SandboxAccount) -> dict[str, Any]:
    """An integration: the vocabulary's account keys, and the rest of what the spec lists."""
    out = account_json(a, INTEGRATION, VOCABULARY.accounts, reason="token_expired")
    out |= {"platformUserId": a.extra.get("user_id"), "profileId": PROFILE_ID, "appId": None, "app": None}
    out["profileUrl"] = post_url(a.platform, a.username, "").rsplit("/", 2)[0]
    return out | {"byok": False, "createdAt": "2026-01-01T00:00:00.000Z"}


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
