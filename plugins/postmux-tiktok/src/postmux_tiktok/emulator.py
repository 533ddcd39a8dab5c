"""An emulator of TikTok's Content Posting API and OAuth for the postmux sandbox, from TikTok's references.

The sandbox's key is the app's client secret and lists the creators' tokens (``SANDBOX_CREATORS``,
the sandbox's own route). Uploads are checked against the chunk rules and hashed as they stream.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import attrs
from starlette.requests import Request
from starlette.responses import Response

from postmux.connect import ConnectStart
from postmux.media import extension_of
from postmux.ranges import parse_content_range
from postmux.sandbox import Emulator, Phase, SandboxAccount
from postmux.sandbox.derived import HTTP_ERRORS
from postmux.sandbox.kit import Rejected, Seed, seed_accounts, tiktok_creator_fields
from postmux.sandbox.platform_rules import PlatformCheck, Refusals
from postmux.sandbox.platforms import post_url

from .adapter import SANDBOX_CREATORS
from .chunks import MAX_CHUNK, MAX_CHUNKS, MIN_CHUNK
from .oauth import SCOPES, TOKEN_PATH
from .vocabulary import TIKTOK, VOCABULARY

__all__ = ["CLIENT_KEY", "TikTokEmulator"]

CLIENT_KEY = "sbawsandbox0000"
"""The sandbox app's client key; its client secret is the emulator's key."""
WORDS = {Phase.PUBLISHED: "PUBLISH_COMPLETE", Phase.INBOX: "SEND_TO_USER_INBOX", Phase.FAILED: "FAILED"}
CHECK = PlatformCheck(
    Refusals(
        code="invalid_param",
        count="{field} must hold {least} to {most} images",
        formats={"tiktok": "photo_images must be JPEG or WebP, not .{format}"},
        text="{field} is longer than {limit} {unit}",
    )
)
"""The Direct Post and Photo Post references' limits (``postmux.rules``) in TikTok's error shape."""
INIT = tuple(f"/v2/post/publish/{what}/init/" for what in ("video", "inbox/video", "content"))


def _bearer(headers: Any) -> str:
    return str(headers.get("authorization", "")).removeprefix("Bearer ").strip()


@attrs.define
class _Upload:
    """A ``FILE_UPLOAD`` waiting for its chunks: its publication is made when the last one arrives."""

    fields: dict[str, Any]
    size: int
    chunk: int
    count: int
    received: int = 0
    digest: Any = attrs.field(factory=hashlib.sha256)


class TikTokEmulator(Emulator):
    """TikTok's Content Posting API, emulated."""

    provider: ClassVar[str] = "tiktok"
    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"
    default_key: ClassVar[str] = "sk_sandbox_tiktok_0000000000000000"
    public_paths: ClassVar[frozenset[str]] = frozenset({TOKEN_PATH, "/upload/*"})
    route_roles: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "publish": tuple(f"POST {p}" for p in INIT),
        "status": ("POST /v2/post/publish/status/fetch/",),
        "upload": ("PUT /upload/*",),
        "accounts": ("GET /v2/user/info/", f"GET {SANDBOX_CREATORS}"),
    }
    route_table: ClassVar[Mapping[str, str]] = {
        f"POST {TOKEN_PATH}": "token",
        f"GET {SANDBOX_CREATORS}": "creators",
        "GET /v2/user/info/": "user_info",
        "POST /v2/post/publish/creator_info/query/": "creator_info",
        **{f"POST {path}": "init" for path in INIT},
        "PUT /upload/{upload_id}": "upload",
        "POST /v2/post/publish/status/fetch/": "status",
    }
    """A ``Rejected`` a check raises is answered by the base, in TikTok's error shape (the vocabulary's)."""
    vocabulary = VOCABULARY
    error_codes: ClassVar[Mapping[int, str]] = {
        **dict.fromkeys(HTTP_ERRORS, "internal_error"),
        **{400: "invalid_param", 401: "access_token_invalid", 429: "rate_limit_exceeded"},
    }
    """TikTok's code of an error raised without one (the base's refusal of a wrong key too)."""

    def __init__(self, **options: Any) -> None:
        self.tokens: dict[str, str] = {}  # access token → account id
        self.refresh_tokens: dict[str, str] = {}
        self.codes: dict[str, str] = {}  # OAuth state → the code issued for it
        self.pending: dict[str, _Upload] = {}  # upload id → upload
        super().__init__(**options)
        for account in self.accounts:
            self.issue(account.id)

    def seed_accounts(self) -> Sequence[SandboxAccount]:
        return seed_accounts(self, [Seed("tiktok"), Seed("tiktok", "sandbox_expired", active=False)])

    def issue(self, account_id: str) -> dict[str, Any]:
        """New tokens for a creator (a link or a refresh; the old ones stop working), as TikTok answers."""
        with self.lock:
            self.tokens = {t: a for t, a in self.tokens.items() if a != account_id}
            self.refresh_tokens = {t: a for t, a in self.refresh_tokens.items() if a != account_id}
            access, refresh = "act." + self.digits(24), "rft." + self.digits(24)
            self.tokens[access], self.refresh_tokens[refresh] = account_id, account_id
        tokens = {"open_id": account_id, "access_token": access, "refresh_token": refresh}
        return {**tokens, "scope": ",".join(SCOPES), "expires_in": 86400, "refresh_expires_in": 31536000}

    def authorized(self, headers: Any) -> bool:
        return _bearer(headers) == self.api_key or _bearer(headers) in self.tokens

    def ok(self, data: Mapping[str, Any]) -> Response:
        error = {"code": "ok", "message": "", "log_id": self.digits(20)}
        return self.json({"data": dict(data), "error": error})

    def _creator(self, request: Request) -> SandboxAccount:
        """The creator whose token the request carries (the sandbox key acts for none)."""
        refused = Rejected(401, "The access token is invalid or not found.", "access_token_invalid")
        return self.linked(
            self.tokens.get(_bearer(request.headers)), "tiktok", missing=refused, lapsed=refused
        )

    def approve(self, start: ConnectStart, username: str | None = None) -> SandboxAccount | None:
        """The creator consents to a link this emulator's authorize URL names: a code for its ``state``."""
        query = parse_qs(urlsplit(start.url or "").query)
        if start.platform != "tiktok" or query.get("client_key") != [CLIENT_KEY]:
            return None
        with self.lock:  # counted and linked at once: two consents never get the same name
            n = sum(1 for a in self.accounts if a.username.startswith("sandbox_linked"))
            name = username or f"sandbox_linked_{n + 1}"
            new = SandboxAccount(
                id=self.new_id(), platform="tiktok", username=name, display_name=name.title()
            )
            account = self.link(new)
            self.codes[query.get("state", [""])[0]] = "code." + account.id
        return account

    async def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("client_key") != CLIENT_KEY or form.get("client_secret") != self.api_key:
            raise Rejected(401, "Client key or secret is incorrect.", "invalid_client")
        code, refresh = form.get("code", ""), self.refresh_tokens.get(form.get("refresh_token", ""), "")
        by_code = code.removeprefix("code.") if code in self.codes.values() else ""
        account = self.account(by_code if form.get("grant_type") == "authorization_code" else refresh)
        if account is None or not account.active:
            raise Rejected(400, "Authorization code or refresh token is expired or invalid.", "invalid_grant")
        return self.json(self.issue(account.id))

    async def creators(self, request: Request) -> Response:
        if _bearer(request.headers) != self.api_key:
            raise Rejected(401, "only the sandbox's key lists its creators", "access_token_invalid")
        entries = {a: {"access_token": t, "expires_in": 86400} for t, a in dict(self.tokens).items()}
        return self.ok({"creators": entries})

    async def user_info(self, request: Request) -> Response:
        a = self._creator(request)
        return self.ok({"user": {"open_id": a.id, "display_name": a.display_name, "username": a.username}})

    def settings(self, account: SandboxAccount) -> dict[str, Any]:
        """``creator_info`` of a creator: the kit's, changed by its ``extra`` (tests change them there)."""
        return tiktok_creator_fields(account)

    async def creator_info(self, request: Request) -> Response:
        return self.ok(self.settings(self._creator(request)))

    async def init(self, request: Request) -> Response:
        account, body, path = self._creator(request), await self.body(request), request.url.path
        if not isinstance(body, dict) or not isinstance(body.get("source_info"), dict):
            raise Rejected(400, "source_info is required", "invalid_param")
        source, info = body["source_info"], body.get("post_info") or {}
        photo, inbox = path == INIT[2], path == INIT[1]
        if inbox and "post_info" in body:
            raise Rejected(400, "the inbox endpoint takes source_info only", "invalid_param")
        draft = inbox or body.get("post_mode") == "MEDIA_UPLOAD"
        if not draft and info.get("privacy_level") not in self.settings(account)["privacy_level_options"]:
            raise Rejected(400, "not among the creator's privacy options", "privacy_level_option_mismatch")
        options = {**TIKTOK.neutral(info), "draft": draft}
        CHECK.text("tiktok", info, "description" if photo else "title", photo=photo)
        media = source.get("photo_images") if photo else [source.get("video_url")]
        if photo:  # a photo post carries no AI label: never labelled
            options.update(ai_generated=False, cover_index=source.get("photo_cover_index"))
            media = media if isinstance(media, list) else []
            items = [("photo", self._format(u)) for u in media]
            cover = ("photo_cover_index", source.get("photo_cover_index"))
            CHECK.media("tiktok", items, field="photo_images", kind="photo", cover=cover)
        elif source.get("source") == "FILE_UPLOAD":
            return self._file_upload(account, source, info, options, draft)
        elif source.get("source") != "PULL_FROM_URL":
            raise Rejected(400, "source must be FILE_UPLOAD or PULL_FROM_URL", "invalid_param")
        if not all(isinstance(u, str) and self.media.owns(u) for u in media):
            raise Rejected(403, "the URL's domain or prefix is not verified", "url_ownership_unverified")
        fields = self._fields(account, info, options, draft, photo, media)
        return self.ok({"publish_id": self.new_record(request, **fields).id})

    def _format(self, url: Any) -> str:
        """A photo's type as TikTok sees it: the hosted file's MIME type, else its URL's extension."""
        blob = self.media.lookup(url) if isinstance(url, str) else None
        return blob.mime_type if blob is not None else extension_of(str(url))

    def _fields(
        self, account: SandboxAccount, info: Any, options: Any, draft: bool, photo: bool, media: Any
    ) -> Any:
        pid = ("p" if photo else "v") + ("_pub_url~v2." if media[0] else "_pub_file~v2.") + self.digits(12)
        url = None if draft else post_url("tiktok", account.username, self.digits(19), photo=photo)
        text = str(info.get("description" if photo else "title") or "")
        kind = "photo" if photo else "video"
        fields = {"id": pid, "account_id": account.id, "platform": "tiktok", "kind": kind, "text": text}
        return {**fields, "media": tuple(media), "draft": draft, "options": options, "url": url}

    def _file_upload(
        self, account: SandboxAccount, source: Any, info: Any, options: Any, draft: bool
    ) -> Response:
        size, chunk, count = (source.get(k) for k in ("video_size", "chunk_size", "total_chunk_count"))
        if not all(isinstance(v, int) and v > 0 for v in (size, chunk, count)):
            raise Rejected(400, "video_size, chunk_size and total_chunk_count are required", "invalid_param")
        whole = size < MIN_CHUNK or (chunk == size and size <= MAX_CHUNK)
        several = count > 1 or size <= MAX_CHUNK  # "over 64 MB must be uploaded in multiple chunks"
        if (
            count != size // chunk
            or count > MAX_CHUNKS
            or not several
            or not (whole or MIN_CHUNK <= chunk <= MAX_CHUNK)
        ):
            raise Rejected(400, "the chunk sizes break the media transfer guide's rules", "invalid_param")
        fields, upload_id = self._fields(account, info, options, draft, False, [""]), self.digits(10)
        with self.lock:
            self.pending[upload_id] = _Upload(fields, size, chunk, count)
        url = f"{self.base_url}/upload/{upload_id}?upload_token={self.digits(16)}"
        return self.ok({"publish_id": fields["id"], "upload_url": url})

    async def upload(self, request: Request) -> Response:
        up = self.pending.get(request.path_params["upload_id"])
        if up is None:
            raise Rejected(404, "no such upload", "invalid_param")
        span = parse_content_range(request.headers.get("content-range", ""))
        if span is None:
            raise Rejected(400, "Content-Range must be bytes FIRST-LAST/TOTAL", "invalid_param")
        first, last, total = span
        want = up.size - up.received if up.received // up.chunk == up.count - 1 else up.chunk
        if (first, last, total) != (up.received, up.received + want - 1, up.size):
            raise Rejected(416, f"expected {up.received}-{up.received + want - 1}/{up.size}", "invalid_param")
        digest, length = up.digest.copy(), 0
        async for piece in request.stream():
            length += len(piece)
            digest.update(piece)
        if length != want:
            raise Rejected(400, f"the chunk has {length} bytes, not {want}", "invalid_param")
        up.received, up.digest = up.received + length, digest
        if up.received < up.size:
            return Response(status_code=206)
        self.new_record(request, **{**up.fields, "media": (f"sha256:{digest.hexdigest()}",)})
        self.pending = {k: v for k, v in self.pending.items() if v is not up}
        return Response(status_code=201)

    async def status(self, request: Request) -> Response:
        account, body = self._creator(request), await self.body(request)
        publish_id = str(body.get("publish_id") if isinstance(body, dict) else "")
        record = self.records.get(publish_id)
        if record is None and any(u.fields.get("id") == publish_id for u in list(self.pending.values())):
            return self.ok({"status": "PROCESSING_UPLOAD", "publicaly_available_post_id": []})  # chunks due
        if record is None or record.account_id != account.id:
            raise Rejected(400, "publish_id is invalid", "invalid_param")
        phase = self.phase(record)
        data: dict[str, Any] = {
            "status": WORDS.get(phase, "PROCESSING_DOWNLOAD"),
            "publicaly_available_post_id": [],
        }
        if phase is Phase.PUBLISHED and record.url:
            data["publicaly_available_post_id"] = [int(record.url.rsplit("/", 1)[1])]
        elif phase is Phase.FAILED:
            data["fail_reason"] = record.fail_reason
        elif phase is Phase.CANCELLED:
            data.update(status="FAILED", fail_reason="publish_cancelled")
        return self.ok(data)
