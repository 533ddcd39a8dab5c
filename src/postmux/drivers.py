"""Running flows over HTTP: one sync and one async driver sharing every decision.

The driver is the only code that touches the network. It adds the vendor's
auth header (only to the vendor's own origin: a presigned upload URL or a media
CDN never sees the key; only to the copy it sends, so no request, response or
error it hands back holds the key: it keeps the key only as a ``Secret``),
maps error statuses through the adapter, wraps httpx exceptions (cutting them
out of the error's chain) and retries only what is safe:

* a request that provably never left (connection refused, connect timeout);
* 429, and 503 with ``Retry-After``, which say the vendor did nothing;
* anything else only for idempotent requests (GET, PUT, DELETE, or a POST the
  adapter marked as read-only), with exponential backoff and ``Retry-After``.

A publish POST that timed out after sending is never resent: the error says
``request_sent=True`` and the publisher marks the target ``unknown``.

A request marked as a media download (:func:`postmux.flow.media_request`) is
fetched under a :class:`~postmux.FetchPolicy` instead: every hop checked and
pinned to its checked address, redirects followed here (never by httpx), the
body capped while it streams, no key ever added. A step carrying
:data:`~postmux.flow.CREDENTIAL_CALL` (:func:`postmux.flow.store_token`) is a call on the
credential source, made here and never sent: in place by the sync driver, on the
source's worker thread by the async one. A source's own failure there, or while
it loads or refreshes a request's token, is a :class:`~postmux.CredentialError`
(:class:`~postmux.credentials.CredentialSource` makes it); the driver marks it
``after_send`` when the flow had already sent a request that may have done
something, so a publish records that batch ``unknown``, not ``failed``.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import urljoin

import attrs
import httpx

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .adapter import Adapter, retry_after
from .client import apply_client_defaults, user_agent
from .errors import (
    CredentialError,
    FetchRefusedError,
    PostmuxError,
    ProviderError,
    RateLimitError,
    ServerError,
    TransportError,
    error_for_status,
    nothing_done,
)
from .fetch import MEDIA_DOWNLOAD, BodyDecoder, FetchPolicy, MediaDownload, size_limit
from .flow import ACCOUNT, CREDENTIAL_CALL, DOWNLOAD_TO, IDEMPOTENT, REFRESHED, TOKEN, Flow, call_answer
from .media import MediaKind
from .secrets import NO_KEY, UNSENDABLE, Secret, redact, scrub, sendable
from .sending import asend, direct, send
from .stepping import adrive, asleep, drive

if TYPE_CHECKING:  # a credential source's module: loaded by the app that makes one, not by a publish
    from .credentials import CredentialCall, CredentialSource, Token

__all__ = ["DEFAULT_TIMEOUT", "AsyncDriver", "RetryPolicy", "SyncDriver"]

T = TypeVar("T")
log = logging.getLogger("postmux")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
"""Generous enough for a slow vendor, short enough that a hung one becomes an error."""

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_IDEMPOTENT_METHODS = _READ_METHODS | {"PUT", "DELETE"}
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@attrs.frozen(slots=True, kw_only=True)
class RetryPolicy:
    """How many times and how long to retry what is safe to retry."""

    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.1

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def delay(self, attempt: int, hint: float | None) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or ``None`` to give up."""
        if attempt >= self.max_retries:
            return None
        if hint is not None:
            return hint if hint <= self.max_retry_after else None
        base = min(self.max_backoff, self.backoff * (2.0**attempt))
        return float(base * (1 + random.uniform(-self.jitter, self.jitter)))


NO_RETRY = RetryPolicy(max_retries=0)

ERROR_BODY_LIMIT = 64 * 1024
"""How much of a media host's error page is read: enough for the error, not a flood."""
_KEPT_HEADERS = frozenset({"content-type", "retry-after"})


_OWN_AUTH_HEADER = "postmux.own_auth_header"
"""Request extension: the key rides in a header of the vendor's own (``X-API-Key``), not ``Authorization``."""

_SOURCES_OWN = "_postmux_sources_own"
"""Marks the ``PostmuxError`` a credential source (its refresh hook) raised for a request's token.

The request did nothing at the vendor: it never left (a token before it is sent) or was refused
with a 401 (a refresh after it). :class:`_Sends` does not count it as a request that may have
acted, as it does not for a :class:`~postmux.CredentialError`.
"""


