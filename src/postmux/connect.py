"""Linking an account: an OAuth URL to open or a QR code to scan, then polling.

``pub.connect("tiktok")`` returns a :class:`ConnectSession` (or
:class:`AsyncConnectSession`): show ``.url`` or ``.qr_image`` to the person,
then ``.wait()`` for the linked :class:`~postmux.Account`.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from . import errors
from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .accounts import Account
from .errors import PostmuxError
from .status import ConnectStatus
from .stepping import asleep

if TYPE_CHECKING:
    from .flow import Flow

__all__ = [
    "AsyncConnectSession",
    "ConnectFailedError",
    "ConnectPoll",
    "ConnectSession",
    "ConnectStart",
    "ConnectStatus",
    "check_connect",
    "decode_data_url",
]


class ConnectFailedError(PostmuxError):
    """The link attempt ended without an account (QR expired or already used)."""

    def __init__(self, status: ConnectStatus, message: str) -> None:
        self.status = status
        super().__init__(message)


@attrs.frozen(slots=True, kw_only=True)
class ConnectStart:
    """What the vendor answered to "link an account".

    ``state`` is the adapter's own memory between polls (a QR token, the
    accounts that existed before an OAuth round trip).
    """

    platform: str
    url: str | None = None
    qr_image: bytes | None = attrs.field(default=None, repr=False)
    qr_mime_type: str | None = None
    expires_in: float | None = None
    poll_interval: float | None = None
    state: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash


@attrs.frozen(slots=True, kw_only=True)
class ConnectPoll:
    """One poll's answer: the status, and the account once confirmed."""

    status: ConnectStatus
    account: Account | None = None
    message: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash


def decode_data_url(value: str) -> tuple[bytes, str | None]:
    """The bytes and MIME type of a ``data:image/png;base64,…`` URL."""
    if not value.startswith("data:"):
        return base64.b64decode(value, validate=False), None
    head, _, payload = value.partition(",")
    mime = head[5:].split(";")[0] or None
    return base64.b64decode(payload + "=" * (-len(payload) % 4)), mime


def check_connect(
    platform: str,
    options: Mapping[str, Any],
    *,
    provider: str,
    platforms: Collection[str],
    takes: Collection[str] | Mapping[str, str] = (),
) -> dict[str, Any]:
    """Refuse, before any request, a link the vendor cannot make: an ``UnsupportedError``.

    ``platforms`` are those it links (its ``Capabilities.connect``), ``takes`` the option
    names its ``connect()`` reads; each other name is a problem of its own (``options.<name>``).
    Returns the options given (``None``: not given), renamed where ``takes`` maps an option
    to the vendor's name for it (``{"redirect_uri": "redirectUri"}``).
    """
    if platform not in platforms:
        problem = errors.Problem("platform", f"{provider} cannot link {platform!r} accounts", True)
        raise errors.UnsupportedError([problem])
    unknown = sorted(set(options) - set(takes))
    if unknown:
        why = f"takes only {', '.join(takes)}" if takes else "takes no options"
        raise errors.UnsupportedError([errors.Problem(f"options.{n}", why, True) for n in unknown])
    names = takes if isinstance(takes, Mapping) else {}
    return {names.get(k, k): v for k, v in options.items() if v is not None}


def _pause(interval: float, deadline: float, timeout: float) -> float:
    """The sleep before the next poll: the interval, or what is left until a last poll at the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise errors.TimeoutError(f"the account was not linked within {timeout:g} s")
    return min(interval, left)


def _finish(poll: ConnectPoll) -> Account | None:
    if poll.status is ConnectStatus.CONFIRMED:
        if poll.account is None:
            raise ConnectFailedError(poll.status, "the vendor confirmed the link but named no account")
        return poll.account
    if poll.status.is_final:
        raise ConnectFailedError(poll.status, poll.message or f"the link attempt ended: {poll.status}")
    return None


class _SessionBase:
    def __init__(self, start: ConnectStart, interval: float) -> None:
        self.start = start
        self.interval = interval
        self.last: ConnectPoll | None = None

    @property
    def url(self) -> str | None:
        """The OAuth URL to open, for redirect-based vendors."""
        return self.start.url

    @property
    def qr_image(self) -> bytes | None:
        """The QR code image (PNG bytes) to show, for QR-based vendors."""
        return self.start.qr_image

    @property
    def platform(self) -> str:
        """The platform being linked."""
        return self.start.platform


class ConnectSession(_SessionBase):
    """A link attempt driven synchronously."""

    def __init__(
        self,
        start: ConnectStart,
        run: Callable[[Flow[ConnectPoll]], ConnectPoll],
        poll_flow: Callable[[ConnectStart], Flow[ConnectPoll]],
        interval: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(start, interval)
        self._run = run
        self._poll_flow = poll_flow
        self._sleep = sleep

    def poll(self) -> ConnectPoll:
        """Ask once where the link stands."""
        self.last = self._run(self._poll_flow(self.start))
        return self.last

    def wait(self, timeout: float = 300.0) -> Account:
        """Poll until the account is linked; :class:`ConnectFailedError` if it expires.

        The whole ``timeout`` is used, as ``Publisher.wait()`` uses it: a last poll at the deadline.
        """
        deadline = time.monotonic() + timeout
        while True:
            account = _finish(self.poll())
            if account is not None:
                return account
            self._sleep(_pause(self.interval, deadline, timeout))


class AsyncConnectSession(_SessionBase):
    """A link attempt driven with asyncio."""

    def __init__(
        self,
        start: ConnectStart,
        run: Callable[[Flow[ConnectPoll]], Awaitable[ConnectPoll]],
        poll_flow: Callable[[ConnectStart], Flow[ConnectPoll]],
        interval: float,
        sleep: Callable[[float], Awaitable[Any]] = asleep,
    ) -> None:
        super().__init__(start, interval)
        self._run = run
        self._poll_flow = poll_flow
        self._sleep = sleep

    async def poll(self) -> ConnectPoll:
        """Ask once where the link stands."""
        self.last = await self._run(self._poll_flow(self.start))
        return self.last

    async def wait(self, timeout: float = 300.0) -> Account:
        """Poll until the account is linked; :class:`ConnectFailedError` if it expires (the whole
        ``timeout`` used: a last poll at the deadline)."""
        deadline = time.monotonic() + timeout
        while True:
            account = _finish(await self.poll())
            if account is not None:
                return account
            await self._sleep(_pause(self.interval, deadline, timeout))
