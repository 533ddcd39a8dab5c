"""A scripted PostPeer behind ``httpx.MockTransport`` that checks every request against the spec.

A test queues answers per (method, path); the fake records each request,
counts calls, and notes any body the plugin's PostPeer schema refuses. Violations are
noted rather than only raised, because a publish turns exceptions into
per-target results: the ``fake`` fixture fails the test at teardown instead.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import httpx

from .spec import Spec

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON answer (or a text one, for a ``str`` body)."""
    if isinstance(body, str):
        return httpx.Response(status, text=body, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


class FakePostPeer:
    """Answers queued per ``(METHOD, path)``; anything unscripted is a 599 and a violation."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.requests: list[httpx.Request] = []
        self.violations: list[str] = []
        self._answers: dict[tuple[str, str], deque[Answer]] = defaultdict(deque)

    def on(self, method: str, url_or_path: str, *answers: Answer) -> FakePostPeer:
        """Queue answers; a path is under the PostPeer base, a full URL is another host."""
        key = (method.upper(), httpx.URL(url_or_path).path if "://" in url_or_path else url_or_path)
        self._answers[key].extend(answers)
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.violations += self.spec.check_request(request)
        queue = self._answers.get((request.method, request.url.path))
        if not queue:
            self.violations.append(f"unscripted request {request.method} {request.url}")
            return httpx.Response(599, json={"error": "unscripted"})
        reply = queue.popleft()
        return reply(request) if callable(reply) else reply

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    @property
    def calls(self) -> int:
        return len(self.requests)

    def bodies(self, method: str, path: str) -> list[Any]:
        """The JSON bodies sent to one endpoint, in order."""
        return [
            json.loads(r.content)
            for r in self.requests
            if r.method == method and r.url.path == path and r.content
        ]
