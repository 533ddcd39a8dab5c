"""The control route of a running sandbox: add, list and clear faults, settle, move time.

It lives on the sandbox's media host (the one origin that belongs to the
sandbox and to no vendor), under ``/_postmux/``, so ``postmux faults add`` can
change a ``postmux sandbox`` started in another terminal::

    GET    /_postmux/faults              → {"faults": ["wahdx:POST /api/content/post=503", …]}
    POST   /_postmux/faults              {"rules": ["*:publish=drop-after"]} → the list after
    DELETE /_postmux/faults              {"rules": [...]} removes those; no body removes every rule
    POST   /_postmux/settle              → {"settled": N}: emulated processing finished at once
    POST   /_postmux/advance             {"seconds": 60} → the emulators' clock moved forward

Every call needs ``Authorization: Bearer <token>``, the sandbox's
:attr:`~postmux.sandbox.Sandbox.control_token`, which ``postmux sandbox``
writes to its state file (mode 0600): another user of the machine cannot
change the faults of your sandbox. A bad rule is a 400 naming it, and changes
nothing.
"""

from __future__ import annotations

import json
import math
import secrets
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ConfigurationError
from .faults import FaultSyntaxError, parse_faults
from .middleware import json_bytes

if TYPE_CHECKING:
    from .server import Sandbox

__all__ = ["CONTROL_PREFIX", "ControlApp"]

CONTROL_PREFIX = "/_postmux/"


class ControlApp:
    """The media host's app (``fallback``), with the control routes in front of it."""

    def __init__(self, sandbox: Sandbox, fallback: Any) -> None:
        self.sandbox = sandbox
        self.fallback = fallback

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(CONTROL_PREFIX):
            await self.fallback(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self._handle(request)
        await response(scope, receive, send)

    async def _handle(self, request: Request) -> Response:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {self.sandbox.control_token}"
        if not secrets.compare_digest(given.encode(), expected.encode()):
            return _json({"error": "the control route needs the sandbox's control token"}, 401)
        action = request.url.path[len(CONTROL_PREFIX) :].rstrip("/")
        method = request.method
        try:
            if action == "faults" and method == "GET":
                return self._faults()
            if action == "faults" and method == "POST":
                rules = await _rules(request)
                if not rules:
                    return _json({"error": "rules: give at least one fault rule"}, 400)
                self.sandbox.inject(*rules)
                return self._faults()
            if action == "faults" and method == "DELETE":
                rules = await _rules(request)
                removed = sum(self.sandbox.remove_fault(r) for r in rules) if rules else None
                if removed is None:
                    self.sandbox.clear_faults()
                return _json({"removed": removed, "faults": self.sandbox.faults()})
            if action == "settle" and method == "POST":
                return _json({"settled": self.sandbox.settle()})
            if action == "advance" and method == "POST":
                body = await _body(request)
                asked = body.get("seconds")
                seconds = _seconds(asked)
                if seconds is None:
                    return _json({"error": "seconds: a finite number of seconds, 0 or more"}, 400)
                self.sandbox.advance(seconds)
                return _json({"advanced": asked})
        except (FaultSyntaxError, ConfigurationError, ValueError) as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"error": f"no control route {method} {request.url.path}"}, 404)

    def _faults(self) -> Response:
        return _json({"faults": self.sandbox.faults()})


def _seconds(value: object) -> float | None:
    """``value`` as seconds to move the clock by; ``None`` unless a finite number, 0 or more.

    JSON reads ``NaN``, ``Infinity`` and ``1e400``: a clock moved by one would stay broken."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer past any float
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ValueError('the body must be JSON, e.g. {"rules": ["*:publish=503"]}') from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


async def _rules(request: Request) -> list[str]:
    rules = (await _body(request)).get("rules", [])
    if isinstance(rules, str):
        rules = [rules]
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise ValueError("rules: a list of fault rules in the rule syntax")
    parse_faults(rules)  # every rule readable before any is applied
    return list(rules)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status, media_type="application/json")
