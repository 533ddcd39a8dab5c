"""The emulator kit: what every vendor emulator needs, so an emulator is its vendor's flows only.

* :class:`Rejected`: raise it anywhere in a handler's checks, catch it once,
  answer ``emulator.error(exc.status, exc.message, exc.code)``;
* :func:`error_payload`: the vendor's error body, built from the plugin's
  vocabulary (:class:`~postmux.vocabulary.ErrorEnvelope` read backwards), so
  the adapter and the emulator cannot disagree on where the message is;
* :class:`Seed` and :func:`seed_accounts`: the seeded accounts from a
  declaration (one active account per platform, an expired one…);
* the reverse option mapping is :meth:`~postmux.vocabulary.OptionMap.neutral`;
* :func:`account_json`: a sandbox account in the vendor's keys, the
  vocabulary's :class:`~postmux.vocabulary.AccountFields` read backwards;
* :func:`phase_words`: the emulator's phases in the vendor's status words,
  from the vocabulary's status map;
* :func:`tiktok_creator_fields`: TikTok's ``creator_info`` of a sandbox
  account, as vendors pass it through;
* :func:`record_json` with :func:`shown`: a record as the vendor shows it,
  declared as a table of keys (an attribute shown in some phases, the
  phase's word, a constant), so a status answer is a declaration;
* :func:`option_errors`: what a vendor would refuse in a body's options,
  from the option class's own field types (a ``bool``, a count, a ``Literal``'s
  values) read through the vocabulary, so no emulator lists its flags by hand;
  :func:`refuse_options` refuses the first of them in the vendor's words.

Needs nothing beyond the core (it is imported by emulators, which need the extra).
"""

from __future__ import annotations

import threading
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

import attrs

from ..accounts import AccountStatus
from ..options import TikTokPrivacy
from ..status import Status
from ..vocabulary import AccountFields, ErrorEnvelope, Opt, OptionMap, StatusMap
from .lifecycle import Clock, Phase, Record, SandboxAccount, Timing
from .middleware import json_bytes
from .schema import field_kind, field_types

__all__ = [
    "Rejected",
    "Seed",
    "Shown",
    "account_json",
    "avatar_url",
    "error_payload",
    "link_numbered",
    "option_errors",
    "phase_words",
    "record_json",
    "refuse_options",
    "seed_accounts",
    "shown",
    "tiktok_creator_fields",
]


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


class _Linker(_Ids, Protocol):
    accounts: list[SandboxAccount]
    lock: threading.RLock

    def link(self, account: SandboxAccount) -> SandboxAccount: ...


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