_SENT_TOKENS = "postmux.sent_tokens"
"""Request extension: every account token the request carried (a 401's stale one and its refresh).

The driver scrubs what a request's answer and a flow's error keep of these, whatever other
accounts' requests of the same publisher did meanwhile: its list of every token sent
(:attr:`_DriverBase.secrets`) keeps only the latest 64, and a fan-out to more accounts than
that, or a long flow among many others, would push a token out while its answer was in flight.
"""


def _request_tokens(request: httpx.Request) -> tuple[Secret, ...]:
    """The account tokens ``request`` carried (see :data:`_SENT_TOKENS`)."""
    tokens: tuple[Secret, ...] = request.extensions.get(_SENT_TOKENS, ())
    return tokens


def _sources_own(exc: PostmuxError) -> None:
    setattr(exc, _SOURCES_OWN, True)


def _follows(request: httpx.Request, media: bool) -> bool:
    """Whether an app's client that follows redirects may follow ``request``'s.

    Never a media download's (each hop is the driver's to check against the fetch policy), nor
    a request whose key is in a header of the vendor's own: httpx drops only ``Authorization``
    on a redirect to another origin, so it would carry such a key there.
    """
    return not media and not request.extensions.get(_OWN_AUTH_HEADER)


def _host(request: httpx.Request) -> str:
    """The host a request is for: its ``Host`` header (a pinned request's URL names an address)."""
    return request.headers.get("host") or request.url.host


def _accept(download: MediaDownload) -> str:
    if download.kind is MediaKind.VIDEO:
        return "video/*, application/octet-stream;q=0.5"
    if download.kind is MediaKind.PHOTO:
        return "image/*, application/octet-stream;q=0.5"
    return "*/*"


