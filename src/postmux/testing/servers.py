"""A loopback HTTP service that records every hit, for any plugin's media-fetch tests.

A plugin that downloads media (to upload it to a vendor that takes no URLs)
must refuse what the publisher's :class:`~postmux.FetchPolicy` refuses. Its
tests need a real server on ``127.0.0.1`` to aim at — the "internal service"
an attacker would want reached, or an allowed CDN that redirects there — and
to see afterwards whether it was hit. This is that server; it needs only the
standard library, so an out-of-tree plugin's tests use it as the bundled ones do::

    with InternalService() as internal:
        ...publish a post whose media is f"{internal.origin}/clip.mp4"...
    assert internal.hits == []
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

__all__ = ["VIDEO", "Answer", "InternalService"]

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 1000
"""A few bytes that start like an MP4: what the service answers by default."""


@attrs.frozen
class Answer:
    """What the internal service answers on one path."""

    status: int = 200
    headers: Mapping[str, str] = attrs.field(factory=lambda: {"Content-Type": "video/mp4"})
    body: bytes = VIDEO
    length: bool = True


class InternalService:
    """A real HTTP server on 127.0.0.1 that records every hit: the service an attacker wants reached."""

    def __init__(self, routes: Mapping[str, Answer] | None = None) -> None:
        self.routes: dict[str, Answer] = dict(routes or {"/clip.mp4": Answer()})
        self.hits: list[tuple[str, str]] = []
        service = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.hits.append((self.path, self.headers.get("Host", "")))
                answer = service.routes.get(self.path, Answer(404, {"Content-Type": "text/plain"}, b"no"))
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.length:
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> InternalService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