def option_errors(option_map: OptionMap | None, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(wire key, what it must be)`` for each option in ``data`` the vendor would refuse.

    What a value must be comes from the neutral option class: a ``bool`` field
    takes a boolean (an inverted one too), an ``int`` one a whole number of 0
    or more (every neutral count, index and offset is one), a ``Literal`` one
    its values, a mapped one (``values``) the wire words of the map, a
    ``tuple[str, ...]`` one a list of strings. Keys the map does not know, and
    ``built`` ones, are the emulator's to check. Each vendor words the message::

        for key, want in option_errors(TIKTOK, body):
            raise Rejected(400, f"'{key}' must be {want}")
    """
    if option_map is None:
        return []
    out = []
    for name, o in option_map.fields.items():
        if o.built or o.wire not in data:
            continue
        want = _check_of(option_map, name, o)(data[o.wire])
        if want is not None:
            out.append((o.wire, want))
    return out


def refuse_options(
    option_map: OptionMap | None, data: Mapping[str, Any], *, refusal: str = "'{key}' must be {want}"
) -> None:
    """Refuse (a 400) the first option in ``data`` the vendor would refuse (:func:`option_errors`).

    ``refusal`` is the vendor's wording, a template naming ``key`` (the wire
    key) and ``want`` (what it must be): ``"settings.{key} must be {want}"``.
    """
    for key, want in option_errors(option_map, data):
        raise Rejected(400, refusal.format(key=key, want=want))


_CHECKS: dict[int, tuple[Opt, Callable[[Any], str | None]]] = {}
"""Each option's check, by the option's identity: the field types are read once, not per request."""


def _check_of(option_map: OptionMap, name: str, o: Opt) -> Callable[[Any], str | None]:
    known = _CHECKS.get(id(o))
    if known is not None and known[0] is o:
        return known[1]
    check = _rule(o, field_types(option_map.options)[name])
    _CHECKS[id(o)] = (o, check)
    return check


def _rule(o: Opt, hint: Any) -> Callable[[Any], str | None]:
    """The check of one option: what a value must be (``None`` when it fits), from ``o`` and its type."""
    if o.values is not None:
        words = list(o.values.values())
        said = "one of " + ", ".join(map(str, words))
        return lambda value: None if value in words else said
    kind = field_kind(hint)
    if kind is bool:
        return lambda value: None if isinstance(value, bool) else "a boolean"
    if kind is int:
        return lambda value: (
            None
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0
            else "a non-negative integer"
        )
    if typing.get_origin(kind) is Literal:
        allowed = typing.get_args(kind)
        listed = "one of " + ", ".join(map(str, allowed))
        return lambda value: None if value in allowed else listed
    if kind is str:
        return lambda value: None if isinstance(value, str) else "a string"
    if typing.get_origin(kind) is tuple:
        return lambda value: (
            None
            if isinstance(value, list) and all(isinstance(v, str) for v in value)
            else "an array of strings"
        )
    return lambda value: None


def avatar_url(account: SandboxAccount) -> str:
    """A sandbox account's picture: a URL of its own that no test needs to fetch."""
    return f"https://sandbox.invalid/avatars/{account.username}.jpg"


def account_json(
    account: SandboxAccount,
    fields: AccountFields,
    words: Mapping[str, AccountStatus],
    *,
    reason: str | None = None,
) -> dict[str, Any]:
    """A sandbox account in the vendor's keys: what ``Adapter.accounts_from`` reads, written back.

    The status is the vendor's first word for ``active`` or, for an account
    that is not, its first other word; ``reason`` (why it is not active) goes
    under ``fields.reason``. Keys the vendor has no field for are left out.
    """
    active = account.active
    word = next(w for w, s in words.items() if (s is AccountStatus.ACTIVE) is active)
    values: dict[str, str | None] = {"id": account.id, "platform": account.platform, "status": word}
    values |= {"reason": None if active else reason, "username": account.username}
    values |= {"display_name": account.display_name, "avatar_url": avatar_url(account)}
    return {key: value for name, value in values.items() if (key := getattr(fields, name)) is not None}


def phase_words(statuses: StatusMap, **more: str) -> dict[Phase, str]:
    """Each phase as the vendor says it: the first word its status map has for that neutral status.

    ``more`` (by phase value: ``inbox="published"``) names the word of a phase
    the map has none for, or another; a phase with neither is left out.
    """
    out = {}
    for phase in Phase:
        words = statuses.words(Status(phase.value))
        word = more.get(phase.value) or (words[0] if words else None)
        if word is not None:
            out[phase] = word
    return out


