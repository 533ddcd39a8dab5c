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

from starlette.requests import Request
from starlette.responses import Response

from postmux.sandbox import Emulator, Phase, Record, SandboxAccount
from postmux.sandbox.bodies import time_ahead, time_zone
from postmux.sandbox.kit import Rejected, Seed, account_json, phase_words, shown, tiktok_creator_fields
from postmux.sandbox.middleware import json_bytes
from postmux.sandbox.oauth import OAuthLinks
from postmux.sandbox.platforms import post_url
from postmux.sandbox.posts import Post, Posts
from postmux.sandbox.queries import After, AnyOf, Before, Equals, OneOf, Search, listed

from .schema import SCHEMA
from .vocabulary import INTEGRATION, STATUSES, VOCABULARY

__all__ = ["PostPeerEmulator"]

PLATFORMS = tuple(m.platform for m in VOCABULARY.options)
"""The platforms postmux publishes to through PostPeer: one seeded integration each."""
CONNECTABLE = frozenset(PLATFORMS) | {"twitter", "pinterest", "linkedin", "bluesky", "googlebusiness"}
"""The spec's ``Platform`` enum (postmux's five and five more): what ``connect`` and filters take."""
PROFILE_ID = "profile_sandbox"
"""The one profile every sandbox integration belongs to."""
ASYNCHRONOUS = frozenset({"youtube"})
"""Platforms whose publish-now outlasts the request: accepted, then ``publishing``.

TikTok is not among them: PostPeer's documented TikTok example answers a
publish-now post ``published`` with its ``platformPostUrl``.
"""
WORDS = phase_words(STATUSES, inbox="published")
"""Each phase as a PostPeer status (a TikTok draft in the inbox is ``published``, a cancel ``draft``)."""
POST_FILTERS = {
    "status": OneOf("status", tuple(STATUSES)),
    "platform": AnyOf("platforms", CONNECTABLE),  # repeatable: any of them
    "profileId": Equals("profile"),  # every sandbox integration, so every post, is PROFILE_ID's
    "createdAfter": After("created"),
    "createdBefore": Before("created"),
    "scheduledAfter": After("scheduled"),  # a post published at once is in no scheduled range
    "scheduledBefore": Before("scheduled"),
}
"""``GET /v1/posts``'s filters, as the OpenAPI defines them."""
INTEGRATION_FILTERS = {
    "platform": OneOf("platform", CONNECTABLE),
    "profileId": Equals("profile"),
    "q": Search("names", exact="id"),  # part of the display name, username or platform user id
}
"""``GET /v1/connect/integrations``'s filters."""
ENTRY = {
    "platform": shown("platform"),
    "status": WORDS,
    "content": None,
    "platformPostId": shown("extra.post_id", Phase.PUBLISHED),
    "platformPostUrl": shown("url", Phase.PUBLISHED),
    "publishedAt": shown("finished", Phase.PUBLISHED, Phase.INBOX),
    "errorMessage": shown("fail_reason", Phase.FAILED),
    "warningMessage": None,
}
"""One entry of a post's ``platforms`` (a made publication's link and id once it is public)."""
CREATED = {
    "platform": shown("platform"),
    "success": {phase: phase is not Phase.FAILED for phase in Phase},
    "error": shown("fail_reason", Phase.FAILED, omit=True),
    "platformPostUrl": shown("url", Phase.PUBLISHED, omit=True),  # not a draft's: it is in the inbox
}
"""One entry of the create answer's ``platforms``."""
_SCHEDULED_KEYS = ("postId", "content", "scheduledFor", "timezone", "platforms", "createdAt")
_ERROR_SHAPE_PREFIXES = ("/v1/connect", "/v1/tiktok", "/v1/profiles", "/v1/apps")
_Entries = list[tuple[dict[str, Any], SandboxAccount]]


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
        self.linking: OAuthLinks = OAuthLinks(self, id_prefix="int_", user_id_digits=12)
        super().__init__(**options)
        busy = ("publishing", "pending", "scheduled")  # mixed but still moving: the least finished word
        started = "Post is already publishing or published"
        self.posts = Posts(self.records, WORDS, busy=busy, mixed="partial", started=started)

    def error_payload(
        self, status: int, message: str, code: str | None = None, *, path: str = ""
    ) -> tuple[bytes, str]:
        """``{error}`` for connect, TikTok, profiles, apps; else the vocabulary's ``{success, message}``."""
        if path.startswith(_ERROR_SHAPE_PREFIXES):
            return json_bytes({"error": message}), "application/json"
        return super().error_payload(status, message)

    async def health(self, request: Request) -> Response:
        return self.json({"ok": True})

    # -- posts -------------------------------------------------------------------------

    async def create_post(self, request: Request) -> Response:
        body = await self.checked_body(request, "POST /v1/posts/")
        entries, kind = self._check(body)
        when, zone = self._when(body)
        post_id = "post_" + self.new_id().replace("-", "")[:20]
        order: list[tuple[bool, int]] = []  # (refused?, its place in records or refused): the request's order
        extra = {"timezone": zone, "when": when, "order": order}
        post = self.posts.add(Post(id=post_id, created=self.clock.now(), body=body, extra=extra))
        items = []
        for entry, account in entries:
            if account.active:
                order.append((False, len(post.records)))
                post.records.append(self._record(request, post, entry, account, kind))
                items.append(self.record_json(post.records[-1], CREATED))
            else:
                order.append((True, len(post.refused)))
                post.refused.append((account.platform, "Account needs to be reconnected: token_expired"))
                items.append({"platform": account.platform, "success": False, "error": post.refused[-1][1]})
        answer = {"success": any(i["success"] for i in items), "status": self.posts.status(post)}
        answer |= {"postId": post.id, "platforms": items}
        if when is not None:
            answer["scheduledFor"] = _z(when)
        return self.json(answer, status=202)

    def _check(self, body: dict[str, Any]) -> tuple[_Entries, str]:
        """What the spec cannot say: known accounts of the right platform, one kind of media."""
        entries = []
        for entry in body["platforms"]:
            missing = Rejected(400, f"Integration {entry['accountId']!r} not found for {entry['platform']}")
            entries.append((entry, self.linked(entry["accountId"], entry["platform"], missing=missing)))
        items = body.get("mediaItems") or []
        types = {i["type"] for i in items}
        if "video" in types and len(types) > 1:
            raise Rejected(400, "Cannot mix videos with other media in one post")
        for url in (i["url"] for i in items):
            if self.media.missing(url):
                raise Rejected(400, f"Media not found at {url}: upload it first")
        if not items and any(e["platform"] in ("tiktok", "instagram", "youtube") for e, _ in entries):
            raise Rejected(400, "TikTok, Instagram and YouTube posts need media")
        return entries, "video" if "video" in types else "photo"

    def _when(self, body: dict[str, Any]) -> tuple[datetime | None, str]:
        """``scheduledFor`` and ``timezone``; the schema has checked that the time is RFC 3339."""
        zone, value = time_zone(body, "timezone"), body.get("scheduledFor")
        if value is None:
            if body.get("publishNow") is not True:
                raise Rejected(400, "publishNow is required when scheduledFor is omitted")
            return None, zone
        at = str(value).upper()  # RFC 3339, as ajv reads it, takes a lower-case "t" and "z" too
        when = time_ahead(at, "scheduledFor", self.clock.datetime(), refusal="{field} must be in the future")
        return when, zone

    def _record(
        self, request: Request, post: Post, entry: dict[str, Any], a: SandboxAccount, kind: str
    ) -> Record:
        platform, data = a.platform, entry.get("platformSpecificData") or {}
        return self.new_post(
            request,
            a,
            kind,
            at=post.extra["when"],
            id=self.new_id("rec_"),
            text=str(entry.get("content") or post.body["content"]),
            media=tuple(str(i["url"]) for i in post.body.get("mediaItems") or []),
            synchronous=platform not in ASYNCHRONOUS,
            draft=platform == "tiktok" and data.get("draft") is True,
            group=post.id,
            options=_neutral_options(platform, data, kind),
        )

    async def get_post(self, request: Request) -> Response:
        post = self.posts.get(request.path_params["post_id"])
        if post is None:
            return self.error(404, "Post not found", path="/v1/posts")
        return self.json({"success": True, "post": self._post_json(post)})

    async def list_posts(self, request: Request) -> Response:
        """``GET /v1/posts``: the posts :data:`POST_FILTERS` select, a page at a time.

        Its parameters (those filters, ``limit`` 1–100 default 20, ``offset``,
        ``sort``) are the spec's; which way ``sort`` runs by default it does
        not say: oldest first.
        """
        total, posts = listed(request.query_params, self.posts.values(), POST_FILTERS, self._facts)
        return self.json({"success": True, "total": total, "posts": [self._post_json(p) for p in posts]})

    def _facts(self, post: Post) -> dict[str, Any]:
        """What :data:`POST_FILTERS` select a post by."""
        facts = {"status": self.posts.status(post), "platforms": post.platforms, "profile": PROFILE_ID}
        return facts | {"created": post.created, "scheduled": post.scheduled_at}

    def _post_json(self, post: Post) -> dict[str, Any]:
        """A post as ``GET /v1/posts/{postId}`` and ``GET /v1/posts`` show it (in the request's order)."""
        made = [self.record_json(r, ENTRY) for r in post.records]
        failed = dict.fromkeys(ENTRY) | {"status": "failed"}
        refused = [failed | {"platform": p, "errorMessage": why} for p, why in post.refused]
        order = post.extra.get("order") or [(False, i) for i in range(len(made))]
        platforms = [refused[i] if was_refused else made[i] for was_refused, i in order]
        scheduled = post.scheduled_at
        return {
            "postId": post.id,
            "content": post.body.get("content", ""),
            "status": self.posts.status(post),
            "scheduledFor": self.clock.iso(scheduled) if scheduled is not None else None,
            "timezone": post.extra["timezone"],
            "mediaItems": [self._media_item(i) for i in post.body.get("mediaItems") or []],
            "platforms": platforms,
            "crosspostingEnabled": False,
            "rawRequestBody": post.body,
            "createdAt": self.clock.iso(post.created),
            "updatedAt": self.clock.datetime().isoformat(),
        }

    def _media_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """One of a post's ``mediaItems``: what the media host holds at its URL (or the URL tells)."""
        blob = self.media.describe(str(item["url"]))
        return {
            "type": item["type"],
            "url": blob.url,
            "filename": blob.filename,
            "size": len(blob.data),
            "mimeType": blob.mime_type,
        }

    # -- scheduling ---------------------------------------------------------------------------

    async def list_scheduled(self, request: Request) -> Response:
        total, waiting = listed(request.query_params, self.posts.waiting())
        posts = []
        for post in waiting:  # the list shows less of each post
            posts.append({k: v for k, v in self._post_json(post).items() if k in _SCHEDULED_KEYS})
            posts[-1]["platforms"] = [{"platform": r.platform, "status": "scheduled"} for r in post.records]
        return self.json({"success": True, "total": total, "posts": posts})

    async def cancel(self, request: Request) -> Response:
        self.posts.cancel(self.posts.scheduled(request.path_params["post_id"]))
        return self.json({"success": True, "message": "Post cancelled and moved to draft."})

    async def reschedule(self, request: Request) -> Response:
        post = self.posts.scheduled(request.path_params["post_id"])
        body = await self.checked_body(request, "PATCH /v1/posts/scheduled/{postId}")
        when, zone = self._when({"timezone": post.extra["timezone"], **body})
        assert when is not None
        self.posts.reschedule(post, when.timestamp())
        post.extra["timezone"] = zone
        return self.json({"success": True, "message": "Post rescheduled.", "scheduledFor": _z(when)})

    # -- media -----------------------------------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        body = await self.checked_body(request, "POST /v1/media/upload")
        if not body["mimeType"].startswith(("image/", "video/")):
            raise Rejected(400, "Only image/* and video/* files can be uploaded")
        upload_url, public_url = self.media.presign(body["filename"], body["mimeType"])
        return self.json({"success": True, "data": {"uploadUrl": upload_url, "publicUrl": public_url}})

    # -- accounts and linking -------------------------------------------------------------------

    async def integrations(self, request: Request) -> Response:
        """``GET /v1/connect/integrations`` with :data:`INTEGRATION_FILTERS` and a page."""
        self.linking.settle()  # a person shown a link long enough ago has consented
        total, found = listed(request.query_params, self.accounts_on(), INTEGRATION_FILTERS, _account_facts)
        return self.json({"success": True, "total": total, "integrations": [_integration(a) for a in found]})

    async def connect(self, request: Request) -> Response:
        platform = request.path_params["platform"]
        if platform not in CONNECTABLE:
            raise Rejected(400, f"Unsupported platform: {platform}")
        return self.json({"url": self.linking.url(platform)})

    async def creator_info(self, request: Request) -> Response:
        account_id = request.query_params.get("accountId")
        tiktok = self.accounts_on("tiktok")
        account = next((a for a in tiktok if a.id == account_id or not account_id), None)
        if account is None:
            raise Rejected(404, "TikTok account not found")
        if not account.active:
            raise Rejected(502, "TikTok rejected the token: reconnect the account")
        return self.json({"success": True, "data": tiktok_creator_fields(account, camel=True)})


