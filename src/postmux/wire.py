"""The cattrs base every plugin's wire module builds its converter on.

cattrs' default converter is lenient in ways that would hide vendor bugs:
``"false"`` becomes ``True`` and ``"3"`` becomes ``3``. :func:`base_converter`
is strict about ``bool``, ``int``, ``float`` and ``str``, reads ISO 8601
datetimes (with ``Z`` or an offset) and writes them with their offset.

Each plugin makes its own converter from it (cattrs' advice: one converter
per data source) and describes its wire classes with :func:`configure`,
:func:`renamed` and :func:`inverted`; :func:`parse` and :func:`read_json` turn
whatever goes wrong into :class:`~postmux.ResponseError`.

cattrs itself is imported when a converter is first used, not when a plugin
is imported: :func:`base_converter` returns a :class:`Converter` that keeps
the hooks registered on it and makes the cattrs converter on the first
``structure`` or ``unstructure`` (importing cattrs was a sixth of
``import postmux`` + the first publisher; most programs make a publisher
before they read any answer).

A wire class whose body says ``__repr__ = fields_repr`` shows what attrs'
generated repr would, without attrs compiling one for it at import (see
:mod:`postmux._repr`); a subclass declared ``repr=False`` inherits it. So do
``__eq__ = fields_eq`` and ``__hash__ = fields_hash`` (:mod:`postmux._eq`)
for attrs' equality and hash; a subclass declared ``eq=False`` inherits them.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import attrs
import httpx

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .errors import ResponseError

if TYPE_CHECKING:
    import cattrs
    from cattrs.gen._consts import AttributeOverride

__all__ = [
    "Converter",
    "Override",
    "base_converter",
    "configure",
    "excerpt",
    "fields_eq",
    "fields_hash",
    "fields_repr",
    "find",
    "inverted",
    "json_of",
    "parse",
    "parse_datetime",
    "read_json",
    "renamed",
    "snake_keys",
]

T = TypeVar("T")


def _strict_bool(value: object, _: object) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {value!r}")


def _strict_int(value: object, _: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected a whole number, got {value!r}")


def _strict_float(value: object, _: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {value!r}")


def _strict_str(value: object, _: object) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {value!r}")


def parse_datetime(value: object, _: object = None, *, zone: str | None = None) -> datetime:
    """An ISO 8601 string as an aware datetime; a value without offset is read in ``zone``, else UTC.

    ``zone`` is an IANA name an answer gives beside a wall-clock time (``"timezone":
    "Europe/Paris"``); one Python's zone database does not know is taken as UTC.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        return parsed
    if zone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return parsed.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return parsed.replace(tzinfo=UTC)


def _format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("a naive datetime cannot be sent: its moment is ambiguous")
    return value.isoformat()


class Converter:
    """A strict cattrs converter, made (and cattrs imported) on first use.

    Registrations made before then are kept and applied in order; after, they
    go straight to the cattrs converter. :meth:`structure` and
    :meth:`unstructure` are cattrs' own; any other cattrs method is reached
    through :attr:`cattrs`.
    """

    def __init__(self) -> None:
        self._real: cattrs.Converter | None = None
        self._pending: list[tuple[str, tuple[Any, ...]]] = []
        self._lock = threading.Lock()

    @property
    def cattrs(self) -> cattrs.Converter:
        """The cattrs converter itself, made now if it is not yet."""
        real = self._real
        if real is None:
            with self._lock:
                if self._real is None:
                    self._real = _strict_cattrs(self._pending)
                    self._pending = []
                real = self._real
        return real

    def _register(self, method: str, *args: Any) -> None:
        with self._lock:
            if self._real is None:
                self._pending.append((method, args))
                return
        getattr(self._real, method)(*args)

    def register_structure_hook(self, cls: Any, hook: Callable[[Any, Any], Any]) -> None:
        """cattrs' ``register_structure_hook``."""
        self._register("register_structure_hook", cls, hook)

    def register_unstructure_hook(self, cls: Any, hook: Callable[[Any], Any]) -> None:
        """cattrs' ``register_unstructure_hook``."""
        self._register("register_unstructure_hook", cls, hook)

    def register_structure_hook_factory(
        self, predicate: Callable[[Any], bool], factory: Callable[[Any], Any]
    ) -> None:
        """cattrs' ``register_structure_hook_factory``."""
        self._register("register_structure_hook_factory", predicate, factory)

    def register_unstructure_hook_factory(
        self, predicate: Callable[[Any], bool], factory: Callable[[Any], Any]
    ) -> None:
        """cattrs' ``register_unstructure_hook_factory``."""
        self._register("register_unstructure_hook_factory", predicate, factory)

    def structure(self, obj: object, cl: type[T]) -> T:
        """``obj`` as an instance of ``cl`` (cattrs' ``structure``)."""
        real = self._real  # made already, for every answer but the first
        return (real if real is not None else self.cattrs).structure(obj, cl)

    def unstructure(self, obj: object, unstructure_as: Any = None) -> Any:
        """``obj`` as plain data (cattrs' ``unstructure``)."""
        return self.cattrs.unstructure(obj, unstructure_as=unstructure_as)