def tiktok_creator_fields(account: SandboxAccount, *, camel: bool = False) -> dict[str, Any]:
    """TikTok's ``creator_info`` for ``account``: every privacy level, nothing disabled, 10-minute videos.

    The account's ``extra`` changes any of them, by TikTok's snake_case name
    (``extra["comment_disabled"] = True``: a creator who turned comments off,
    for a test of what the vendor then refuses). In TikTok's snake_case, or
    camelCased (``privacyLevelOptions``) for a vendor that renames it.
    """
    fields: dict[str, Any] = {
        "creator_avatar_url": avatar_url(account),
        "creator_username": account.username,
        "creator_nickname": account.display_name,
        "privacy_level_options": list(typing.get_args(TikTokPrivacy)),
        "comment_disabled": False,
        "duet_disabled": False,
        "stitch_disabled": False,
        "max_video_post_duration_sec": 600,
    }
    fields |= {name: account.extra[name] for name in fields.keys() & account.extra.keys()}
    if not camel:
        return fields
    return {_camel(k): v for k, v in fields.items()}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def link_numbered(
    emulator: _Linker,
    platform: str,
    username: str | None = None,
    *,
    stem: str | None = None,
    id_prefix: str = "",
    user_id_digits: int | None = None,
) -> SandboxAccount:
    """Link the next account a person connects on ``platform``: ``sandbox_tiktok_2``, "Sandbox Tiktok 2".

    ``stem`` names it otherwise (``sandbox_creator`` → ``sandbox_creator_2``, "Sandbox Creator 2");
    the number counts the platform's accounts, this one included. Counted and linked under the
    emulator's lock, so two people linking at once never get the same name.
    """
    stem = stem or f"sandbox_{platform}"
    with emulator.lock:
        n = sum(1 for a in emulator.accounts if a.platform == platform) + 1
        return emulator.link(
            SandboxAccount(
                id=emulator.new_id(id_prefix),
                platform=platform,
                username=username or f"{stem}_{n}",
                display_name=f"{stem.replace('_', ' ').title()} {n}",
                extra={"user_id": emulator.digits(user_id_digits)} if user_id_digits else {},
            )
        )


_TIMES = frozenset({"created", "start", "finished"})


@attrs.frozen(slots=True)
class Shown:
    """One key of :func:`record_json`: a record's ``name``, shown in ``phases`` only (all when empty).

    ``name`` is an attribute (``url``, ``fail_reason``), an ``extra`` entry
    (``extra.post_id``), or one of the record's times as an ISO string:
    ``created``, ``start`` (when work begins, or the scheduled time),
    ``finished`` (when it reached, or will reach, its final phase). Outside
    ``phases`` the value is ``None``, or the key is left out when ``omit``.
    """

    name: str
    phases: frozenset[Phase] = frozenset()
    omit: bool = False

    def of(self, record: Record, phase: Phase, timing: Timing) -> Any:
        """The value for ``record`` in ``phase`` (``None`` outside :attr:`phases`)."""
        if self.phases and phase not in self.phases:
            return None
        if self.name in _TIMES:
            seconds = record.finished_at(timing) if self.name == "finished" else getattr(record, self.name)
            return Clock.iso(seconds)
        if self.name.startswith("extra."):
            return record.extra.get(self.name.removeprefix("extra."))
        return getattr(record, self.name)


def shown(name: str, *phases: Phase, omit: bool = False) -> Shown:
    """A :class:`Shown` key: ``shown("url", Phase.PUBLISHED)`` is the link once published, else ``None``."""
    return Shown(name, frozenset(phases), omit)


def record_json(shape: Mapping[str, Any], record: Record, phase: Phase, timing: Timing) -> dict[str, Any]:
    """``record`` as the vendor shows it, one key of ``shape`` at a time.

    Each value of ``shape`` is a :class:`Shown` (:func:`shown`), a mapping of
    phase → value (the phase's status word; ``None`` for a phase it lacks),
    or a constant written as it is (``None``, ``False``, ``"publish"``)::

        JOB = {"id": shown("id"), "status": WORDS, "link": shown("url", Phase.PUBLISHED), "type": "post"}
        self.record_json(record, JOB)
    """
    out: dict[str, Any] = {}
    for key, how in shape.items():
        if isinstance(how, Shown):
            if how.omit and how.phases and phase not in how.phases:
                continue
            out[key] = how.of(record, phase, timing)
        elif isinstance(how, Mapping):
            out[key] = how.get(phase)
        else:
            out[key] = how
    return out