class _DriverBase:
    """What both drivers decide the same way."""

    def __init__(
        self,
        adapter: Adapter,
        key: Secret,
        retry: RetryPolicy,
        client: httpx.Client | httpx.AsyncClient | None,
        fetch: FetchPolicy | None = None,
        owned: bool = False,
    ) -> None:
        self.adapter = adapter
        self._client = client
        self._owned = owned  # the publisher made the client: sent past httpx's layers (postmux.sending)
        self._agent: str | None = None
        self.key = key
        self.retry = retry
        self.fetch = fetch or FetchPolicy()
        self._origin = httpx.URL(adapter.base_url).copy_with(path="/", query=None)
        # only as its Secret: the key is added to the copy of a request that is sent
        self._keyless = key is NO_KEY
        self._origin_key = (self._origin.raw_scheme, self._origin.raw_host, self._origin.port)
        self._tokens: list[Secret] = []  # every account token sent, to scrub from what is kept

    def prepare(self, request: httpx.Request, *, auth: bool = True) -> None:
        """Add what the app's client would add, and the auth header only for the vendor's own origin.

        The auth header is the account's own token where the flow names an
        account and the publisher has per-account credentials. The driver
        itself passes ``auth=False`` and adds it only to the copy it sends
        (:meth:`on_the_wire`); a preview shows it (redacted), with the stored
        token as it is: a preview sends nothing, a refresh included.
        """
        if self._agent is None:  # looked up on first use, not when the publisher is made
            self._agent = user_agent(type(self.adapter))
        if self._client is not None:
            apply_client_defaults(self._client, request, self._agent)
        else:  # a preview with no client: what postmux itself adds
            request.headers.setdefault("User-Agent", self._agent)
        if auth and self._is_vendor(request):
            request.headers.update(self._auth_for(request, refresh=False))

    def _auth_for(self, request: httpx.Request, *, refresh: bool = True) -> Mapping[str, str]:
        """The auth header for ``request``: its account's token where there is one, else the key."""
        account = request.extensions.get(ACCOUNT)
        source = self.adapter.credentials
        if account is None or source is None:
            # the key's header was checked when the publisher was made (PublisherCore)
            return {} if self._keyless else self.adapter.auth_headers(self.key)
        token: Secret | None = request.extensions.get(TOKEN)
        if token is None:
            try:
                token = source.token(account, refresh=refresh).access
            except PostmuxError as exc:  # a refresh hook's own (TikTok's token endpoint answering 5xx)
                _sources_own(exc)
                raise
            self._use(request, token)
        headers = self.adapter.auth_headers(token)
        if not sendable(headers):  # a CredentialError: a flow that sent something before says after_send
            raise CredentialError(
                f"the token of account {account!r} from {type(source).__name__} {UNSENDABLE}; not sent",
                account=account,
                operation="load",
            )
        return headers

    def _use(self, request: httpx.Request, token: Secret) -> None:
        if token not in self._tokens:
            self._tokens = [*self._tokens[-63:], token]
        request.extensions[TOKEN] = token  # a Secret: the next attempt sends the same token
        sent = _request_tokens(request)
        if token not in sent:
            request.extensions[_SENT_TOKENS] = (*sent, token)

    def _unsigned(self, request: httpx.Request) -> tuple[CredentialSource, str] | None:
        """The source and account whose token ``request`` still needs (``None``: it has one or needs none)."""
        source, account = self.adapter.credentials, request.extensions.get(ACCOUNT)
        if source is None or account is None or TOKEN in request.extensions or not self._is_vendor(request):
            return None
        return source, account

    def _refreshable(self, request: httpx.Request) -> tuple[CredentialSource, str] | None:
        """After a 401: the source and account to refresh, once (``None``: send nothing again)."""
        source, account = self.adapter.credentials, request.extensions.get(ACCOUNT)
        if source is None or account is None or request.extensions.get(REFRESHED):
            return None
        return source, account

    def _renewed(self, request: httpx.Request, token: Token | None) -> bool:
        """Take the token a 401's refresh gave (``None``: none) and say whether to send again."""
        if token is None:
            return False
        request.extensions[REFRESHED] = True
        self._use(request, token.access)
        return True

    def _refreshed(self, request: httpx.Request) -> bool:
        """After a 401 for an account's token: refresh it once and say whether to send again."""
        due = self._refreshable(request)
        if due is None:
            return False
        try:
            token = due[0].refreshed(due[1], request.extensions[TOKEN])
        except PostmuxError as exc:
            _sources_own(exc)
            raise
        return self._renewed(request, token)

    @property
    def secrets(self) -> tuple[Secret, ...]:
        """The publisher key and every account token sent: what no kept text may carry."""
        return (self.key, *self._tokens)

    def on_the_wire(self, request: httpx.Request) -> httpx.Request:
        """The copy of ``request`` that is sent: the same, plus the auth header for the vendor.

        The flow's request never holds the key, and :meth:`answered` points
        the response back at it: httpx keeps the request it sent on the
        response and on its exceptions, so the key would otherwise travel with
        every response a plugin keeps and every error's ``__context__``.
        """
        if not self._is_vendor(request):
            return request
        # with headers and extensions of its own, so the auth header and httpx's timeout land on it alone
        wire = _copied(request, request.headers.copy())  # with its encoding: update() need not work it out
        wire.extensions = dict(request.extensions)
        auth = self._auth_for(request)
        wire.headers.update(auth)
        if any(name.lower() != "authorization" for name in auth):
            wire.extensions[_OWN_AUTH_HEADER] = True  # see _follows
        return wire

    @staticmethod
    def answered(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        """``response``, pointing at the keyless request the flow made.

        A redirect keeps more requests than the one sent: ``next_request`` (where
        a 3xx points, made by httpx with the auth header when it stays on the
        origin) and, for a client that follows redirects, each ``history``
        response's request. Those lose the headers the sent copy added too.
        """
        wire = response.request
        response.request = request
        if wire is not request and (response.next_request is not None or response.history):
            added = {n for n in wire.headers if wire.headers.get_list(n) != request.headers.get_list(n)}
            for hop in response.history:
                hop.request = request if hop.request is wire else _without(hop.request, added, request)
            if response.next_request is not None:
                response.next_request = _without(response.next_request, added, request)
        return response

    def cleaned(self, exc: BaseException, tokens: Iterable[Secret] = ()) -> None:
        """An error leaving a flow, made safe to keep: no secret in its text or chain, no httpx in its chain.

        A plugin's own error may quote a body that echoes the key, and so may a plugin's bug
        (``int("<key>")``'s ``ValueError``), which is logged and kept as a ``__cause__``.
        ``tokens``: the account tokens the flow's requests carried (:class:`_Sends` collects them).
        """
        detach(exc)
        secrets = (*self.secrets, *tokens)
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            scrub(current, *secrets)
            current = current.__cause__ or current.__context__

    def safe_to_retry(self, request: httpx.Request) -> bool:
        """True when sending ``request`` twice cannot do anything twice."""
        return request.method in _IDEMPOTENT_METHODS or bool(request.extensions.get(IDEMPOTENT))

    def may_act(self, request: httpx.Request) -> bool:
        """True when ``request``, once sent, may have done something at the vendor (a post's init)."""
        return CREDENTIAL_CALL not in request.extensions and not self.safe_to_retry(request)

    @staticmethod
    def only_reads(request: httpx.Request) -> bool:
        """True when ``request`` can make nothing at the vendor: a read (a POST marked so), a source call."""
        return (
            request.method in _READ_METHODS
            or bool(request.extensions.get(IDEMPOTENT))
            or CREDENTIAL_CALL in request.extensions
        )

    def on_transport_error(
        self, request: httpx.Request, exc: httpx.HTTPError, attempt: int
    ) -> tuple[TransportError, float | None]:
        """The error to raise for ``exc`` and the delay before a retry (``None``: raise)."""
        sent = not isinstance(exc, _NOT_SENT)
        named = request.url.copy_with(
            netloc=_host(request).encode(), query=None
        )  # the name, not a pinned address
        message = redact(
            f"{request.method} {named} failed: {type(exc).__name__}: {exc}",
            *self.secrets,
            *_request_tokens(request),
        )
        error = TransportError(message, request_sent=sent)
        if sent and not self.safe_to_retry(request):
            return error, None
        return error, self.retry.delay(attempt, None)

    def on_error_status(
        self, request: httpx.Request, response: httpx.Response, attempt: int, refreshed: bool | None = None
    ) -> tuple[ProviderError, float | None]:
        """The error for an error status and the delay before a retry (``None``: raise).

        ``refreshed``: whether the caller already refreshed the account's
        token after this 401 (the async driver, off its loop); ``None``: a 401
        refreshes here.
        """
        body = redact(response.text, *self.secrets, *_request_tokens(request))
        if self._is_vendor(request):
            error = self.adapter.error_for(response, body)
            if response.status_code == 401 and (self._refreshed(request) if refreshed is None else refreshed):
                return error, 0.0
        else:
            error = error_for_status(
                response.status_code,
                f"{_host(request)} answered HTTP {response.status_code}",
                provider=self.adapter.name,
                body=body,
                retry_after=retry_after(response),
            )
        if response.status_code not in _RETRY_STATUSES:
            return error, None
        hint = error.retry_after if isinstance(error, RateLimitError | ServerError) else None
        if hint is None:
            hint = retry_after(response)
        if isinstance(error, ServerError) and error.retry_after is None:
            error.retry_after = hint  # a plugin's own 5xx: the core still reads "come back later"
        said_nothing_done = response.status_code == 429 or (response.status_code == 503 and hint is not None)
        if not (said_nothing_done or self.safe_to_retry(request)):
            return error, None
        return error, self.retry.delay(attempt, hint)

    def begin(self, request: httpx.Request) -> IO[bytes] | None:
        """Prepare ``request`` for sending; the file its body streams into, if any."""
        self.prepare(request, auth=False)
        sink: IO[bytes] | None = request.extensions.get(DOWNLOAD_TO)
        return sink

    def delay_after_response(
        self,
        request: httpx.Request,
        response: httpx.Response,
        attempt: int,
        started: float,
        refreshed: bool | None = None,
    ) -> float | None:
        """``None`` for a success; the pause before a retry; or raises the mapped error."""
        self.log(request, response, started)
        if response.status_code < 400:
            return None
        error, delay = self.on_error_status(request, response, attempt, refreshed)
        if delay is None:
            raise error
        return delay

    # -- media downloads ---------------------------------------------------

    def media_hop(
        self, policy: FetchPolicy, url: str, download: MediaDownload, sink: IO[bytes]
    ) -> httpx.Request:
        """The request for one hop of a media download, checked and pinned (or refused)."""
        return policy.pin(url, download.medium).request(_accept(download), {DOWNLOAD_TO: sink})

    def next_hop(self, request: httpx.Request, response: httpx.Response, url: str) -> str | None:
        """Where a redirect points (``None``: ``response`` is the final answer)."""
        if not 300 <= response.status_code < 400:
            return None
        location = response.headers.get("location")
        if not location:
            status = response.status_code
            raise error_for_status(
                status,
                f"{_host(request)} answered HTTP {status} without a Location: no media to fetch",
                provider=self.adapter.name,
            )
        return str(urljoin(url, location))

    def media_limit(self, policy: FetchPolicy, download: MediaDownload) -> int:
        """The byte cap of a download: the policy's, else the largest any platform takes."""
        return policy.max_bytes if policy.max_bytes is not None else size_limit(download.kind, ())

    @staticmethod
    def unreadable_redirect(
        exc: httpx.RemoteProtocolError | UnicodeError, download: MediaDownload
    ) -> Exception:
        """httpx reads a redirect's ``Location`` itself and fails on one it cannot parse: a refusal.

        A host that is not valid punycode (``xn--zz.example``) fails there as ``idna.IDNAError``,
        a ``UnicodeError``, not as an httpx error.
        """
        if isinstance(exc, UnicodeError) or "location header" in str(exc).lower():
            return FetchRefusedError(
                download.medium, "url", "a redirect pointed at a URL that cannot be read"
            )
        return exc

    @staticmethod
    def error_copy(response: httpx.Response, data: bytes) -> httpx.Response:
        """A read copy of an error answer from the first bytes of its body."""
        headers = [(k, v) for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS]
        return httpx.Response(
            response.status_code, headers=headers, content=data[:ERROR_BODY_LIMIT], request=response.request
        )

    def _is_vendor(self, request: httpx.Request) -> bool:
        url = request.url
        return (url.raw_scheme, url.raw_host, url.port) == self._origin_key

    def log(self, request: httpx.Request, response: httpx.Response, started: float) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s -> %s in %.0f ms",
                request.method,
                request.url.copy_with(query=None),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )


