"""A vendor's declared words: its option names, its statuses and its error envelope.

A plugin declares one :class:`Vocabulary`, as data, and every part of postmux
that needs the vendor's words reads it, so they cannot drift apart:

* the adapter builds its option objects with :meth:`OptionMap.to_wire`;
* the generated docs and ``postmux compare`` read ``Adapter.field_mapping``,
  derived from the option maps (``"!disableComment"``: inverted);
* the capabilities take their option names and per-kind/per-mode limits from
  :attr:`OptionMap.names` and :attr:`OptionMap.only`, which validation checks;
* the emulator reads a body back into neutral names with
  :meth:`OptionMap.neutral` (the reverse mapping, for free);
* :class:`StatusMap` owns the two shared rules (an unknown value is still
  ``processing``; a draft that "published" is in the ``inbox``);
* :class:`ErrorEnvelope` says where a vendor's error body keeps its message,
  code and request id, and what counts as a refusal inside a 2xx answer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import attrs
import httpx

from ._eq import fields_eq, fields_hash
from ._record import FrozenRecord
from ._repr import fields_repr
from .capabilities import PlatformSupport
from .errors import ProviderError, RateLimitError, error_for_status
from .media import MediaKind
from .options import PlatformOptions
from .status import AccountStatus, Status

__all__ = [
    "ACCOUNT_WORDS",
    "CONTEXTS",
    "TIKTOK_API",
    "AccountFields",
    "ErrorEnvelope",
    "Opt",
    "OptionMap",
    "StatusMap",
    "Vocabulary",
    "context_of",
    "header_retry_after",
    "overrides",
    "seconds_until",
]

CONTEXTS = frozenset({"video", "photo", "text", "post", "draft", "story"})
"""Where an option may be carried: a kind (``video``, ``photo``, ``text``: no media) and a mode
(``post``, ``draft``: ``draft=True`` in the options, ``story``: ``story=True``)."""

ACCOUNT_WORDS: Mapping[str, AccountStatus] = {
    "active": AccountStatus.ACTIVE,
    "expired": AccountStatus.EXPIRED,
    "reconnect_required": AccountStatus.RECONNECT_REQUIRED,
}
"""The account status words most vendors use: :attr:`Vocabulary.accounts` unless a vendor declares its own."""

_KINDS = frozenset({"video", "photo", "text"})
_MODES = frozenset({"post", "draft", "story"})


TIKTOK_API: Mapping[str, str] = {
    "privacy": "privacyLevel",
    "allow_comment": "!disableComment",
    "allow_duet": "!disableDuet",
    "allow_stitch": "!disableStitch",
    "branded_content": "brandContentToggle",
    "brand_organic": "brandOrganicToggle",
    "ai_generated": "isAigc",
    "cover_timestamp_ms": "videoCoverTimestampMs",
    "auto_add_music": "autoAddMusic",
    "cover_index": "photoCoverIndex",
}
"""``TikTokOptions`` fields in TikTok's own Content Posting API words, camelCased (``!``: inverted).

