"""TikTok's Content Posting API as postmux flows: creator info, init, chunked upload, status, linking.

Without ``credentials=`` the adapter keeps an in-memory source, filled by ``connect("tiktok")``
or, with a postmux sandbox's key, with the sandbox creators' tokens (TikTok has no app-wide key).
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlencode

import attrs
import httpx

import postmux
from postmux import Adapter, MediaKind, Post, Problem, Publication, Route, Secret, Status
from postmux.connect import ConnectPoll, ConnectStart, ConnectStatus
from postmux.credentials import CredentialSource, MemoryCredentials
from postmux.flow import Flow, account_ids, done, store_token
from postmux.wire import excerpt

from . import chunks
from .oauth import API, AUTHORIZE, SCOPES, TOKEN_PATH, read_token, token_form
from .rules import conflicts
from .vocabulary import CAPABILITIES, REASONS, STATUSES, TIKTOK, VOCABULARY, hinted

__all__ = ["SANDBOX_CREATORS", "TikTokAdapter"]

SANDBOX_CREATORS = "/v2/postmux/sandbox/creators/"
"""A postmux sandbox's route, not TikTok's: its creators' tokens, for a publisher holding its key."""
USER_INFO = "/v2/user/info/"
USER_FIELDS = {"fields": "open_id,avatar_url,display_name,username"}
INIT = {"video": "/v2/post/publish/video/init/", "draft": "/v2/post/publish/inbox/video/init/"}
PHOTO_INIT, STATUS_FETCH = "/v2/post/publish/content/init/", "/v2/post/publish/status/fetch/"
_USER_NAMES = ("username", "display_name")
_OFF = {"comment": "comments", "duet": "duets", "stitch": "stitches"}
"""What a creator may turn off: ``allow_<x>``, ``<x>_disabled`` in creator info, ``disable_<x>`` sent."""