def _strict_cattrs(pending: list[tuple[str, tuple[Any, ...]]]) -> cattrs.Converter:
    import cattrs

    converter = cattrs.Converter()
    converter.register_structure_hook(bool, _strict_bool)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(datetime, parse_datetime)
    converter.register_unstructure_hook(datetime, _format_datetime)
    converter.register_structure_hook(Any, lambda v, _: v)
    converter.register_structure_hook_factory(_is_optional, functools.partial(_optional_hook, converter))
    for method, args in pending:
        getattr(converter, method)(*args)
    return converter


def _is_optional(t: Any) -> bool:
    """``X | None`` (or ``Optional[X]``): the commonest field type of an answer class."""
    args = getattr(t, "__args__", None)
    return (
        typing.get_origin(t) in (typing.Union, types.UnionType)
        and args is not None
        and len(args) == 2
        and type(None) in args
    )


def _optional_hook(converter: cattrs.Converter, union: Any) -> Callable[[Any, Any], Any]:
    """cattrs' own handling of ``X | None`` with ``X``'s hook found once, not looked up per value.

    (cattrs dispatches on ``X`` again for every value it structures: an
    answer's optional fields are most of its fields.) Same hook, same errors.
    """
    first, second = union.__args__
    other = first if second is type(None) else second
    inner = converter.get_structure_hook(other)
    if inner is _strict_str:  # the commonest of all: one call a field, not two
        return _optional_str

    def structure(value: Any, _: Any) -> Any:
        return None if value is None else inner(value, other)

    return structure


def _optional_str(value: object, _: object) -> str | None:
    """``_strict_str`` of a ``str | None`` field, ``None`` let by: the same answers and errors."""
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {value!r}")


def base_converter() -> Converter:
    """A new strict converter; plugins register their own classes on it."""
    return Converter()


class Override(NamedTuple):
    """How one field of a wire class differs on the wire: cattrs' ``override``, made when it is used.

    A NamedTuple, not an attrs class: defined at every import, used only by a converter.
    """

    rename: str | None = None
    omit_if_default: bool | None = None
    struct_hook: Callable[[Any, Any], Any] | None = None
    unstruct_hook: Callable[[Any], Any] | None = None

    def for_cattrs(self) -> AttributeOverride:
        """The cattrs ``AttributeOverride`` this describes."""
        from cattrs.gen import override

        return override(
            omit_if_default=self.omit_if_default,
            rename=self.rename,
            struct_hook=self.struct_hook,
            unstruct_hook=self.unstruct_hook,
        )


def renamed(wire_name: str) -> Override:
    """A field spelled ``wire_name`` on the wire."""
    return Override(rename=wire_name)


def inverted(wire_name: str) -> Override:
    """A boolean with the opposite meaning on the wire (``allow_comment`` ⇄ ``disableComment``)."""
    return Override(
        rename=wire_name,
        unstruct_hook=lambda value: not value,
        struct_hook=lambda value, _: not _strict_bool(value, bool),
    )


def configure(
    converter: Converter | cattrs.Converter,
    cls: type[Any],
    *,
    omit_none: bool = True,
    **overrides: Override,
) -> None:
    """Register structure and unstructure hooks for ``cls`` with its renames.

    With ``omit_none`` a field left at its default ``None`` is left out of the
    body, since a ``null`` is a value to most vendors. A field with any other
    default (``draft: bool = False``) is always sent: a neutral default left
    out would let the vendor's own default apply.
    """
    unstructure = dict(overrides)
    if omit_none:
        for field in attrs.fields(cls):
            if field.default is None:
                base = unstructure.get(field.name, Override())
                unstructure[field.name] = base._replace(omit_if_default=True)

    def is_cls(t: object) -> bool:
        return t is cls

    def unstructure_fn(_: object) -> Any:
        from cattrs.gen import make_dict_unstructure_fn

        real = converter.cattrs if isinstance(converter, Converter) else converter
        made = {name: o.for_cattrs() for name, o in unstructure.items()}
        return make_dict_unstructure_fn(cls, real, _cattrs_omit_if_default=False, **made)  # type: ignore[arg-type]

    def structure_fn(_: object) -> Any:
        from cattrs.gen import make_dict_structure_fn

        real = converter.cattrs if isinstance(converter, Converter) else converter
        made = {name: o.for_cattrs() for name, o in overrides.items()}
        return make_dict_structure_fn(cls, real, **made)  # type: ignore[arg-type]

    # made on first use, not at import: generating the code of a plugin's
    # twenty-odd classes costs more than importing the plugin
    converter.register_unstructure_hook_factory(is_cls, unstructure_fn)
    converter.register_structure_hook_factory(is_cls, structure_fn)