class _Sends:
    """One flow's run: whether it sent a request that may have done something, told to a credential failure.

    ``with sends(request):`` around each step. A source failing after such a
    step (a store after the post, a second target's token) fails a flow whose
    post may exist: its :class:`~postmux.CredentialError` says ``after_send``,
    and the publisher records the batch ``unknown``, never ``failed``. An error
    ending a flow that had sent only reads says ``only_reads`` (:meth:`ended`).
    """

    __slots__ = ("_driver", "_request", "any", "tokens", "wrote")

    def __init__(self, driver: _DriverBase) -> None:
        self._driver = driver
        self._request: httpx.Request | None = None
        self.any = False
        self.wrote = False
        """Whether a request other than a read may have reached the vendor (an upload's PUT too)."""
        self.tokens: list[Secret] = []
        """The account tokens the flow's requests carried: scrubbed from the error that ends it."""

    def __call__(self, request: httpx.Request) -> _Sends:
        self._request = request
        return self

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if self._request is not None:
            self.tokens += (t for t in _request_tokens(self._request) if t not in self.tokens)
        if isinstance(exc, CredentialError):  # this step sent nothing; what came before may have
            exc.after_send = exc.after_send or self.any
        elif getattr(exc, _SOURCES_OWN, False):  # nor here: its token's refresh failed, not the request
            pass
        elif not (self.any and self.wrote) and (exc is None or not nothing_done(exc)):
            assert self._request is not None
            self.any = self.any or self._driver.may_act(self._request)
            self.wrote = self.wrote or not self._driver.only_reads(self._request)

    def ended(self, exc: BaseException) -> None:
        """Mark the error ending the flow when the flow had sent nothing but reads: nothing was done.

        A read before a post failing (TikTok's creator check answering 5xx, timing out, unreadable)
        says nothing about a post none of the flow's requests could have made: its publish is
        ``failed``, safe to send again, not ``unknown``.
        """
        if not self.wrote and isinstance(exc, PostmuxError):  # a plugin's bug stays in doubt, as before
            exc.only_reads = True


