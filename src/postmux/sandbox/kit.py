"""The emulator kit: what every vendor emulator needs, so an emulator is its vendor's flows only.

* :class:`Rejected`: raise it anywhere in a handler's checks, catch it once,
  answer ``emulator.error(exc.status, exc.message, exc.code)``;
* :func:`error_payload`: the vendor's error body, built from the plugin's
  vocabulary (:class:`~postmux.vocabulary.ErrorEnvelope` read backwards), so
  the adapter and the emulator cannot disagree on where the message is;
* :class:`Seed` and :func:`seed_accounts`: the seeded accounts from a
  declaration (one active account per platform, an expired one…);
* the reverse option mapping is :meth:`~postmux.vocabulary.OptionMap.neutral`.

Needs nothing beyond the core (it is imported by emulators, which need the extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import attrs

from ..vocabulary import ErrorEnvelope
from .lifecycle import SandboxAccount
from .middleware import json_bytes

__all__ = ["Rejected", "Seed", "error_payload", "seed_accounts"]


class Rejected(Exception):  # noqa: N818 - a rejection, as the vendor would answer it
    """The emulated vendor refuses a request: ``status``, a message and (where the vendor has them) a code."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def error_payload(envelope: ErrorEnvelope, message: str, code: str | None = None) -> tuple[bytes, str]:
    """An ``Emulator.error_payload`` answer in the vendor's declared shape."""
    return json_bytes(envelope.body(message, code)), "application/json"


@attrs.frozen(slots=True)
class Seed:
    """One seeded account: platform, username (``sandbox_<platform>``), shown name, active or expired.

    ``user_id_digits``: a numeric platform user id of that many digits in ``extra["user_id"]``.
    """

    platform: str
    username: str | None = None
    display_name: str | None = None
    active: bool = True
    user_id_digits: int | None = None


class _Ids(Protocol):
    def new_id(self, prefix: str = "") -> str: ...
    def digits(self, n: int) -> str: ...


def seed_accounts(emulator: _Ids, seeds: Sequence[Seed], *, id_prefix: str = "") -> list[SandboxAccount]:
    """The accounts of ``seeds``, with ids from the emulator's seeded RNG (the same run, the same ids)."""
    out: list[SandboxAccount] = []
    for s in seeds:
        account_id = emulator.new_id(id_prefix)
        username = s.username or f"sandbox_{s.platform}"
        shown = username.removeprefix("sandbox_") if username.startswith("sandbox_") else s.platform
        extra = {"user_id": emulator.digits(s.user_id_digits)} if s.user_id_digits else {}
        out.append(
            SandboxAccount(
                id=account_id,
                platform=s.platform,
                username=username,
                display_name=s.display_name or f"Sandbox {shown.replace('_', ' ').title()}",
                active=s.active,
                extra=extra,
            )
        )
    return out
