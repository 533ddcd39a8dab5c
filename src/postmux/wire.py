"""The cattrs base every plugin's wire module builds its converter on.

cattrs' default converter is lenient in ways that would hide vendor bugs:
``"false"`` becomes ``True`` and ``"3"`` becomes ``3``. :func:`base_converter`
is strict about ``bool``, ``int``, ``float`` and ``str``, reads ISO 8601
datetimes (with ``Z`` or an offset) and writes them with their offset.

Each plugin makes its own converter from it (cattrs' advice: one converter
per data source) and describes its wire classes with :func:`configure`,
:func:`renamed` and :func:`inverted`; :func:`parse` and :func:`read_json` turn
whatever goes wrong into :class:`~postmux.ResponseError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs
import cattrs
import httpx
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.gen._consts import AttributeOverride

from .errors import ResponseError

__all__ = [
    "base_converter",
    "configure",
    "inverted",
    "parse",
    "parse_datetime",
    "read_json",
    "renamed",
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


def parse_datetime(value: object, _: object = None) -> datetime:
    """An ISO 8601 string as an aware datetime; a value without offset is taken as UTC."""
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {value!r}")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("a naive datetime cannot be sent: its moment is ambiguous")
    return value.isoformat()


def base_converter() -> cattrs.Converter:
    """A new strict converter; plugins register their own classes on it."""
    converter = cattrs.Converter()
    converter.register_structure_hook(bool, _strict_bool)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(datetime, parse_datetime)
    converter.register_unstructure_hook(datetime, _format_datetime)
    converter.register_structure_hook(Any, lambda v, _: v)
    return converter


def renamed(wire_name: str) -> AttributeOverride:
    """A field spelled ``wire_name`` on the wire."""
    return override(rename=wire_name)


def inverted(wire_name: str) -> AttributeOverride:
    """A boolean with the opposite meaning on the wire (``allow_comment`` ⇄ ``disableComment``)."""
    return override(
        rename=wire_name,
        unstruct_hook=lambda value: not value,
        struct_hook=lambda value, _: not _strict_bool(value, bool),
    )


def configure(
    converter: cattrs.Converter,
    cls: type[Any],
    *,
    omit_none: bool = True,
    **overrides: AttributeOverride,
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
                base = unstructure.get(field.name, override())
                unstructure[field.name] = attrs.evolve(base, omit_if_default=True)

    def is_cls(t: object) -> bool:
        return t is cls

    # made on first use, not at import: generating the code of a plugin's
    # twenty-odd classes costs more than importing the plugin
    converter.register_unstructure_hook_factory(
        is_cls,
        lambda _: make_dict_unstructure_fn(
            cls,
            converter,
            _cattrs_omit_if_default=False,
            **unstructure,  # type: ignore[arg-type]
        ),
    )
    converter.register_structure_hook_factory(
        is_cls,
        lambda _: make_dict_structure_fn(cls, converter, **overrides),  # type: ignore[arg-type]
    )


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
    converter: cattrs.Converter,
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
    if isinstance(exc, cattrs.ClassValidationError | cattrs.IterableValidationError):
        notes = cattrs.transform_error(exc)
        return list(notes)
    if isinstance(exc, KeyError):
        return [f"missing field {exc.args[0]!r}"]
    return [str(exc)]


def _jsonable(data: object) -> bool:
    return isinstance(data, Mapping | list | str | int | float | bool) or data is None