class TikTokAdapter(Adapter):
    """TikTok's own Content Posting API, one creator token per account."""

    name = "tiktok"
    env_var = "TIKTOK_API_KEY"
    default_base_url = API
    capabilities = CAPABILITIES
    vocabulary = VOCABULARY
    poll_interval = 3.0  # status/fetch allows 30 requests a minute per token
    conformance_limits: ClassVar[Mapping[str, str]] = {
        "test_a_lapsed_account_fails_alone": "TikTok's API publishes to TikTok alone: no second platform",
    }

    def __init__(self, base_url: str | None = None) -> None:
        self._own, self._loaded = MemoryCredentials(), False
        self._given: CredentialSource | None = None
        super().__init__(base_url)

    @property
    def credentials(self) -> CredentialSource:
        """The app's credential source, or the in-memory default that ``connect()`` fills."""
        return self._given if self._given is not None else self._own

    @credentials.setter
    def credentials(self, source: CredentialSource | None) -> None:
        self._given = source

    def auth_headers(self, key: Secret) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {key.reveal()}"}

    def error_for(self, response: httpx.Response, body: str) -> postmux.ProviderError:
        """The envelope's error, saying what to do for the codes that need it."""
        return hinted(super().error_for(response, body))

    def _ready(self) -> Flow[None]:
        """With a sandbox's key and no credential source: load the sandbox creators' tokens, once."""
        if self._given is not None or self._loaded:
            return
        try:
            response = yield self.request("GET", SANDBOX_CREATORS)
        except (postmux.NotFoundError, postmux.AuthenticationError):
            why = "TikTok takes a token per creator: pass credentials=… (a key works in a sandbox only)"
            raise postmux.ConfigurationError(why) from None
        for account, entry in self.answer_fields(response, at="data", creators=dict)["creators"].items():
            self._own.store(account, read_token(entry)[1])
        self._loaded = True

    def accounts(self) -> Flow[list[postmux.Account]]:
        """Every creator of the credential source, named by ``/v2/user/info/``; a refused token is expired."""
        yield from self._ready()
        if not isinstance(self.credentials, Iterable):
            why = "this credential source cannot list its accounts (it is not iterable)"
            raise postmux.UnsupportedError([Problem("accounts", why, unsupported=True)])
        out: list[postmux.Account] = []
        for account in (yield from account_ids(self.credentials)):  # the driver lists: off an async loop
            try:
                response = yield self.request("GET", USER_INFO, params=USER_FIELDS, account=account)
            except postmux.AuthenticationError as exc:
                out.append(self._account(account, {}, exc.code or "access_token_invalid"))
            else:
                user = self.answer_fields(response, at="data", user=dict)["user"]
                out.append(self._account(account, user))
        return out

    def _account(self, account: str, user: Mapping[str, Any], refused: str | None = None) -> postmux.Account:
        names: dict[str, Any] = {k: _text(user, k, "user info", f"data.user.{k}") for k in _USER_NAMES}
        status = postmux.AccountStatus.EXPIRED if refused else postmux.AccountStatus.ACTIVE
        found = postmux.Account(id=account, platform="tiktok", provider=self.name, status=status)
        return attrs.evolve(found, status_reason=refused, **names)

    def creator_info(self, account_id: str) -> Flow[postmux.CreatorInfo]:
        """``creator_info/query``: what the creator allows now (a POST that only reads)."""
        yield from self._ready()
        path = "/v2/post/publish/creator_info/query/"
        response = yield self.request("POST", path, json={}, idempotent=True, account=account_id)
        data = self.answer_fields(response, at="data", privacy_level_options=list)
        options, longest = data["privacy_level_options"], data.get("max_video_post_duration_sec")
        if not all(isinstance(o, str) for o in options):
            raise _unreadable("creator info", "data.privacy_level_options holds a non-string", data)
        if longest is not None:
            if not (type(longest) is int or (type(longest) is float and math.isfinite(longest))):  # no bool
                raise _unreadable("creator info", "data.max_video_post_duration_sec is not a number", data)
            longest = int(longest)
        return postmux.CreatorInfo(
            account_id=account_id,
            privacy_options=tuple(options),
            max_video_duration_s=longest,
            username=_text(data, "creator_username", "creator info", "data.creator_username"),
            nickname=_text(data, "creator_nickname", "creator info", "data.creator_nickname"),
            avatar_url=_text(data, "creator_avatar_url", "creator info", "data.creator_avatar_url"),
            raw=data,
            **{f"{ours}_disabled": bool(data.get(f"{what}_disabled")) for what, ours in _OFF.items()},
        )

    def stage(self, post: Post, routes: Sequence[Route]) -> Flow[tuple[str, ...]]:
        """Nothing to stage: each post's init returns its own upload URL (a local file passes as its path)."""
        return done(tuple(m.url or m.path or "" for m in post.media))

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        (route,) = routes
        yield from self._ready()
        options, kind = post.tiktok or postmux.TikTokOptions(), post.kind
        draft, plan = options.draft is True, None
        if kind is MediaKind.VIDEO and post.media[0].path is not None:
            try:
                plan = chunks.plan(os.path.getsize(media[0]))
            except (OSError, ValueError) as exc:
                why = f"cannot be uploaded to TikTok: {exc}"
                raise postmux.ValidationError([Problem("media[0]", why)]) from None
        settings, state = TIKTOK.to_wire(options, kind=kind), {"draft": "1"} if draft else {}
        if not draft:  # TikTok requires the creator's current settings before every direct post
            info = yield from self.creator_info(route.account_id)
            problems = conflicts(post, options, info, media[0] if plan else None)
            if problems:
                raise postmux.ValidationError(problems)
            for what in _OFF:  # left unset: the creator's own "off" applies
                if info.raw.get(f"{what}_disabled") and getattr(options, f"allow_{what}") is None:
                    settings.update({f"disable_{what}": True} if f"disable_{what}" in settings else {})
            state["username"] = info.username or ""
        text = post.text_for(route.target)
        if kind is MediaKind.PHOTO:
            cover = options.resolved_for(photos=True).cover_index
            images = {"source": "PULL_FROM_URL", "photo_cover_index": cover, "photo_images": list(media)}
            post_info = {**({"title": post.title} if post.title else {}), "description": text, **settings}
            mode = "MEDIA_UPLOAD" if draft else "DIRECT_POST"
            body: dict[str, Any] = {"post_info": post_info, "source_info": images, "post_mode": mode}
            path, body["media_type"] = PHOTO_INIT, "PHOTO"
        else:
            source = plan.source_info() if plan else {"source": "PULL_FROM_URL", "video_url": media[0]}
            body = {"source_info": source} if draft else {"post_info": {"title": text, **settings}}
            path, body["source_info"] = INIT["draft" if draft else "video"], source
        body = self.with_extras(post, body)
        response = yield self.request("POST", path, json=body, account=route.account_id)
        upload: dict[str, type] = {"upload_url": str} if plan else {}
        data = self.answer_fields(response, at="data", publish_id=str, **upload)
        raw = {k: v for k, v in data.items() if k != "upload_url"}  # the upload URL carries a token
        sent = Publication(target=route.target, provider=self.name, status=Status.PROCESSING, raw=raw)
        sent = attrs.evolve(
            sent, id=data["publish_id"], media_kind=kind, account_id=route.account_id, state=state
        )
        mime, total = post.media[0].mime_type or "video/mp4", plan.size if plan else 0
        try:
            for offset, length in plan.ranges() if plan else ():
                yield chunks.put_chunk(data["upload_url"], media[0], offset, length, total, mime)
        except postmux.PostmuxError as exc:  # after the init TikTok holds a publish_id: reconcile reads it
            return [chunks.in_doubt(sent, post, exc)]
        return [sent]

    def status(self, publication: Publication) -> Flow[Publication]:
        """``status/fetch`` by ``publish_id``; the post's URL once TikTok names the post."""
        yield from self._ready()
        body, who = {"publish_id": publication.id}, publication.account_id
        response = yield self.request("POST", STATUS_FETCH, json=body, idempotent=True, account=who)
        data = self.answer_fields(response, at="data", status=str)
        reason = _text(data, "fail_reason", "publish status", "data.fail_reason") or None
        status = STATUSES(data["status"], draft=publication.state.get("draft") == "1", reason=reason)
        ids, url, error = data.get("publicaly_available_post_id") or [], publication.url, None  # sic
        if not isinstance(ids, list) or not all(type(i) in (int, str) for i in ids):  # true is no id
            raise _unreadable("publish status", "data.publicaly_available_post_id is not a list of ids", data)
        if ids and status is Status.PUBLISHED:
            where = "photo" if publication.media_kind is MediaKind.PHOTO else "video"
            url = f"https://www.tiktok.com/@{publication.state.get('username', '')}/{where}/{ids[0]}"
        if status in (Status.FAILED, Status.CANCELLED):
            error = REASONS.get(reason or "", reason or "TikTok gave no reason")
        code = reason if error else None
        return attrs.evolve(publication, status=status, url=url, error=error, error_code=code, raw=data)

    def connect(self, platform: str, options: Mapping[str, Any]) -> Flow[ConnectStart]:
        """The authorize URL; ``wait()`` exchanges the code that the app's ``code(state)`` hands over."""
        if platform != "tiktok":
            return super().connect(platform, options)
        missing = [n for n in ("client_key", "client_secret", "redirect_uri", "code") if not options.get(n)]
        if missing:
            raise postmux.ConfigurationError(f"connect('tiktok') needs {', '.join(f'{m}=' for m in missing)}")
        state, key, uri = secrets.token_urlsafe(16), options["client_key"], options["redirect_uri"]
        base = AUTHORIZE if self.base_url == API else self.base_url + "/v2/auth/authorize/"
        query = {"client_key": key, "scope": ",".join(options.get("scopes", SCOPES)), "response_type": "code"}
        url = f"{base}?{urlencode({**query, 'redirect_uri': uri, 'state': state})}"  # TikTok redirects back
        secret = Secret(str(options["client_secret"]))
        memory = {"state": state, "key": key, "uri": uri, "secret": secret, "code": options["code"]}
        return done(ConnectStart(platform="tiktok", url=url, poll_interval=2.0, state=memory))

    def connect_poll(self, start: ConnectStart) -> Flow[ConnectPoll]:
        """Pending until the app's callback has the code; then the code exchanged and the creator kept."""
        code = start.state["code"](start.state["state"])
        if not code:
            return ConnectPoll(status=ConnectStatus.PENDING)
        grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": start.state["uri"]}
        form = token_form(start.state["key"], start.state["secret"], grant)
        response = yield self.request("POST", TOKEN_PATH, data=form)
        open_id, token = read_token(self.read(response))
        yield from store_token(self.credentials, open_id, token)  # the driver stores: off an async loop
        response = yield self.request("GET", USER_INFO, params=USER_FIELDS, account=open_id)
        account = self._account(open_id, self.answer_fields(response, at="data", user=dict)["user"])
        return ConnectPoll(status=ConnectStatus.CONFIRMED, account=account)


def _unreadable(what: str, why: str, data: Any) -> postmux.ResponseError:
    return postmux.ResponseError(f"cannot read {what}: {why}", provider="tiktok", body=excerpt(data))


def _text(data: Mapping[str, Any], key: str, what: str, where: str) -> str | None:
    """``data[key]``, a string or absent (``None``); anything else is a :class:`~postmux.ResponseError`."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _unreadable(what, f"{where} is not a string", data)