Vendors that pass TikTok's post settings through keep TikTok's names
(``disable_comment`` → ``disableComment``): a plugin takes the ones its vendor
keeps from here and declares only where it differs, so no plugin restates them.
"""


@attrs.frozen(slots=True, kw_only=True)
class Opt:
    """How one neutral option is spelled on the wire.

    ``wire`` is the vendor's key; ``invert`` a boolean of the opposite meaning
    (``allow_comment`` ⇄ ``disableComment``); ``on`` the contexts where the
    vendor carries it (empty: everywhere; see :data:`CONTEXTS`); ``values``
    neutral value → wire value, a neutral value not listed being left out
    (``otherwise``: the neutral value of a wire value not listed);
    ``default`` an explicit neutral default where the option class has none;
    ``built``: the plugin writes this key itself (its value depends on more
    than the option), so :meth:`OptionMap.to_wire` leaves it out while the docs
    and the reverse mapping still know it. ``strict``: outside ``on`` the option
    means nothing (a story's feed flag), so validation refuses it there set to
    any value, the neutral default too (which it lets by for the other options:
    not sending one gives it).
    """

    wire: str
    invert: bool = False
    on: frozenset[str] = frozenset()
    values: Mapping[Any, Any] | None = None
    otherwise: Any = None
    default: Any = None
    built: bool = False
    strict: bool = False

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def __attrs_post_init__(self) -> None:
        unknown = self.on - CONTEXTS
        if unknown:
            raise ValueError(f"unknown contexts {sorted(unknown)}; use {sorted(CONTEXTS)}")

    def carried(self, kind: str | None, mode: str) -> bool:
        """True when the vendor carries this option on a post of ``kind`` in ``mode``."""
        kinds, modes = self.on & _KINDS, self.on & _MODES
        return (not kinds or kind is None or kind in kinds) and (not modes or mode in modes)

    def encode(self, value: Any) -> Any:
        """The wire value of a neutral one (``None``: left out)."""
        if self.values is not None:
            return self.values.get(value)
        if self.invert:
            return not value
        return list(value) if isinstance(value, tuple) else value

    def decode(self, value: Any) -> Any:
        """The neutral value of a wire one (the inverse of :meth:`encode`)."""
        if self.values is not None:
            return next((k for k, v in self.values.items() if v == value), self.otherwise)
        if self.invert:
            return not value
        return tuple(value) if isinstance(value, list) else value

    @property
    def spelling(self) -> str:
        """The wire name as the docs show it: ``!`` before an inverted one."""
        return f"!{self.wire}" if self.invert else self.wire


def opt(spec: str | Opt, *, on: str | Iterable[str] = "") -> Opt:
    """``"disableComment"`` or ``"!disableComment"`` (inverted) as an :class:`Opt`."""
    if isinstance(spec, Opt):
        return spec
    words = frozenset(on.split() if isinstance(on, str) else on)
    return Opt(wire=spec.lstrip("!"), invert=spec.startswith("!"), on=words)


def context_of(options: PlatformOptions | None, kind: MediaKind | str | None) -> tuple[str | None, str]:
    """``(kind, mode)`` of a post for one platform: its kind as given, ``"post"``/``"draft"``/``"story"``."""
    if getattr(options, "draft", None) is True:
        mode = "draft"
    else:
        mode = "story" if getattr(options, "story", None) is True else "post"
    return (str(kind) if kind is not None else None), mode


def _resolved(options: PlatformOptions, kind: str | None) -> PlatformOptions:
    resolved_for = getattr(options, "resolved_for", None)  # TikTok: photo and video defaults differ
    if resolved_for is not None:
        result: PlatformOptions = resolved_for(photos=kind == "photo")
        return result
    return options.resolved()


_Sent = tuple[str, str, Any, Mapping[Any, Any] | None, bool]
"""One field :meth:`OptionMap.to_wire` sends in one context: its name, wire key, default, values
and whether it is inverted. A plain tuple (it is only unpacked): a NamedTuple costs ~0.7 M
instructions to define at import (issue 15's start-up)."""


class OptionMap:
    """One option class in a vendor's spelling: neutral field → :class:`Opt`.

    ``fields`` values are ``"wireName"``, ``"!wireName"`` (inverted) or an
    :class:`Opt`; fields not listed are ones the vendor cannot carry.
    """

    def __init__(self, options: type[PlatformOptions], fields: Mapping[str, str | Opt]) -> None:
        names = {f.name for f in attrs.fields(options)}
        unknown = sorted(set(fields) - names)
        if unknown:
            raise ValueError(f"{options.__name__} has no fields {unknown}")
        self.options = options
        self.platform = options.platform
        self.fields: dict[str, Opt] = {name: opt(spec) for name, spec in fields.items()}
        self._sent = tuple((n, o) for n, o in self.fields.items() if not o.built)
        self._plans: dict[tuple[str | None, str, bool, bool], tuple[_Sent, ...]] = {}

    @property
    def names(self) -> frozenset[str]:
        """The neutral fields the vendor carries (for :attr:`PlatformSupport.options`)."""
        return frozenset(self.fields)

    @property
    def only(self) -> dict[str, frozenset[str]]:
        """Field → the contexts it is limited to (for :attr:`PlatformSupport.only`)."""
        return {name: o.on for name, o in self.fields.items() if o.on}

    @property
    def strict(self) -> frozenset[str]:
        """Fields refused outside their contexts whatever their value (:attr:`PlatformSupport.strict`)."""
        return frozenset(name for name, o in self.fields.items() if o.strict)

    def support(self, **fields: Any) -> PlatformSupport:
        """The platform's :class:`~postmux.PlatformSupport` with :attr:`names` and :attr:`only` from this map.

        So the capabilities can never list an option the vendor's words do not
        carry, nor forget a per-kind limit: ``TIKTOK.support(draft=True, max_photos=35)``.
        """
        return PlatformSupport(options=self.names, only=self.only, strict=self.strict, **fields)

    @property
    def docs(self) -> dict[str, str]:
        """Field → wire spelling, ``!`` for inverted: ``Adapter.field_mapping``'s form."""
        return {name: o.spelling for name, o in self.fields.items()}

    def to_wire(
        self,
        options: PlatformOptions | None,
        *,
        kind: MediaKind | str | None = None,
        defaults: bool = True,
    ) -> dict[str, Any]:
        """The vendor's keys for ``options``, neutral defaults filled in, in declaration order.

        A field left out: unset with no neutral default, not carried for this
        kind or mode, or ``built`` by the plugin. ``defaults=False`` sends only
        what the app set (for tests and tools that read one field).
        """
        given = options if options is not None else self.options()
        word, mode = context_of(given, kind)
        own = type(given) is self.options
        if not own and defaults:  # a subclass may resolve its defaults its own way: it does so here
            given = _resolved(given, word)
        plan = self._plans.get((word, mode, defaults, own))
        if plan is None:
            plan = self._plan(word, mode, defaults, own)
        out: dict[str, Any] = {}
        # this runs for every target of every publish: the plan holds what the tables decide
        for name, wire, default, values, invert in plan:
            value = getattr(given, name)
            if value is None:
                if default is None:
                    continue
                value = default
            if values is not None:
                value = values.get(value)
                if value is None:
                    continue
            elif invert:
                value = not value
            elif type(value) is tuple:
                value = list(value)
            out[wire] = value
        return out

    def _plan(self, word: str | None, mode: str, defaults: bool, own: bool) -> tuple[_Sent, ...]:
        """The fields sent in one context, each with its neutral default: what depends on the tables only.

        An option class resolves each field alone (an unset field gets its
        default, whatever the others hold), so for the map's own class the
        defaults are those of a blank object resolved for ``word``; made once
        per context and kept. An object of a subclass (not ``own``) comes
        resolved by its own methods, and only the :class:`Opt` defaults remain.
        """
        blank = _resolved(self.options(), word) if defaults and own else None
        plan = []
        for name, o in self._sent:
            if o.on and not o.carried(word, mode):
                continue
            default = getattr(blank, name) if blank is not None else None
            if default is None and defaults:
                default = o.default
            plan.append((name, o.wire, default, o.values, o.invert))
        if len(self._plans) < 64:  # the contexts are few (kind × mode); a stray word is not kept
            self._plans[word, mode, defaults, own] = tuple(plan)
        return tuple(plan)

    def neutral(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The keys of ``data`` this map knows, in neutral names and meanings (absent keys stay absent)."""
        return {name: o.decode(data[o.wire]) for name, o in self.fields.items() if o.wire in data}

    def from_wire(self, data: Mapping[str, Any]) -> PlatformOptions:
        """``data`` read back as the option class: the inverse of :meth:`to_wire`."""
        values = {k: v for k, v in self.neutral(data).items() if v is not None}
        return self.options(**values)


def overrides(option_map: OptionMap, cls: type[Any]) -> dict[str, Any]:
    """cattrs overrides for a wire class whose attributes use neutral names: the map's renames.

    For plugins that keep typed request classes (``allow_comment: bool`` on
    the class, ``disableComment`` on the wire): the spelling still comes from
    the one declaration. Fields ``built`` or mapped through ``values`` are
    the plugin's to write.
    """
    from .wire import inverted, renamed

    names = {f.name for f in attrs.fields(cls)}
    return {
        name: inverted(o.wire) if o.invert else renamed(o.wire)
        for name, o in option_map.fields.items()
        if name in names and o.values is None and not o.built
    }


class StatusMap(Mapping[str, Status]):
    """A vendor's status words → neutral :class:`Status`, with postmux's shared rules applied once.

    Words are compared case-insensitively. A word not listed is ``processing``
    (waiting goes on rather than stopping on a guess); a draft that reached
    ``published`` is in the creator's ``inbox``; ``reasons`` turns a failure
    with a known reason into another status (a cancel reported as a failure).
    """

    def __init__(self, table: Mapping[str, Status], *, reasons: Mapping[str, Status] | None = None) -> None:
        self.table = dict(table)
        self._folded = {k.casefold(): v for k, v in table.items()}
        self.reasons = dict(reasons or {})

    def __call__(
        self,
        value: str | None,
        *,
        draft: bool = False,
        reason: str | None = None,
        default: Status = Status.PROCESSING,
    ) -> Status:
        """The neutral status of ``value`` (``None``: ``default``)."""
        if value is None:
            return default
        status = self._folded.get(value.casefold(), Status.PROCESSING)
        if status is Status.FAILED and reason is not None:
            status = self.reasons.get(reason, status)
        if draft and status is Status.PUBLISHED:
            return Status.INBOX
        return status

    def __getitem__(self, value: str) -> Status:
        return self.table[value]

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def words(self, status: Status) -> list[str]:
        """Every vendor word that means ``status`` (for emulators and docs)."""
        return [k for k, v in self.table.items() if v is status]


def header_retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": a time in UTC whose sender names no zone (RFC 5322)
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def seconds_until(value: object, *, now: datetime | None = None) -> float | None:
    """Seconds until a retry time an error body names (``None``: no such time).

    Vendors that put it in the body rarely say in what form, so every
    plausible one is read: an ISO 8601 time (no offset: UTC), epoch seconds or
    milliseconds, or a plain number of seconds (as a number or a string).
    """
    if value is None or isinstance(value, bool):
        return None
    now = now or datetime.now(UTC)
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                value = float(value)
            except ValueError:
                return None
        else:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - now).total_seconds())
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # a whole number past any float: no time anyone means
            return None
        if number > 1e12:  # epoch milliseconds
            return max(0.0, number / 1000 - now.timestamp())
        if number > 1e9:  # epoch seconds
            return max(0.0, number - now.timestamp())
        return max(0.0, number)
    return None


@functools.cache
def _parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _at(data: Any, path: str) -> Any:
    for part in _parts(path):
        # JSON gives dicts and a missed key None: both told without the ABC's instance check
        if type(data) is not dict and (data is None or not isinstance(data, Mapping)):
            return None
        data = data.get(part)
    return data


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in ``data``, making objects on the way; a path through a non-object is skipped."""
    *parents, last = path.split(".")
    for part in parents:
        child = data.setdefault(part, {})
        if not isinstance(child, dict):
            return
        data = child
    data.setdefault(last, value)


def _first_text(data: Any, paths: Iterable[str]) -> str | None:
    for path in paths:
        value = _at(data, path)
        if isinstance(value, str) and value:
            return value
    return None


_NO_CLASSES: Mapping[str, type[ProviderError]] = MappingProxyType({})


class ErrorEnvelope(FrozenRecord):
    """Where a vendor's error body says what went wrong: the one parser for every vendor.

    ``message``, ``code`` and ``request_id`` are dotted paths into the JSON
    body, tried in order (``"error.message"``: the ``message`` of an ``error``
    object; a path that leads to anything but a non-empty string is skipped);
    ``request_id_header`` a response header with the request id. ``name`` is
    how a message names the vendor. ``classes`` picks the error class from a
    code (so a code that arrives with an unexpected status still means what it
    says). ``retry_after``: paths to a retry time in the body (an instant or a
    delay, see :func:`seconds_until`), read when no ``Retry-After`` header
    says it. Inside a 2xx answer, a refusal is a ``success`` path that is
    ``false``, or, with ``ok_codes``, a code at the ``code`` paths not among them.

    A frozen plain record (:mod:`postmux._record`), as :class:`AccountFields`: every plugin makes one
    at import, and defining a NamedTuple or an attrs class costs far more (issue 15's start-up).
    """

    __slots__ = (  # noqa: RUF023 - the fields' order, which the repr shows
        "name",
        "message",
        "code",
        "request_id",
        "request_id_header",
        "success",
        "ok_codes",
        "classes",
        "retry_after",
    )

    def __init__(
        self,
        name: str = "the vendor",
        message: tuple[str, ...] = ("error.message", "message", "error"),
        code: tuple[str, ...] = ("error.code", "code"),
        request_id: tuple[str, ...] = (),
        request_id_header: str | None = None,
        success: str | None = None,
        ok_codes: frozenset[str] | None = None,
        classes: Mapping[str, type[ProviderError]] = _NO_CLASSES,
        retry_after: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.message = message
        self.code = code
        self.request_id = request_id
        self.request_id_header = request_id_header
        self.success = success
        self.ok_codes = ok_codes
        self.classes = classes
        self.retry_after = retry_after

    def fields(
        self, data: Any, response: httpx.Response | None = None
    ) -> tuple[str | None, str | None, str | None]:
        """``(message, code, request id)`` from a parsed body (and the response's headers)."""
        request_id = _first_text(data, self.request_id)
        if request_id is None and self.request_id_header and response is not None:
            request_id = response.headers.get(self.request_id_header)
        return _first_text(data, self.message), _first_text(data, self.code), request_id

    def error_for(
        self,
        response: httpx.Response,
        body: str,
        *,
        provider: str,
        retry_after: float | None = None,
    ) -> ProviderError:
        """The error for a response with status ≥ 400; ``body`` is its text, key already scrubbed."""
        status = response.status_code
        try:
            data: Any = json.loads(body)
        except RecursionError:  # JSON nested past the parser's depth: no envelope can be read in it
            data, fallback = None, f"HTTP {status}"
        except ValueError:
            data, text = None, body.strip()
            fallback = text[:200] or f"HTTP {status}"
            if text.startswith("<"):
                fallback = f"HTTP {status}: {self.name} answered with an HTML page"
        else:
            fallback = f"HTTP {status}"
        message, code, request_id = self.fields(data, response)
        hint = retry_after if retry_after is not None else header_retry_after(response)
        for path in self.retry_after if hint is None else ():
            hint = seconds_until(_at(data, path))
            if hint is not None:
                break
        return self._error(status, message or fallback, code, request_id, body, provider, hint)

    def body(self, message: str, code: str | None = None) -> dict[str, Any]:
        """An error body in this shape, for emulators: the first message and code path, ``success: false``."""
        out: dict[str, Any] = {}
        if self.success is not None:
            _put(out, self.success, False)
        _put(out, self.message[0], message)
        if code is not None and self.code:
            _put(out, self.code[0], code)
        return out

    def refusal(self, data: Any, response: httpx.Response, *, provider: str) -> ProviderError | None:
        """The error a 2xx answer carries, if it says no; ``None`` when it is a real answer."""
        if (self.success is None and self.ok_codes is None) or (
            type(data) is not dict and not isinstance(data, Mapping)  # JSON's dict: no ABC check
        ):
            return None  # nothing a 2xx could refuse with (read for every answer: checked first)
        refused = self.success is not None and _at(data, self.success) is False
        ok = self.ok_codes
        if not refused and ok is None:
            return None  # the common answer: read no further
        code = _first_text(data, self.code)
        if not refused and (code is None or (ok is not None and code in ok)):
            return None
        message, _, request_id = self.fields(data, response)
        text = message or code or f"{self.name} answered {self.success}: false"
        cls = self.classes.get(code or "", ProviderError)
        return cls(
            text,
            provider=provider,
            status_code=response.status_code,
            code=code,
            body=response.text,
            request_id=request_id,
        )

    def _error(
        self,
        status: int,
        message: str,
        code: str | None,
        request_id: str | None,
        body: str,
        provider: str,
        hint: float | None,
    ) -> ProviderError:
        if request_id:
            message += f" (request id {request_id})"
        kwargs: dict[str, Any] = {"provider": provider, "code": code, "body": body, "request_id": request_id}
        cls = self.classes.get(code or "")
        if cls is None:
            return error_for_status(status, message, retry_after=hint, **kwargs)
        if issubclass(cls, RateLimitError):
            return cls(message, retry_after=hint, status_code=status, **kwargs)
        return cls(message, status_code=status, **kwargs)


class AccountFields(FrozenRecord):
    """Where a vendor's account listing keeps each :class:`~postmux.Account` field: its key names.

    A plain record (every plugin makes one at import; see :class:`ErrorEnvelope`).

    ``None``: the vendor has no such key (``platform``: each listing is one
    platform's). ``reason`` is the key of why an account is not active; the
    status word itself is the reason otherwise. Read by
    :meth:`Adapter.accounts_from <postmux.Adapter.accounts_from>`.
    """

    __slots__ = ("id", "platform", "status", "reason", "username", "display_name", "avatar_url")  # noqa: RUF023

    def __init__(
        self,
        id: str = "id",  # noqa: A002 - the Account field it names
        platform: str | None = "platform",
        status: str | None = "status",
        reason: str | None = None,
        username: str | None = "username",
        display_name: str | None = None,
        avatar_url: str | None = None,
    ) -> None:
        self.id = id
        self.platform = platform
        self.status = status
        self.reason = reason
        self.username = username
        self.display_name = display_name
        self.avatar_url = avatar_url


@attrs.frozen(slots=True, kw_only=True)
class Vocabulary:
    """Everything a vendor calls by its own name: option maps, statuses, the error envelope.

    ``accounts`` maps a linked account's status word to :class:`~postmux.AccountStatus`
    (for :meth:`Adapter.account <postmux.Adapter.account>`); a word not listed is ``unknown``.
    """

    options: tuple[OptionMap, ...] = ()
    statuses: StatusMap = attrs.field(factory=lambda: StatusMap({}))
    errors: ErrorEnvelope = attrs.field(factory=ErrorEnvelope)
    accounts: Mapping[str, AccountStatus] = attrs.field(factory=lambda: dict(ACCOUNT_WORDS))

    _by_platform: dict[str, OptionMap] = attrs.field(init=False, factory=dict, repr=False, eq=False)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def __attrs_post_init__(self) -> None:
        platforms = [m.platform for m in self.options]
        if len(set(platforms)) != len(platforms):
            raise ValueError(f"one option map per platform, got {platforms}")
        self._by_platform.update({m.platform: m for m in self.options})

    def for_platform(self, platform: str) -> OptionMap | None:
        """The option map of ``platform``, if the vendor carries any of its options."""
        return self._by_platform.get(platform)

    def to_wire(
        self, platform: str, options: PlatformOptions | None, *, kind: MediaKind | str | None = None
    ) -> dict[str, Any]:
        """``platform``'s options in the vendor's keys (:meth:`OptionMap.to_wire`); ``{}``: no map."""
        option_map = self._by_platform.get(platform)
        return option_map.to_wire(options, kind=kind) if option_map is not None else {}

    def neutral(self, platform: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """A body's ``platform`` options in neutral names (:meth:`OptionMap.neutral`), for emulators."""
        option_map = self._by_platform.get(platform)
        return option_map.neutral(data) if option_map is not None else {}

    @property
    def field_mapping(self) -> dict[str, dict[str, str]]:
        """Option class name → {neutral field: wire spelling}: what ``Adapter.field_mapping`` shows."""
        return {m.options.__name__: m.docs for m in self.options}