def detach(exc: BaseException) -> None:
    """Cut httpx's and httpcore's exceptions out of ``exc``'s chain, in place.

    ``raise … from None`` only hides ``__context__``: it is still there, and
    with it httpx's request, its headers and the frames of the connection
    that sent them. A postmux error keeps its own chain (a plugin's
    ``raise … from`` its own error) but nothing of the HTTP stack.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_http_stack(current.__cause__):
            current.__cause__ = None
            current.__suppress_context__ = True
        hidden = current.__suppress_context__ and current.__cause__ is None  # raised "from None"
        if hidden or _is_http_stack(current.__context__):
            current.__context__ = None
        current = current.__cause__ or current.__context__


def _without(hop: httpx.Request, added: set[str], request: httpx.Request) -> httpx.Request:
    """A copy of ``hop`` (a redirect's request), the headers in ``added`` as the flow's ``request`` has them.

    A copy, as :meth:`_DriverBase.on_the_wire` makes one: the request that went out stays as it was sent.
    """
    kept = [(k, v) for k, v in hop.headers.multi_items() if k.lower() not in added]
    return _copied(
        hop, httpx.Headers(kept + [(name, v) for name in added for v in request.headers.get_list(name)])
    )


def _copied(request: httpx.Request, headers: httpx.Headers) -> httpx.Request:
    """A shallow copy of ``request`` with ``headers``: the same URL, body and stream, nothing parsed again."""
    copy = httpx.Request.__new__(httpx.Request)
    copy.__dict__.update(vars(request))
    copy.headers = headers
    return copy


def _is_http_stack(exc: BaseException | None) -> bool:
    return exc is not None and type(exc).__module__.split(".")[0] in ("httpx", "httpcore", "h11", "h2")


def _first(chunks: Iterator[bytes], limit: int) -> bytes:
    """Up to ``limit`` bytes from ``chunks``, reading no further."""
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) >= limit:
            break
    return bytes(data)


async def _afirst(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Up to ``limit`` bytes from ``chunks``, reading no further."""
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) >= limit:
            break
    return bytes(data)


