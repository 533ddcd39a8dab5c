"""Fault plans: what the emulators do wrong, where, and how often — deterministically.

A plan is a list of :class:`Fault` rules. Each names a kind of failure, an
optional scope (provider, method, path glob) and optional limits, and is
written the same way in Python and on the command line::

    wahdx:POST /api/content/post=drop-after          # the post is made; the client sees nothing
    429:retry-after=2                                # every route, every emulator
    latency=200ms±50                                 # jitter drawn from the seeded RNG; bare numbers are ms
    wonda:GET /jobs/*=stuck                          # scope globs match the path, with or without base path
    postpeer:POST /v1/posts=503:times=1              # only the first matching request
    wahdx:POST /api/content/post=500:after=2:times=1 # the third matching request only
    *:publish=drop-after                             # every emulator's publish routes, by role
    wonda:upload=503:times=1                         # roles: publish, status, upload, accounts

Modifiers come after ``:``, each ``key=value``, separated by ``:`` or ``,``
(``500:after=2:times=1`` is ``500:after=2,times=1``): ``times=N`` (fire on N
matching requests, then stop), ``after=N`` (let N matching requests through
first), ``p=0.25`` (fire with this probability, drawn from the seeded RNG),
``retry-after=N`` (429 and 503), ``status=N`` (``html``), ``reason=…``
(``fail``). Several rules are separated by ``;`` or given one per
``--faults`` option. docs/sandbox-and-cli.md has the whole table.

This module needs no web framework: the command line parses plans before it
decides whether to start anything.
"""

from __future__ import annotations

import enum
import fnmatch
import random
import re
import threading
from collections.abc import Iterable, Iterator, Sequence

import attrs

__all__ = ["ROLES", "Fault", "FaultKind", "FaultPlan", "FaultSyntaxError", "parse_faults"]

ROLES = ("publish", "status", "upload", "accounts")
"""What a route is for, vendor-neutrally: a rule scoped ``*:publish`` hits every emulator's
publish routes. Each emulator names its routes per role (:attr:`Emulator.route_roles`)."""


class FaultSyntaxError(ValueError):
    """A fault rule that cannot be read; the message says which and why."""


class FaultKind(enum.StrEnum):
    """What goes wrong."""

    LATENCY = "latency"
    """Wait before answering (``latency=200ms±50``)."""
    RATE_LIMIT = "429"
    """429 with ``Retry-After`` (``retry-after=N`` seconds, default 1), in the vendor's error shape."""
    SERVER_ERROR = "500"
    BAD_GATEWAY = "502"
    UNAVAILABLE = "503"
    """503, with ``Retry-After`` only when ``retry-after=N`` is given."""
    DROP_BEFORE = "drop-before"
    """Close the connection before the request is processed: nothing happened."""
    DROP_AFTER = "drop-after"
    """Process the request, then close the connection: it happened, the client saw nothing."""
    HTML = "html"
    """An HTML error page from a "proxy" (``status=N``, default 502), before processing."""
    TRUNCATED = "truncated"
    """Process the request, then answer with its JSON cut in half."""
    STUCK = "stuck"
    """Publications made by the request never leave ``processing``."""
    FAIL = "fail"
    """Publications made by the request end ``failed`` (``reason=…``)."""

    @property
    def is_status(self) -> bool:
        """True for the kinds that answer with an error status of the vendor's own shape."""
        return self in (
            FaultKind.RATE_LIMIT,
            FaultKind.SERVER_ERROR,
            FaultKind.BAD_GATEWAY,
            FaultKind.UNAVAILABLE,
        )

    @property
    def marks_publication(self) -> bool:
        """True for the kinds the emulator applies to what it creates, not to the HTTP exchange."""
        return self in (FaultKind.STUCK, FaultKind.FAIL)


_ALIASES = {
    "drop": FaultKind.DROP_BEFORE,
    "drop_before": FaultKind.DROP_BEFORE,
    "drop_after": FaultKind.DROP_AFTER,
    "rate-limit": FaultKind.RATE_LIMIT,
    "truncate": FaultKind.TRUNCATED,
    "truncated-json": FaultKind.TRUNCATED,
    "slow": FaultKind.LATENCY,
}
_KINDS = {k.value: k for k in FaultKind} | _ALIASES
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
_MODIFIER_SEPARATOR = re.compile(r"[,:](?=\s*[A-Za-z][\w-]*\s*=)")
"""Between modifiers: ``,`` or ``:``, each only before the next ``key=`` (a ``reason`` may hold either)."""
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"})


def _seconds(text: str, default_unit: str = "ms") -> float:
    match = _DURATION.match(text)
    if match is None:
        raise FaultSyntaxError(f"not a duration: {text!r} (write 200ms, 0.5s or 200)")
    value = float(match.group(1))
    unit = match.group(2) or default_unit
    return value / 1000 if unit == "ms" else value


