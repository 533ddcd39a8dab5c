"""Credentials per account: for vendors whose tokens belong to creators, not to the app.

Most vendors take one API key per publisher. A direct platform API (TikTok's
own, say) takes one OAuth token per creator instead, which expires and is
refreshed. ``postmux.publisher(name, credentials=source)`` takes a
:class:`CredentialSource`; a flow marks each request with the account it acts
for (``adapter.request(..., account=route.account_id)``), and the driver adds
that account's token through the adapter's ``auth_headers``, on the vendor's
origin only. A token about to expire is refreshed before it is used, through
the source's refresh hook; a 401 on a request with an account refreshes once
and sends again (a 401 did nothing at the vendor, so resending is safe).

Tokens are :class:`~postmux.Secret` values: no repr, log line or error shows
them, and the driver scrubs every token it has sent from the error bodies it keeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import attrs

from .errors import MissingCredentialsError
from .secrets import Secret

__all__ = ["ACCOUNT", "NO_KEY", "CredentialSource", "MemoryCredentials", "Refresh", "Token"]

ACCOUNT = "postmux.account"
"""Request extension: the account id a request acts for (set by ``Adapter.request(account=…)``)."""
TOKEN = "postmux.token"
REFRESHED = "postmux.refreshed"

NO_KEY = Secret("postmux:no-publisher-key")
"""The publisher key of a publisher that has only per-account credentials (no header is made from it)."""

REFRESH_MARGIN = timedelta(minutes=5)
"""A token expiring sooner than this is refreshed before it is sent."""


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Token:
    """One account's credential: the access token, the refresh token, and when the first expires."""

    access: Secret
    refresh: Secret | None = None
    expires_at: datetime | None = None

    def expiring(self, now: datetime | None = None, margin: timedelta = REFRESH_MARGIN) -> bool:
        """True when the access token expires within ``margin`` (never, without an expiry)."""
        if self.expires_at is None:
            return False
        return self.expires_at - margin <= (now or datetime.now(UTC))

    def __repr__(self) -> str:
        return f"Token(access=***, refresh={'***' if self.refresh else None}, expires_at={self.expires_at!r})"


Refresh = Callable[[str, Token], Token]
"""The refresh hook: ``(account, stale token) -> new token`` (the plugin's or the app's OAuth call)."""


class CredentialSource:
    """Where the driver gets an account's token; subclass for a database or a vault.

    Subclasses implement :meth:`load` and :meth:`store`; :meth:`token` and
    :meth:`refreshed` (what the driver calls) add the refresh rules, once,
    under a lock so that concurrent targets of one account refresh once.
    """

    def __init__(self, refresh: Refresh | None = None) -> None:
        self._refresh = refresh
        self._lock = threading.Lock()

    def load(self, account: str) -> Token | None:
        """The stored token of ``account``, if any."""
        raise NotImplementedError

    def store(self, account: str, token: Token) -> None:
        """Keep ``account``'s new token (after a refresh, or a first link)."""
        raise NotImplementedError

    def token(self, account: str) -> Token:
        """``account``'s token for a request now, refreshed first when it is about to expire."""
        with self._lock:
            token = self._require(account)
            if token.expiring() and self._refresh is not None and token.refresh is not None:
                token = self._renew(account, token)
            return token

    def refreshed(self, account: str, stale: Secret) -> Token | None:
        """A new token after the vendor refused ``stale`` (``None``: nothing to refresh with)."""
        with self._lock:
            token = self._require(account)
            if token.access != stale:
                return token  # another request refreshed it meanwhile
            if self._refresh is None or token.refresh is None:
                return None
            return self._renew(account, token)

    def _require(self, account: str) -> Token:
        token = self.load(account)
        if token is None:
            raise MissingCredentialsError(f"no token for account {account!r} in the credential source")
        return token

    def _renew(self, account: str, token: Token) -> Token:
        assert self._refresh is not None
        new = self._refresh(account, token)
        self.store(account, new)
        return new


class MemoryCredentials(CredentialSource):
    """Tokens in memory, by account id: the default, and what tests use."""

    def __init__(self, tokens: dict[str, Token] | None = None, *, refresh: Refresh | None = None) -> None:
        super().__init__(refresh)
        self._tokens = dict(tokens or {})

    def load(self, account: str) -> Token | None:
        return self._tokens.get(account)

    def store(self, account: str, token: Token) -> None:
        self._tokens[account] = token

    def __iter__(self) -> Iterator[str]:
        return iter(self._tokens)

    def __repr__(self) -> str:
        return f"<MemoryCredentials accounts={len(self._tokens)}>"