def _body(response: httpx.Response, decoder: BodyDecoder) -> Iterator[bytes]:
    """A media body's bytes, its ``Content-Encoding`` undone a bounded piece at a time.

    An answer read already (one made in memory, as a ``MockTransport`` handler's) was decoded by httpx.
    """
    if response.is_stream_consumed:
        yield from response.iter_bytes()
        return
    for chunk in response.iter_raw():
        yield from decoder.feed(chunk)
    yield from decoder.finish()


async def _abody(response: httpx.Response, decoder: BodyDecoder) -> AsyncIterator[bytes]:
    """:func:`_body` of an async answer."""
    if response.is_stream_consumed:
        async for chunk in response.aiter_bytes():
            yield chunk
        return
    async for chunk in response.aiter_raw():
        for piece in decoder.feed(chunk):
            yield piece
    for piece in decoder.finish():
        yield piece


def _error_decoder(response: httpx.Response, download: MediaDownload) -> BodyDecoder:
    """The decoder of an error page: its start as sent, when it is in an encoding not undone."""
    try:
        return BodyDecoder(response.headers, download)
    except FetchRefusedError:
        return BodyDecoder(httpx.Headers(), download)


def _rewind(sink: IO[bytes] | None) -> None:
    """Empty a download file before an attempt, so a retry does not append to a partial body.

    A file that is empty already is left alone: on ext4 a file truncated to
    zero and then written is flushed to disk when it is closed (the
    ``auto_da_alloc`` safeguard for files replaced by truncation), which made
    closing a 64 KiB download's temporary file cost ~4 ms instead of ~0.1 ms.
    """
    if sink is not None and sink.seek(0, os.SEEK_END) > 0:
        sink.seek(0)
        sink.truncate()