@attrs.define(slots=True, kw_only=True)
class Fault:
    """One rule: ``kind`` on requests matching ``provider``, ``method`` and ``path``.

    ``path`` is a glob (``/api/content/*``) matched against the request path
    both with and without the emulator's base path; ``role`` (one of
    :data:`ROLES`) matches the routes the emulator declares for it. ``latency``/``jitter`` are
    seconds; ``retry_after`` seconds for 429 and 503; ``status`` for HTML
    pages; ``reason`` the failure reason for ``fail``.
    """

    kind: FaultKind
    provider: str | None = None
    method: str | None = None
    path: str | None = None
    role: str | None = None
    times: int | None = None
    after: int = 0
    probability: float = 1.0
    latency: float = 0.0
    jitter: float = 0.0
    retry_after: float | None = None
    status: int | None = None
    reason: str | None = None
    seen: int = attrs.field(default=0, eq=False)
    fired: int = attrs.field(default=0, eq=False)

    def matches(self, provider: str, method: str, paths: Iterable[str], roles: Iterable[str] = ()) -> bool:
        """True when the rule's scope covers this request (limits are not consulted).

        ``roles`` are the roles the emulator gives the request's route.
        """
        if self.provider is not None and self.provider != provider:
            return False
        if self.role is not None and self.role not in roles:
            return False
        if self.method not in (None, "*") and self.method != method.upper():
            return False
        if self.path is None:
            return True
        return any(fnmatch.fnmatchcase(p, self.path) for p in paths)

    def delay(self, rng: random.Random) -> float:
        """The latency for one request: ``latency ± jitter``, never negative."""
        if self.jitter <= 0:
            return self.latency
        return max(0.0, self.latency + rng.uniform(-self.jitter, self.jitter))

    def __str__(self) -> str:
        scope = " ".join(x for x in (self.method, self.path) if x)
        if self.role:
            scope = f"{self.role} {scope}".strip()
        if self.provider:
            scope = f"{self.provider}:{scope}" if scope else f"{self.provider}:*"
        elif self.role:
            scope = f"*:{scope}"
        if self.kind is FaultKind.LATENCY:
            body = f"latency={self.latency * 1000:g}ms" + (
                f"±{self.jitter * 1000:g}ms" if self.jitter else ""
            )
        else:
            body = self.kind.value
        params = []
        if self.retry_after is not None:
            params.append(f"retry-after={self.retry_after:g}")
        if self.status is not None and self.kind is FaultKind.HTML:
            params.append(f"status={self.status}")
        if self.reason:
            params.append(f"reason={self.reason}")
        if self.times is not None:
            params.append(f"times={self.times}")
        if self.after:
            params.append(f"after={self.after}")
        if self.probability < 1:
            params.append(f"p={self.probability:g}")
        text = body + (":" + ",".join(params) if params else "")
        return f"{scope}={text}" if scope else text


def _parse_scope(text: str) -> dict[str, str | None]:
    scope: dict[str, str | None] = {"provider": None, "method": None, "path": None, "role": None}
    rest = text.strip()
    if not rest:
        return scope
    head, sep, tail = rest.partition(":")
    if sep and head.strip() == "*":  # every provider: *:publish
        rest = tail.strip()
    elif sep and not head.startswith("/") and " " not in head and head.upper() not in _METHODS:
        scope["provider"] = head.strip().lower() or None
        rest = tail.strip()
    parts = rest.split()
    for part in parts:
        if part.startswith("/"):
            scope["path"] = part
        elif part.upper() in _METHODS:
            scope["method"] = part.upper()
        elif part == "*":
            continue
        elif part.lower() in ROLES:
            scope["role"] = part.lower()
        else:
            raise FaultSyntaxError(
                f"cannot read the scope {text!r}: expected [provider:][METHOD ][/path] or "
                f"[provider:]ROLE with a role among {', '.join(ROLES)}"
            )
    return scope


def _split_rule(rule: str) -> tuple[str, str]:
    """(scope, fault) from ``[scope=]fault``; the fault begins with a known kind."""
    text = rule.strip()
    lowered = text.lower()
    for name in sorted(_KINDS, key=len, reverse=True):
        if lowered.startswith(name) and lowered[len(name) : len(name) + 1] in ("", ":", "="):
            return "", text
    for match in re.finditer("=", text):
        tail = lowered[match.end() :]
        for name in sorted(_KINDS, key=len, reverse=True):
            if tail.startswith(name) and tail[len(name) : len(name) + 1] in ("", ":", "="):
                return text[: match.start()], text[match.end() :]
    kinds = ", ".join(k.value for k in FaultKind)
    raise FaultSyntaxError(f"no fault kind in {rule!r}; kinds: {kinds}")


