"""API keys that cannot leak by accident.

A :class:`Secret` never shows its value in ``repr`` or ``str``; the only way to
read it is :meth:`Secret.reveal`, called in one place (the driver, when it adds
the vendor's auth header). :func:`redact` scrubs a known secret from any text
we are about to keep (error bodies, log lines).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["NO_KEY", "REDACTED", "UNSENDABLE", "Secret", "redact", "scrub", "sendable"]

REDACTED = "***"

_HEADER_VALUE = re.compile(r"(?:[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*)?")
"""A header value httpx and h11 send as it is: printable ASCII, no line break, no space at either end.

Any other fails while the request is made, and the failure quotes the value:
httpx's ``UnicodeEncodeError`` holds it whole, h11's "Illegal header value"
names it escaped (``…\\n``), which no :func:`redact` of the key itself finds."""

UNSENDABLE = (
    "holds a character no HTTP header can carry (a line break, a control or non-ASCII character,"
    " or a space at either end: read from a file with its newline?)"
)
"""What a refusal of such a key or token says of it (never the value)."""


def sendable(headers: Mapping[str, object]) -> bool:
    """True when every header value can be sent as it is (see :data:`_HEADER_VALUE`)."""
    return all(not isinstance(v, str) or _HEADER_VALUE.fullmatch(v) is not None for v in headers.values())


class Secret:
    """An API key held so that printing it prints ``Secret('***')``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise TypeError("a Secret holds a non-empty string")
        self._value = value

    def reveal(self) -> str:
        """The key itself, for the one header that needs it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled, so it is not written anywhere by accident")


NO_KEY = Secret("postmux:no-publisher-key")
"""The publisher key of a publisher that has only per-account credentials (no header is made from it)."""


def redact(text: str, *secrets: Secret | None) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``."""
    for secret in secrets:
        if secret is not None:
            value = secret.reveal()
            if value in text:
                text = text.replace(value, REDACTED)
    return text


def scrub(exc: BaseException, *secrets: Secret | None) -> None:
    """Remove every secret from an exception's text, ``message`` and ``body``, in place.

    For errors a plugin raises from a body it read itself (a 2xx page echoing
    the key): the driver scrubs whatever leaves a flow.
    """
    exc.args = tuple(redact(a, *secrets) if isinstance(a, str) else a for a in exc.args)
    for name in ("message", "body"):
        value = getattr(exc, name, None)
        if isinstance(value, str):
            setattr(exc, name, redact(value, *secrets))
