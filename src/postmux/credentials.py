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

A refresh is an HTTP call of its own, and a source's ``load``/``store`` may be
a database's. The sync driver makes them in place; the async driver asks
:meth:`CredentialSource.atoken`/:meth:`~CredentialSource.arefreshed`, which run
them on the source's own worker thread, so an ``AsyncPublisher``'s event loop
runs on meanwhile. The refresh hook may be a coroutine function too (an async
app's OAuth client): see :data:`AsyncRefresh`.

A flow that keeps a token itself (a first link) or lists the source's accounts
does not call the source: it yields :func:`postmux.flow.store_token` or
:func:`postmux.flow.account_ids`, a :class:`CredentialCall` the driver makes
(in place for the sync one, on the source's worker for the async one).

A source's own failure (a database's ``sqlite3.OperationalError``, a vault's
timeout, a refresh hook's HTTP error) reaches the app as a
:class:`~postmux.CredentialError` naming the account and what was asked, never
as the source's exception: that one's text and attributes may hold a token, so
it is left out of the error's chain too (its type is named in the message).
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from .errors import ConfigurationError, CredentialError, MissingCredentialsError, PostmuxError
from .flow import ACCOUNT
from .flow import REFRESHED as REFRESHED
from .flow import TOKEN as TOKEN
from .secrets import NO_KEY, Secret

if TYPE_CHECKING:  # asyncio only where an async driver asks: a sync publisher loads none of it
    import asyncio

__all__ = [
    "ACCOUNT",
    "NO_KEY",
    "AsyncRefresh",
    "CredentialCall",
    "CredentialSource",
    "MemoryCredentials",
    "Refresh",
    "Token",
]

T = TypeVar("T")

# ACCOUNT, TOKEN, REFRESHED (postmux.flow) and NO_KEY (postmux.secrets) live where a publisher
# without credentials finds them without loading this module; they are importable from here too.

REFRESH_MARGIN = timedelta(minutes=5)
"""A token expiring sooner than this is refreshed before it is sent."""


class Token(NamedTuple):
    """One account's credential: the access token, the refresh token, and when the first expires.

    A NamedTuple (defined at every import; an attrs class compiles its methods); its repr hides both tokens.
    """

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
"""The refresh hook: ``(account, stale token) -> new token`` (the plugin's or the app's OAuth call).

Under an ``AsyncPublisher`` it runs on the source's worker thread, never on the event loop.
"""

AsyncRefresh = Callable[[str, Token], Coroutine[Any, Any, Token]]
"""A refresh hook that is a coroutine function (``async def``), for an async app's OAuth client.

Under an ``AsyncPublisher`` it runs on that publisher's event loop (where the
app's async client lives), awaited while the source's lock is held, so
concurrent targets of one account still refresh once. Under a sync
``Publisher`` it runs to its end in an event loop of its own
(:func:`asyncio.run`), which needs the hook to make its client per call; a sync
publisher called from inside a running event loop cannot run it and says so.
"""

_CALLER_LOOP: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = contextvars.ContextVar(
    "postmux.credentials.caller_loop", default=None
)
"""The event loop of the async driver that asked, seen by the source's worker thread."""


class CredentialSource:
    """Where the driver gets an account's token; subclass for a database or a vault.

    Subclasses implement :meth:`load` and :meth:`store`; :meth:`token` and
    :meth:`refreshed` (what the sync driver calls) add the refresh rules, once,
    under a lock so that concurrent targets of one account refresh once.
    :meth:`atoken` and :meth:`arefreshed` (what the async driver awaits) run
    those two on the source's one worker thread: the loop never waits on the
    lock, a refresh or a ``load``, and callers queue for that thread rather
    than each holding one of the loop's default executor's threads.
    """

    in_memory: ClassVar[bool] = False
    """True when :meth:`load` only reads memory: the async driver then reads a token that needs
    no refresh on its loop, with no thread hop (a database's ``load`` stays off the loop)."""

    def __init__(self, refresh: Refresh | AsyncRefresh | None = None) -> None:
        from concurrent.futures import ThreadPoolExecutor  # a publisher without a source loads none of it

        self._refresh = refresh
        self._lock = threading.Lock()
        # one thread (started on first use): async callers queue here, not in the loop's executor,
        # which a coroutine hook may need (a DNS lookup) while the thread waits for it
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postmux-credentials")

    def load(self, account: str) -> Token | None:
        """The stored token of ``account``, if any."""
        raise NotImplementedError

    def store(self, account: str, token: Token) -> None:
        """Keep ``account``'s new token (after a refresh, or a first link)."""
        raise NotImplementedError

    def token(self, account: str, *, refresh: bool = True) -> Token:
        """``account``'s token for a request now, refreshed first when it is about to expire.

        ``refresh=False``: the stored token as it is, read without waiting on a
        refresh under way (a preview, which sends nothing).
        """
        if not refresh:
            return self._require(account)
        with self._lock:
            token = self._require(account)
            if self._due(token):
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

    async def atoken(self, account: str) -> Token:
        """:meth:`token`, awaited off the event loop (what the async driver calls).

        An in-memory source's token that needs no refresh is read in place,
        when no refresh holds the lock: nothing there can wait.
        """
        if self.in_memory and self._lock.acquire(blocking=False):
            try:
                token = self._require(account)
                if not self._due(token):
                    return token
            finally:
                self._lock.release()
        return await self._off_loop(functools.partial(self.token, account))

    async def arefreshed(self, account: str, stale: Secret) -> Token | None:
        """:meth:`refreshed`, awaited off the event loop (what the async driver calls)."""
        return await self._off_loop(functools.partial(self.refreshed, account, stale))

    async def astore(self, account: str, token: Token) -> None:
        """:meth:`store`, awaited off the event loop (in place for an in-memory source)."""
        await CredentialCall(self, functools.partial(self.store, account, token), "store", account).arun()

    async def _off_loop(self, call: Callable[[], T]) -> T:
        import asyncio

        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # the caller's context, as asyncio.to_thread hands on
        context.run(_CALLER_LOOP.set, loop)  # in the copy only: a coroutine hook is run on this loop
        return await loop.run_in_executor(self._worker, context.run, call)

    def _due(self, token: Token) -> bool:
        """True when ``token`` is to be refreshed before it is sent (and can be)."""
        return token.expiring() and self._refresh is not None and token.refresh is not None

    def _require(self, account: str) -> Token:
        token = self._guarded("load", account, self.load, account)
        if token is None:
            raise MissingCredentialsError(f"no token for account {account!r} in the credential source")
        return self._usable("load", account, token)

    def _renew(self, account: str, token: Token) -> Token:
        new = self._guarded("refresh", account, self._refreshing, account, token)
        self._guarded("store", account, self.store, account, new)  # kept first: its refresh token is new
        return self._usable("refresh", account, new)

    def _usable(self, operation: str, account: str, token: object) -> Token:
        """``token`` when postmux can send it and tell when it expires, else a ``CredentialError``.

        Checked before anything reads it: a naive ``expires_at`` (a database's timestamp read back
        without its zone) or a ``str`` for a ``Secret`` would otherwise fail the request as a bug.
        """
        if not isinstance(token, Token):
            why = f"it is a {type(token).__name__}, not a Token"
        elif not isinstance(token.access, Secret) or not isinstance(token.refresh, Secret | None):
            why = "its access or refresh token is not a postmux.Secret"
        elif token.expires_at is not None and (
            not isinstance(token.expires_at, datetime) or token.expires_at.utcoffset() is None
        ):
            why = "its expires_at is not a datetime with a time zone (datetime(..., tzinfo=UTC))"
        else:
            return token
        how = "its refresh hook made" if operation == "refresh" else "it loaded"
        raise CredentialError(
            f"credential source {type(self).__name__}: {how} a token of account {account!r} that postmux"
            f" cannot use: {why}",
            account=account,
            operation=operation,
        )

    def _refreshing(self, account: str, token: Token) -> Token:
        """The refresh hook's new token (a coroutine hook's awaited)."""
        assert self._refresh is not None
        made = self._refresh(account, token)
        return made if isinstance(made, Token) else _awaited(made, account)

    def _guarded(self, operation: str, account: str | None, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)``, a call on this source; its own failure a :class:`~postmux.CredentialError`.

        A ``PostmuxError`` passes as it is. Any other exception is named by its
        type only and dropped from the chain: the new error is raised outside
        the ``except``, so the source's is not even its ``__context__`` (it may
        quote a token, and ``raise … from None`` inside would only hide it).
        """
        try:
            return call(*args)
        except PostmuxError:
            raise
        except Exception as exc:
            failure = _failure(self, operation, account, exc)
        raise failure from None


class CredentialCall(NamedTuple):
    """A call on a credential source that a flow asks its driver to make (``source.store(…)``, say).

    The sync driver makes it in place; the async driver awaits :meth:`arun`, which
    runs it on the source's worker thread, so a database's ``store`` never blocks the
    event loop (an in-memory source's runs in place: nothing there waits).
    """

    source: CredentialSource
    call: Callable[[], Any]
    what: str = "call"
    """What the call does (``"store"``, ``"accounts"``): the failure's ``operation``."""
    account: str | None = None
    """The account it concerns, if one: named by the failure."""

    def run(self) -> Any:
        """The call's result, made here (the sync driver); the source's failure a ``CredentialError``."""
        return self.source._guarded(self.what, self.account, self.call)

    async def arun(self) -> Any:
        """The call's result, made off the event loop (the async driver)."""
        if self.source.in_memory:
            return self.run()
        return await self.source._off_loop(self.run)


_DOING = {
    "load": "load the token",
    "store": "store the token",
    "refresh": "refresh the token",
    "accounts": "list its accounts",
}


def _failure(
    source: CredentialSource, operation: str, account: str | None, exc: Exception
) -> CredentialError:
    """The error for ``source``'s own ``exc``: the source's class, the account, the call, ``exc``'s type."""
    doing = _DOING.get(operation, f"make its {operation!r} call")
    who = f" of account {account!r}" if account is not None else ""
    by = "its refresh hook" if operation == "refresh" else "it"
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return CredentialError(
        f"credential source {type(source).__name__} could not {doing}{who}: {by} raised {name} "
        "(its message is left out: it may hold a token)",
        account=account,
        operation=operation,
    )


def _awaited(made: Coroutine[Any, Any, Token], account: str) -> Token:
    """A coroutine hook's token, from sync code: run on the asking async driver's loop, else on its own.

    Told apart by what the hook returns (not ``inspect.iscoroutinefunction``),
    so a ``functools.partial`` or an object with an ``async def __call__`` is
    run too.
    """
    import asyncio

    loop = _CALLER_LOOP.get()
    if loop is not None:  # on the source's worker thread, for an async driver: its loop runs the hook
        return asyncio.run_coroutine_threadsafe(made, loop).result()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(made)
    made.close()  # never awaited, on purpose: no "never awaited" warning
    raise ConfigurationError(
        f"the refresh hook of account {account!r} is a coroutine function: a sync Publisher called "
        "inside a running event loop cannot run it (use an AsyncPublisher there)"
    )


class MemoryCredentials(CredentialSource):
    """Tokens in memory, by account id: the default, and what tests use."""

    in_memory = True

    def __init__(
        self, tokens: dict[str, Token] | None = None, *, refresh: Refresh | AsyncRefresh | None = None
    ) -> None:
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