def _parse_one(rule: str) -> Fault:
    scope_text, fault_text = _split_rule(rule)
    scope = _parse_scope(scope_text)
    lowered = fault_text.lower()
    name = next(
        n
        for n in sorted(_KINDS, key=len, reverse=True)
        if lowered.startswith(n) and lowered[len(n) : len(n) + 1] in ("", ":", "=")
    )
    kind = _KINDS[name]
    rest = fault_text[len(name) :]
    fault = Fault(
        kind=kind, provider=scope["provider"], method=scope["method"], path=scope["path"], role=scope["role"]
    )
    if rest.startswith("="):  # latency=200ms±50, or 429=… written loosely
        value, _, params = rest[1:].partition(":")
        if kind is not FaultKind.LATENCY:
            raise FaultSyntaxError(f"{rule!r}: only latency takes a value after '='; use {name}:key=value")
        base, _, spread = value.replace("+-", "±").partition("±")
        fault.latency = _seconds(base)
        fault.jitter = _seconds(spread) if spread else 0.0  # a bare number is milliseconds
        rest = ":" + params if params else ""
    if rest.startswith(":"):
        for item in filter(None, (p.strip() for p in _MODIFIER_SEPARATOR.split(rest[1:]))):
            key, eq, value = item.partition("=")
            if not eq:
                raise FaultSyntaxError(f"{rule!r}: expected key=value, got {item!r}")
            _apply(fault, key.strip().lower(), value.strip(), rule)
    elif rest:
        raise FaultSyntaxError(f"cannot read {rule!r} after the kind {name!r}")
    if kind is FaultKind.LATENCY and fault.latency <= 0 and fault.jitter <= 0:
        raise FaultSyntaxError(f"{rule!r}: latency needs a duration, e.g. latency=200ms±50")
    return fault


def _apply(fault: Fault, key: str, value: str, rule: str) -> None:
    try:
        if key in ("retry-after", "retry_after"):
            fault.retry_after = float(value)
        elif key == "times":
            fault.times = int(value)
        elif key == "after":
            fault.after = int(value)
        elif key in ("p", "probability"):
            fault.probability = float(value)
            if not 0 <= fault.probability <= 1:
                raise FaultSyntaxError(f"{rule!r}: p must be between 0 and 1")
        elif key == "status":
            fault.status = int(value)
            if not 100 <= fault.status <= 599:  # another is no HTTP status: the page could not be sent
                raise FaultSyntaxError(f"{rule!r}: status must be an HTTP status, 100 to 599")
        elif key == "reason":
            fault.reason = value
        elif key in ("ms", "latency"):
            fault.latency = _seconds(value)
        elif key == "jitter":
            fault.jitter = _seconds(value)
        else:
            raise FaultSyntaxError(f"{rule!r}: unknown parameter {key!r}")
    except ValueError as exc:
        if isinstance(exc, FaultSyntaxError):
            raise
        raise FaultSyntaxError(f"{rule!r}: {key}={value!r} is not a number") from None


def parse_faults(text: str | Sequence[str]) -> list[Fault]:
    """Every rule in ``text`` (rules separated by ``;``, or a list of them)."""
    items = [text] if isinstance(text, str) else list(text)
    rules = [r for item in items for r in item.split(";") if r.strip()]
    return [_parse_one(r) for r in rules]


class FaultPlan:
    """The rules one emulator applies, with their counters, safe to use from any thread."""

    def __init__(self, faults: Iterable[Fault] | str = ()) -> None:
        self._lock = threading.Lock()
        self.faults: list[Fault] = parse_faults(faults) if isinstance(faults, str) else list(faults)

    def add(self, *faults: Fault | str) -> None:
        """Add rules (objects, or text in the rule syntax)."""
        new: list[Fault] = []
        for fault in faults:
            new.extend(parse_faults(fault) if isinstance(fault, str) else [fault])
        with self._lock:
            self.faults.extend(new)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self.faults.clear()

    def remove(self, rule: Fault | str) -> int:
        """Remove the rules equal to ``rule`` (an object, or one rule in the syntax); how many went."""
        wanted = parse_faults(rule) if isinstance(rule, str) else [rule]
        with self._lock:
            kept = [f for f in self.faults if f not in wanted]
            removed = len(self.faults) - len(kept)
            self.faults[:] = kept
        return removed

    def pick(
        self,
        provider: str,
        method: str,
        paths: Sequence[str],
        rng: random.Random,
        roles: Iterable[str] = (),
    ) -> list[Fault]:
        """The rules that fire for one request: every latency, then at most one other kind.

        Counting (``after``, ``times``) and the probability draw happen here, once
        per request, under a lock, so a seeded plan fires the same way every run
        given the same sequence of requests.
        """
        chosen: list[Fault] = []
        action: Fault | None = None
        with self._lock:
            for fault in self.faults:
                if not fault.matches(provider, method, paths, roles):
                    continue
                if fault.kind is not FaultKind.LATENCY and action is not None:
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.times is not None and fault.fired >= fault.times:
                    continue
                if fault.probability < 1 and rng.random() >= fault.probability:
                    continue
                fault.fired += 1
                if fault.kind is FaultKind.LATENCY:
                    chosen.append(fault)
                else:
                    action = fault
        return [*chosen, action] if action is not None else chosen

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            items = list(self.faults)
        return iter(items)

    def __len__(self) -> int:
        return len(self.faults)
