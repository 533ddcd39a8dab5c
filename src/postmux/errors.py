"""The one error tree of postmux.

Every exception postmux raises derives from :class:`PostmuxError`; no httpx or
cattrs exception crosses the public API::

    PostmuxError
    ├── ValidationError            .problems — bad input, found before any I/O
    │   └── UnsupportedError       the chosen vendor cannot carry a feature
    ├── ConfigurationError
    │   ├── UnknownProviderError   no installed plugin has that name
    │   └── MissingCredentialsError
    ├── CredentialError            a credential source failed on its own (.account .operation .after_send)
    ├── ProviderError              .provider .status_code .code .message .body .request_id
    │   ├── InvalidRequestError    400 / 422
    │   ├── AuthenticationError    401
    │   ├── PaymentRequiredError   402 (credits, plan)
    │   ├── PermissionDeniedError  403
    │   ├── NotFoundError          404 / 410
    │   ├── ConflictError          409
    │   ├── RateLimitError         429 (.retry_after)
    │   └── ServerError            5xx (.retry_after: a 503 that said "come back later")
    ├── TransportError             the network failed (.request_sent)
    ├── FetchRefusedError          the fetch policy refused a medium's URL (.medium .rule)
    ├── ResponseError              a body we cannot read (.body)
    ├── LedgerError                the ledger cannot be opened, read or written
    ├── MediaHostError             a media host could not store or remove a local file
    └── TimeoutError               wait() ran out of time (also the built-in TimeoutError)

Error text never carries an API key: :func:`postmux.secrets.redact` scrubs
bodies before they are stored, and no request headers are kept.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "CredentialError",
    "FetchRefusedError",
    "InvalidRequestError",
    "LedgerError",
    "MediaHostError",
    "MissingCredentialsError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "PostmuxError",
    "Problem",
    "ProviderError",
    "RateLimitError",
    "ResponseError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "UnknownProviderError",
    "UnsupportedError",
    "ValidationError",
    "error_for_status",
    "nothing_done",
]

BODY_LIMIT = 2000
"""How much of a response body an error keeps: enough to debug, not a megabyte of HTML."""


class PostmuxError(Exception):
    """The base of every error postmux raises.

    ``only_reads`` is True on an error that ended a flow which had sent only reads (or nothing):
    whatever it says, no request of that flow could have made anything, so :func:`nothing_done`
    is True. The driver sets it.
    """

    only_reads: bool = False


@attrs.frozen(slots=True)
class Problem:
    """One thing wrong with a post: the field it concerns and what is wrong.

    ``field`` is a dotted path into the :class:`~postmux.Post` (``"media[2]"``,
    ``"tiktok.privacy"``, ``"targets[0].platform"``) so an app can point at the
    form control; ``unsupported`` marks problems that only this vendor has.
    """

    field: str
    message: str
    unsupported: bool = False

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(PostmuxError, ValueError):
    """The post cannot be sent as it is; ``problems`` lists every reason at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''}"
        return head + ": " + "; ".join(str(p) for p in self.problems)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields named by the problems, in order, for quick checks."""
        return tuple(p.field for p in self.problems)


class UnsupportedError(ValidationError):
    """The chosen vendor cannot carry something the post asks for.

    Raised before any I/O instead of silently dropping the field.
    """


class MediaHostError(PostmuxError):
    """A media host could not store, sign or remove a file (nothing was sent to the vendor)."""


class ConfigurationError(PostmuxError):
    """postmux is set up wrongly: a missing plugin, key or setting."""


class UnknownProviderError(ConfigurationError, LookupError):
    """No installed plugin provides the requested vendor name."""

    def __init__(self, name: str, installed: Sequence[str]) -> None:
        self.name = name
        self.installed = tuple(installed)
        listing = ", ".join(self.installed) if self.installed else "none"
        super().__init__(f"unknown provider {name!r}; installed providers: {listing}")


class MissingCredentialsError(ConfigurationError):
    """No API key was given and the plugin's environment variable is unset."""