def _z(when: datetime) -> str:
    """A time as PostPeer echoes it, ``Z`` for UTC."""
    return when.isoformat().replace("+00:00", "Z")


def _account_facts(a: SandboxAccount) -> dict[str, Any]:
    """What :data:`INTEGRATION_FILTERS` select an integration by."""
    names = (a.display_name, a.username, str(a.extra.get("user_id") or ""))
    return {"id": a.id, "platform": a.platform, "profile": PROFILE_ID, "names": names}


def _integration(a: SandboxAccount) -> dict[str, Any]:
    """An integration: the vocabulary's account keys, and the rest of what the spec lists."""
    out = account_json(a, INTEGRATION, VOCABULARY.accounts, reason="token_expired")
    out |= {"platformUserId": a.extra.get("user_id"), "profileId": PROFILE_ID, "appId": None, "app": None}
    out["profileUrl"] = post_url(a.platform, a.username, "").rsplit("/", 2)[0]
    return out | {"byok": False, "createdAt": "2026-01-01T00:00:00.000Z"}


def _neutral_options(platform: str, data: dict[str, Any], kind: str) -> dict[str, Any]:
    """The options an entry carried, in postmux's neutral names (absent keys stay absent)."""
    options = VOCABULARY.neutral(platform, data)  # the vocabulary, read backwards
    if platform == "tiktok" and kind == "photo":  # isAigc is "Videos only": photos carry no AI label
        options.setdefault("ai_generated", False)
    if platform == "instagram":  # "story" is the only contentType: left out, the post is no story
        options["story"] = data.get("contentType") == "story"
    return options