def excerpt(data: object, limit: int = 2000) -> str:
    """``data`` as JSON (else its ``repr``), cut at ``limit``: what an error keeps of an answer."""
    try:
        return json.dumps(data)[:limit]
    except (TypeError, ValueError):
        return repr(data)[:limit]


def find(data: Any, want: Callable[[Any], bool], *, under: Sequence[str], depth: int = 4) -> Any:
    """The first value ``want`` accepts in an answer whose shape the vendor does not document.

    ``data`` itself first, then, level by level, the values at the keys
    ``under`` (in their order) of every object met, ``depth`` levels down at
    most; ``None`` when none fits. For a list that may be the body or sit under
    ``items`` or ``data.jobs``, or an object that may be wrapped once or twice::

        find(body, lambda v: isinstance(v, list), under=("items", "data", "jobs"))
    """
    level = [data]
    for _ in range(depth + 1):
        for value in level:
            if want(value):
                return value
        level = [node[key] for node in level if isinstance(node, Mapping) for key in under if key in node]
    return None


def json_of(text: str | bytes | None) -> Any:
    """The JSON ``text`` holds, or ``None`` when it holds none (empty, cut short, an HTML page…).

    For a body read apart from :func:`read_json`: an error's kept ``body``, a
    token endpoint's answer, where anything but JSON simply says nothing more.
    """
    try:
        return json.loads(text) if text else None
    except (ValueError, RecursionError):
        return None


MAX_JSON_BYTES = 64 * 1024 * 1024
"""The largest answer read as JSON: no vendor sends anything near it, and a flood is refused unread."""

MAX_JSON_DEPTH = 64
"""How deep an answer may nest: no vendor's schema comes near; deeper would end in a RecursionError."""


def read_json(response: httpx.Response, *, provider: str) -> Any:
    """The body as JSON, or :class:`ResponseError` for HTML, empty, broken, huge or too deep bodies."""
    content = response.content
    status = response.status_code
    if len(content) > MAX_JSON_BYTES:
        raise ResponseError(
            f"HTTP {status} answered {len(content)} bytes where JSON was expected (at most {MAX_JSON_BYTES})",
            provider=provider,
            body=content[:2000].decode("utf-8", "replace"),
        )
    try:
        data = json.loads(content)  # bytes: json detects UTF-8/16/32, no charset sniffing
    except RecursionError:
        data = _TOO_DEEP
    except ValueError:
        text = response.text
        kind = "an HTML page" if text.lstrip()[:1] == "<" else "a body that is not JSON"
        if not text.strip():
            kind = "an empty body"
        raise ResponseError(
            f"HTTP {status} answered {kind} where JSON was expected",
            provider=provider,
            body=text,
        ) from None
    if data is _TOO_DEEP or (_may_nest(content) and _too_deep(data)):
        raise ResponseError(
            f"HTTP {status} answered JSON nested deeper than {MAX_JSON_DEPTH} levels",
            provider=provider,
            body=content[:2000].decode("utf-8", "replace"),
        )
    return data


_TOO_DEEP = object()


def _may_nest(content: bytes) -> bool:
    """A quick bound: fewer brackets than the depth limit cannot nest too deep."""
    return content.count(b"[") + content.count(b"{") > MAX_JSON_DEPTH


def _too_deep(data: object) -> bool:
    """True when ``data`` nests deeper than :data:`MAX_JSON_DEPTH` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def parse(
    converter: Converter | cattrs.Converter,
    data: object,
    cls: type[T],
    *,
    provider: str,
    what: str | None = None,
) -> T:
    """``data`` structured as ``cls``; a missing or mistyped field is a :class:`ResponseError`."""
    try:
        return converter.structure(data, cls)
    except Exception as exc:  # cattrs raises exception groups and plain errors alike
        try:
            detail = "; ".join(_messages(exc)) or type(exc).__name__
            body = json.dumps(data)[:2000] if _jsonable(data) else repr(data)[:2000]
        except RecursionError:  # data nested too deep to show: the error says so, never more
            detail, body = "the data is nested too deeply", None
        raise ResponseError(
            f"cannot read {what or cls.__name__} from the response: {detail}",
            provider=provider,
            body=body,
        ) from None


def _messages(exc: BaseException) -> list[str]:
    import cattrs  # loaded already: the converter that raised is a cattrs one

    if isinstance(exc, cattrs.ClassValidationError | cattrs.IterableValidationError):
        notes = cattrs.transform_error(exc)
        return list(notes)
    if isinstance(exc, KeyError):
        return [f"missing field {exc.args[0]!r}"]
    return [str(exc)]


def _jsonable(data: object) -> bool:
    return isinstance(data, Mapping | list | str | int | float | bool) or data is None


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake_keys(value: Any) -> Any:
    """``value`` with every object key in snake_case (``privacyLevelOptions`` → ``privacy_level_options``)."""
    if isinstance(value, dict):
        return {_CAMEL.sub(r"_\1", str(k)).lower(): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value