class SyncDriver(_DriverBase):
    """Runs flows on an :class:`httpx.Client`."""

    def __init__(
        self,
        adapter: Adapter,
        key: Secret,
        client: httpx.Client,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        fetch: FetchPolicy | None = None,
        *,
        owned: bool = False,
    ) -> None:
        """``owned``: the publisher made ``client`` itself (nothing of the app's to apply to it)."""
        super().__init__(adapter, key, retry, client, fetch, owned)
        self.client = client
        self.sleep = sleep

    def run(self, flow: Flow[T], *, fetch: FetchPolicy | None = None) -> T:
        """Drive ``flow`` to its end and return its result (media downloads under ``fetch``)."""
        sends = _Sends(self)

        def perform(request: httpx.Request) -> httpx.Response:
            with sends(request):
                return self.send(request, fetch)

        try:
            return drive(flow, perform, PostmuxError)
        except Exception as exc:  # a postmux error, or a plugin's bug: either may quote the key
            self.cleaned(exc, sends.tokens)
            sends.ended(exc)
            raise
        finally:
            flow.close()

    def send(self, request: httpx.Request, fetch: FetchPolicy | None = None) -> httpx.Response:
        """One request, with the safe retries, as a read response (or an error)."""
        call: CredentialCall | None = request.extensions.get(CREDENTIAL_CALL)
        if call is not None:
            return call_answer(request, call.run())
        download: MediaDownload | None = request.extensions.get(MEDIA_DOWNLOAD)
        if download is not None:
            return self._download(request, download, fetch or self.fetch)
        sink = self.begin(request)
        return self._attempts(request, lambda: self._exchange(request, sink))

    def _download(
        self, request: httpx.Request, download: MediaDownload, policy: FetchPolicy
    ) -> httpx.Response:
        sink: IO[bytes] = request.extensions[DOWNLOAD_TO]
        limit = self.media_limit(policy, download)
        url = str(request.url)
        for _ in range(policy.max_redirects + 1):
            hop = self.media_hop(policy, url, download, sink)
            response = self._attempts(
                hop, functools.partial(self._exchange_media, hop, sink, policy, download, limit)
            )
            location = self.next_hop(hop, response, url)
            if location is None:
                return response
            url = location
        raise policy.too_many_redirects(download)

    def _exchange_media(
        self,
        request: httpx.Request,
        sink: IO[bytes],
        policy: FetchPolicy,
        download: MediaDownload,
        limit: int,
    ) -> httpx.Response:
        _rewind(sink)
        try:
            response = self._streamed(request, media=True)
        except (httpx.RemoteProtocolError, UnicodeError) as exc:
            raise self.unreadable_redirect(exc, download) from None
        try:
            if response.status_code >= 400:
                data = _first(_body(response, _error_decoder(response, download)), ERROR_BODY_LIMIT)
                return self.error_copy(response, data)
            if response.status_code < 300:
                policy.check_headers(response, download, limit)
                decoder = BodyDecoder(response.headers, download)
                received = 0
                for chunk in _body(response, decoder):
                    received += len(chunk)
                    if received > limit:
                        raise policy.over_limit(download, received, limit)
                    sink.write(chunk)
        finally:
            response.close()
        return response

    def _attempts(self, request: httpx.Request, exchange: Callable[[], httpx.Response]) -> httpx.Response:
        attempt = 0
        while True:
            started = time.perf_counter()
            delay: float | None
            try:
                response = exchange()
            except httpx.HTTPError as exc:
                error, delay = self.on_transport_error(request, exc, attempt)
            else:
                delay = self.delay_after_response(request, response, attempt, started)
                if delay is None:
                    return response
            if delay is None:  # raised here, outside the except: no httpx exception as its context
                raise error
            self.sleep(delay)
            attempt += 1

    def _streamed(self, request: httpx.Request, *, media: bool = False) -> httpx.Response:
        """``client.send(request, stream=True)``; past httpx's per-request layers for an own client.

        A ``media`` download's hop is never followed by httpx, even on a client that follows
        redirects: each hop is the driver's to check against the fetch policy.
        """
        if self._owned and direct(self.client):
            return send(self.client, request)
        if not _follows(request, media) and self.client.follow_redirects:
            return self.client.send(request, stream=True, follow_redirects=False)
        return self.client.send(request, stream=True)

    def _exchange(self, request: httpx.Request, sink: IO[bytes] | None) -> httpx.Response:
        _rewind(sink)
        response = self._streamed(self.on_the_wire(request))
        try:
            if response.status_code >= 400 or sink is None:
                response.read()
            else:
                for chunk in response.iter_bytes():
                    sink.write(chunk)
        finally:
            response.close()
        return self.answered(request, response)