class CredentialError(PostmuxError):
    """A credential source failed on its own: its ``load``, ``store``, account listing or refresh hook raised.

    A database's ``sqlite3.OperationalError``, say, from an app's source. The
    message names the source's class, the account (``.account``; ``None`` for
    a listing), what it was asked (``.operation``: ``"load"``, ``"store"``,
    ``"accounts"``, ``"refresh"``) and the type of what it raised. That exception
    is not kept, neither as ``__cause__`` nor as ``__context__``, nor its text:
    an app's source may quote a row or a token in it, and no token may reach
    an error. A ``PostmuxError`` the source raises itself passes as it is.

    ``after_send`` is True when the flow that asked had already sent a request
    that may have done something (a post's init, another target's post): the
    publisher then records the targets ``unknown``, never ``failed``, so no
    post that may exist is sent again.
    """

    def __init__(
        self, message: str, *, account: str | None = None, operation: str = "call", after_send: bool = False
    ) -> None:
        self.account = account
        self.operation = operation
        self.after_send = after_send
        super().__init__(message)


class ProviderError(PostmuxError):
    """The vendor answered with an error.

    ``code`` is the vendor's own error code where it sends one; ``request_id``
    the id the vendor gave the request (quote it to its support), where its
    vocabulary says where to find one; ``body`` is the response body (cut
    short, keys scrubbed) for debugging.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status_code: int | None = None,
        code: str | None = None,
        body: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.provider = provider
        self.request_id = request_id
        self.status_code = status_code
        self.code = code
        self.message = message
        self.body = body[:BODY_LIMIT] if body is not None else None
        super().__init__(message)

    def __str__(self) -> str:
        parts = [self.provider]
        if self.status_code is not None:
            parts.append(str(self.status_code))
        if self.code:
            parts.append(self.code)
        return f"[{' '.join(parts)}] {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, status_code={self.status_code!r}, "
            f"code={self.code!r}, message={self.message!r})"
        )


class InvalidRequestError(ProviderError):
    """400 or 422: the vendor rejected the request's content."""


class AuthenticationError(ProviderError):
    """401: the API key is missing, wrong or revoked."""


class PaymentRequiredError(ProviderError):
    """402: out of credits, or the plan does not include this."""


class PermissionDeniedError(ProviderError):
    """403: the key is valid but may not do this (plan, feature flag, scope)."""


class NotFoundError(ProviderError):
    """404 or 410: no such post, account or job."""

    def inconclusive(self, what: str) -> ProviderError:
        """This 404 as a plain :class:`ProviderError`, for a plugin whose vendor answers it for more than
        the post (its account unknown, its API not enabled): reconcile takes a ``NotFoundError`` for proof
        that the post is absent and releases it for a re-run; a ``ProviderError`` it leaves ``unknown``."""
        return ProviderError(
            f"{what}: {self.message}",
            provider=self.provider,
            status_code=self.status_code,
            code=self.code,
            body=self.body,
            request_id=self.request_id,
        )


class ConflictError(ProviderError):
    """409: the resource is in a state that forbids this (already started, already cancelled)."""


class RateLimitError(ProviderError):
    """429: slow down; ``retry_after`` is in seconds where the vendor says."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class ServerError(ProviderError):
    """5xx: the vendor failed; whether a POST took effect is unknown.

    Except for a ``503`` with ``retry_after`` (from ``Retry-After``): the vendor
    said it was unavailable and did nothing, so a publish that still got it
    after every retry is ``failed`` (safe to send again), as after a ``429``.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]

    @property
    def nothing_done(self) -> bool:
        """True when the vendor said it did nothing: ``503`` with ``Retry-After``."""
        return self.status_code == 503 and self.retry_after is not None


class TransportError(PostmuxError):
    """The network failed.

    ``request_sent`` is False only when the request provably never left this
    machine (the connection could not be made): only then is a POST safe to retry.
    """

    def __init__(self, message: str, *, request_sent: bool) -> None:
        self.request_sent = request_sent
        super().__init__(message)


