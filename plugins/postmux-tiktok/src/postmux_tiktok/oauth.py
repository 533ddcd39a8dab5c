"""TikTok's OAuth v2 for creators (Manage User Access Tokens, Login Kit): authorize URL, tokens, a token file.

``POST /v2/oauth/token/`` takes a form (``client_key``, ``client_secret``, ``grant_type``…) and answers
``open_id``, ``access_token``, ``expires_in`` (24 hours), ``refresh_token``, ``refresh_expires_in``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from postmux import Secret
from postmux.credentials import AsyncRefresh, MemoryCredentials, Refresh, Token
from postmux.errors import ResponseError
from postmux.secrets import redact
from postmux.wire import json_of

from .vocabulary import VOCABULARY, hinted

__all__ = ["API", "AUTHORIZE", "SCOPES", "FileCredentials", "read_token", "refresher", "token_form"]

API = "https://open.tiktokapis.com"
AUTHORIZE = "https://www.tiktok.com/v2/auth/authorize/"
TOKEN_PATH = "/v2/oauth/token/"
SCOPES = ("user.info.basic", "user.info.profile", "video.publish", "video.upload")
"""What posting needs: the creator's name, direct posts and inbox uploads."""


def token_form(client_key: str, client_secret: Secret, grant: Mapping[str, str]) -> dict[str, str]:
    """The form of ``/v2/oauth/token/``: the app's key and secret, and the grant."""
    return {"client_key": client_key, "client_secret": client_secret.reveal(), **grant}


def read_token(data: Any) -> tuple[str, Token]:
    """``(open_id, Token)`` from a token answer; :class:`~postmux.ResponseError` when it has none."""
    access = data.get("access_token") if isinstance(data, Mapping) else None
    if not access or not isinstance(access, str):  # "" makes no Secret
        raise ResponseError("TikTok's token answer has no access_token", provider="tiktok")
    expires, refresh = data.get("expires_in"), data.get("refresh_token")
    try:
        when = datetime.now(UTC) + timedelta(seconds=expires) if isinstance(expires, int) else None
    except OverflowError:  # no body kept: the answer holds the tokens
        raise ResponseError("TikTok's token answer has an expiry past any date", provider="tiktok") from None
    again = Secret(refresh) if isinstance(refresh, str) and refresh else None
    token = Token(access=Secret(data["access_token"]), refresh=again, expires_at=when)
    return str(data.get("open_id") or ""), token


def refresher(
    client_key: str, client_secret: str | Secret, base_url: str = API, client: Any = None
) -> Refresh:
    """A credential source's refresh hook (TikTok may rotate the refresh token too: the source keeps it).

    A sync hook (one ``httpx.Client`` call): under an ``AsyncPublisher`` the
    source runs it on its worker thread, so the event loop is never blocked.
    """
    secret = client_secret if isinstance(client_secret, Secret) else Secret(client_secret)

    def refresh(account: str, token: Token) -> Token:
        if token.refresh is None:
            raise ResponseError(f"no refresh token for TikTok account {account!r}", provider="tiktok")
        form = token_form(
            client_key, secret, {"grant_type": "refresh_token", "refresh_token": token.refresh.reveal()}
        )
        http = client or httpx.Client(timeout=30.0)
        try:
            response = http.post(base_url.rstrip("/") + TOKEN_PATH, data=form)
        except httpx.HTTPError as exc:
            raise ResponseError(f"token endpoint failed: {type(exc).__name__}", provider="tiktok") from None
        finally:
            if client is None:
                http.close()
        data = json_of(response.text)  # as sent: a refresh token TikTok hands back unchanged is kept
        if response.status_code >= 400 or (isinstance(data, dict) and data.get("error")):
            body = redact(response.text, secret, token.refresh)  # only an error keeps the body
            answer = httpx.Response(max(response.status_code, 401), request=response.request)
            raise hinted(VOCABULARY.errors.error_for(answer, body, provider="tiktok"))
        return read_token(data)[1]

    return refresh


class FileCredentials(MemoryCredentials):
    """Tokens in a JSON file only its owner may read (``0600``), for one process; rewritten on each change.

    Each store writes the whole file, one at a time: two threads storing at once (a link and a
    refresh) never leave the file with the older snapshot. Under an ``AsyncPublisher`` its calls
    run on the source's worker thread, so the file's I/O never blocks the event loop.
    """

    in_memory = False  # its store writes a file: never made on an event loop

    def __init__(
        self, path: str | os.PathLike[str], *, refresh: Refresh | AsyncRefresh | None = None
    ) -> None:
        self.path = Path(path)
        self._writing = threading.Lock()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
        except ValueError:
            raise ResponseError(f"{self.path} is not a token file (not JSON)", provider="tiktok") from None
        if not isinstance(data, dict):
            raise ResponseError(f"{self.path} is not a token file (not a JSON object)", provider="tiktok")
        tokens: dict[str, Token] = {}
        for account, entry in data.items():
            if isinstance(entry, dict) and entry.get("access"):
                try:
                    tokens[account] = _token(entry)
                except (TypeError, ValueError):  # a token that is no string, an expiry that is no date
                    why = f"{self.path} holds an unreadable token of account {account!r}"
                    raise ResponseError(why, provider="tiktok") from None
        super().__init__(tokens, refresh=refresh)

    def store(self, account: str, token: Token) -> None:
        with self._writing:  # a snapshot taken before another thread's store never replaces its file
            super().store(account, token)
            data = {a: _entry(t) for a in self if (t := self.load(a)) is not None}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")  # made 0600
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
            os.replace(name, self.path)

    def __repr__(self) -> str:
        return f"<FileCredentials {str(self.path)!r}>"


def _entry(token: Token) -> dict[str, str | None]:
    again, when = token.refresh, token.expires_at
    entry = {"access": token.access.reveal(), "refresh": again.reveal() if again else None}
    return {**entry, "expires_at": when.isoformat() if when else None}


def _token(entry: Mapping[str, Any]) -> Token:
    again, when = entry.get("refresh"), entry.get("expires_at")
    expires = datetime.fromisoformat(when) if isinstance(when, str) else None
    return Token(access=Secret(entry["access"]), refresh=Secret(again) if again else None, expires_at=expires)