class AsyncDriver(_DriverBase):
    """Runs flows on an :class:`httpx.AsyncClient`."""

    def __init__(
        self,
        adapter: Adapter,
        key: Secret,
        client: httpx.AsyncClient,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Any] = asleep,
        fetch: FetchPolicy | None = None,
        *,
        owned: bool = False,
    ) -> None:
        """``owned``: the publisher made ``client`` itself (nothing of the app's to apply to it)."""
        super().__init__(adapter, key, retry, client, fetch, owned)
        self.client = client
        self.sleep = sleep

    async def run(self, flow: Flow[T], *, fetch: FetchPolicy | None = None) -> T:
        """Drive ``flow`` to its end and return its result (media downloads under ``fetch``)."""
        sends = _Sends(self)

        async def perform(request: httpx.Request) -> httpx.Response:
            with sends(request):
                return await self.send(request, fetch)

        try:
            return await adrive(flow, perform, PostmuxError)
        except Exception as exc:  # a postmux error, or a plugin's bug: either may quote the key
            self.cleaned(exc, sends.tokens)
            sends.ended(exc)
            raise
        finally:
            flow.close()

    async def send(self, request: httpx.Request, fetch: FetchPolicy | None = None) -> httpx.Response:
        """One request, with the safe retries, as a read response (or an error)."""
        call: CredentialCall | None = request.extensions.get(CREDENTIAL_CALL)
        if call is not None:  # a database's store or listing: on the source's worker, not the loop
            return call_answer(request, await call.arun())
        download: MediaDownload | None = request.extensions.get(MEDIA_DOWNLOAD)
        if download is not None:
            return await self._download(request, download, fetch or self.fetch)
        sink = self.begin(request)
        return await self._attempts(request, lambda: self._exchange(request, sink))

    async def _download(
        self, request: httpx.Request, download: MediaDownload, policy: FetchPolicy
    ) -> httpx.Response:
        sink: IO[bytes] = request.extensions[DOWNLOAD_TO]
        limit = self.media_limit(policy, download)
        url = str(request.url)
        for _ in range(policy.max_redirects + 1):
            hop = self.media_hop(policy, url, download, sink)
            exchange = functools.partial(self._exchange_media, hop, sink, policy, download, limit)
            response = await self._attempts(hop, exchange)
            location = self.next_hop(hop, response, url)
            if location is None:
                return response
            url = location
        raise policy.too_many_redirects(download)

    async def _exchange_media(
        self,
        request: httpx.Request,
        sink: IO[bytes],
        policy: FetchPolicy,
        download: MediaDownload,
        limit: int,
    ) -> httpx.Response:
        _rewind(sink)
        try:
            response = await self._streamed(request, media=True)
        except (httpx.RemoteProtocolError, UnicodeError) as exc:
            raise self.unreadable_redirect(exc, download) from None
        try:
            if response.status_code >= 400:
                data = await _afirst(_abody(response, _error_decoder(response, download)), ERROR_BODY_LIMIT)
                return self.error_copy(response, data)
            if response.status_code < 300:
                policy.check_headers(response, download, limit)
                decoder = BodyDecoder(response.headers, download)
                received = 0
                async for chunk in _abody(response, decoder):
                    received += len(chunk)
                    if received > limit:
                        raise policy.over_limit(download, received, limit)
                    sink.write(chunk)
        finally:
            await response.aclose()
        return response

    async def _attempts(
        self, request: httpx.Request, exchange: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response:
        attempt = 0
        while True:
            started = time.perf_counter()
            delay: float | None
            try:
                response = await exchange()
            except httpx.HTTPError as exc:
                error, delay = self.on_transport_error(request, exc, attempt)
            else:
                refreshed = False
                if response.status_code == 401:
                    waited = time.perf_counter()
                    refreshed = await self._arefreshed(request)
                    started += time.perf_counter() - waited  # the logged time is the request's alone
                delay = self.delay_after_response(request, response, attempt, started, refreshed)
                if delay is None:
                    return response
            if delay is None:  # raised here, outside the except: no httpx exception as its context
                raise error
            await self.sleep(delay)
            attempt += 1

    async def _signed(self, request: httpx.Request) -> None:
        """Fetch the account's token before :meth:`on_the_wire` would: off the loop, a refresh included."""
        due = self._unsigned(request)
        if due is not None:
            try:
                token = await due[0].atoken(due[1])
            except PostmuxError as exc:
                _sources_own(exc)
                raise
            self._use(request, token.access)

    async def _arefreshed(self, request: httpx.Request) -> bool:
        """:meth:`_refreshed`, the refresh awaited off the loop."""
        due = self._refreshable(request) if self._is_vendor(request) else None
        if due is None:
            return False
        try:
            token = await due[0].arefreshed(due[1], request.extensions[TOKEN])
        except PostmuxError as exc:
            _sources_own(exc)
            raise
        return self._renewed(request, token)

    async def _streamed(self, request: httpx.Request, *, media: bool = False) -> httpx.Response:
        """``await client.send(request, stream=True)``; past httpx's per-request layers for an own client.

        A ``media`` download's hop is never followed by httpx (see :meth:`SyncDriver._streamed`).
        """
        if self._owned and direct(self.client):
            return await asend(self.client, request)
        if not _follows(request, media) and self.client.follow_redirects:
            return await self.client.send(request, stream=True, follow_redirects=False)
        return await self.client.send(request, stream=True)

    async def _exchange(self, request: httpx.Request, sink: IO[bytes] | None) -> httpx.Response:
        _rewind(sink)
        await self._signed(request)  # the token is on the request now: on_the_wire asks no source
        response = await self._streamed(self.on_the_wire(request))
        try:
            if response.status_code >= 400 or sink is None:
                await response.aread()
            else:
                async for chunk in response.aiter_bytes():
                    sink.write(chunk)
        finally:
            await response.aclose()
        return self.answered(request, response)