class FetchRefusedError(PostmuxError):
    """postmux would not download a medium's URL itself: the :class:`~postmux.FetchPolicy` said no.

    ``medium`` names the item (``"media[0]"``), ``rule`` the rule it broke
    (``"scheme"``, ``"address"``, ``"redirects"``, ``"size"``, ``"content-type"``,
    ``"content-encoding"``, ``"url"``). Raised before a connection is made wherever the rule allows
    (the address and scheme of every hop); nothing of the medium is uploaded,
    and the publisher turns it into a ``failed`` publication for each target.
    """

    def __init__(self, medium: str, rule: str, detail: str) -> None:
        self.medium = medium
        self.rule = rule
        self.detail = detail
        super().__init__(f"{medium} was not fetched: {detail} (fetch policy: {rule}); nothing was uploaded")


class ResponseError(PostmuxError):
    """The vendor answered 2xx but with a body we cannot read.

    HTML error pages, broken JSON, a missing or mistyped field: ``body`` keeps
    the start of it.
    """

    def __init__(self, message: str, *, provider: str, body: str | None = None) -> None:
        self.provider = provider
        self.body = body[:BODY_LIMIT] if body is not None else None
        super().__init__(f"[{provider}] {message}")


class LedgerError(PostmuxError):
    """The ledger cannot be opened, read or written (corrupt, read-only, unreachable, too new).

    Raised before anything is sent; after sending, the same failure is noted on
    the affected publications instead, so no outcome is lost. The message names
    the ledger (a database URL without its password) and the operation.
    """


class TimeoutError(PostmuxError, builtins.TimeoutError):  # noqa: A001 - it is the builtin's meaning
    """``wait()`` gave up before every publication was final.

    ``report`` holds the latest state of every publication, so nothing is lost.
    Also a built-in :class:`TimeoutError`, so ``except TimeoutError`` in code
    that knows nothing of postmux (``asyncio.timeout``, a job runner) catches it.
    """

    def __init__(self, message: str, report: object = None) -> None:
        self.report = report
        super().__init__(message)  # one argument: OSError would read two as (errno, strerror)

    def __reduce__(self) -> tuple[type[TimeoutError], tuple[str, object]]:
        # OSError pickles only its args: keep the report across processes too
        return type(self), (str(self.args[0]) if self.args else "", self.report)


_BY_STATUS: dict[int, type[ProviderError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: NotFoundError,
    422: InvalidRequestError,
    429: RateLimitError,
}


def error_for_status(
    status_code: int,
    message: str,
    *,
    provider: str,
    code: str | None = None,
    body: str | None = None,
    retry_after: float | None = None,
    request_id: str | None = None,
) -> ProviderError:
    """The one place an HTTP status becomes an error class (as stripe-python does)."""
    cls = _BY_STATUS.get(status_code)
    if cls is None:
        cls = ServerError if status_code >= 500 else ProviderError
    if cls is RateLimitError or cls is ServerError:
        hinted: type[RateLimitError | ServerError] = RateLimitError if cls is RateLimitError else ServerError
        return hinted(
            message,
            retry_after=retry_after,
            provider=provider,
            status_code=status_code,
            code=code,
            body=body,
            request_id=request_id,
        )
    return cls(
        message, provider=provider, status_code=status_code, code=code, body=body, request_id=request_id
    )


def nothing_done(exc: BaseException) -> bool:
    """True when ``exc`` says the request that raised it did nothing at the vendor: sending it again is safe.

    A refusal (4xx, bad input), a request that never left, a ``503`` with
    ``Retry-After``, a credential source failing before anything was sent. Not
    a timeout after sending, another 5xx, an unreadable 2xx body or an
    exception that is no ``PostmuxError`` (a plugin's bug): the post may exist.
    Any error of a flow that had sent only reads (``PostmuxError.only_reads``).
    """
    if isinstance(exc, PostmuxError) and exc.only_reads:  # its flow had sent only reads
        return True
    if isinstance(exc, TransportError):
        return not exc.request_sent
    if isinstance(exc, ServerError):
        return exc.nothing_done
    if isinstance(exc, CredentialError):
        return not exc.after_send
    return isinstance(exc, PostmuxError) and not isinstance(exc, ResponseError)
