"""A fast loopback HTTP/1.1 server answering like the vendors, in its own process.

A benchmark server must never be the bottleneck, or it hides what the client
costs (the standard library's threaded server takes about 0.8 ms a request).
This one is a raw :class:`asyncio.Protocol`: it parses only the request line,
``Content-Length`` and the body it needs, answers with the documented bodies
of :mod:`benchmarks.answers`, streams uploads to nowhere without holding
them, and can wait a fixed latency before each answer (``call_later``, so a
thousand waiting requests cost it nothing).

Run it with :class:`BenchServer` (a context manager that starts
``python -m benchmarks.server`` and stops it); the child exits when its stdin
closes, so it never outlives the benchmark. Control routes under ``/_bench/``
set the latency and the PostPeer post size and read the request and byte
counts and the last body posted to each path; the benchmarks' own requests go everywhere else. Loopback only.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from benchmarks import answers

__all__ = ["ROOT", "BenchServer"]

ROOT = Path(__file__).resolve().parent.parent
"""The repository: where ``python -m benchmarks…`` finds this package."""

_REASONS = {200: "OK", 204: "No Content", 404: "Not Found", 411: "Length Required"}
_KEEP_BODY = 1 << 20
"""Bodies up to this size are kept (JSON); larger ones (uploads) are counted and dropped."""


class _State:
    """What every connection shares: settings and counters."""

    def __init__(self) -> None:
        self.latency = 0.0
        self.postpeer_targets = 1
        self.postpeer_publishing = False
        self.media_size = 1 << 20
        self.requests = 0
        self.body_bytes = 0
        self.connections = 0
        self.origin = ""
        self.bodies: dict[str, str] = {}
        """The last kept body of each POST path (latin-1): what a baseline by hand sends again."""


STATE = _State()


def _response(status: int, body: bytes = b"", content_type: str = "application/json") -> bytes:
    head = f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\nContent-Length: {len(body)}\r\n"
    if body:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + body


_STATIC = {
    ("POST", "/api/content/post"): _response(200, answers.dumps(answers.WAHDX_PUBLISH)),
    ("POST", "/api/v1/publish/tiktok"): _response(200, answers.dumps(answers.WONDA_PUBLISH)),
    ("POST", "/api/v1/media/upload"): _response(200, answers.dumps(answers.WONDA_UPLOAD)),
    ("POST", "/_bench/ping"): _response(200, b"{}"),
}
_JOB_DONE = _response(200, answers.dumps(answers.WONDA_JOB_DONE))
_EMPTY = _response(200)
_MEDIA_CHUNK = b"\0" * (1 << 20)


def _answer(method: str, path: str, body: bytes) -> bytes | None:
    """The bytes to send for one request; ``None`` for a streamed media download."""
    path = path.split("?", 1)[0]
    static = _STATIC.get((method, path))
    if static is not None:
        return static
    if method == "PUT":  # a presigned upload or the bare baseline PUT: stored nowhere
        return _EMPTY
    if method == "GET" and path.startswith("/api/v1/jobs/publish/"):
        return _JOB_DONE
    if method == "GET" and path.startswith("/media/"):
        return None
    if method == "POST" and path == "/api/content/status/batch":
        return _response(200, answers.dumps(answers.wahdx_batch(json.loads(body)["checks"])))
    if method == "POST" and path == "/v1/posts":
        n = STATE.postpeer_targets
        made = answers.postpeer_publishing(n) if STATE.postpeer_publishing else answers.POSTPEER_PUBLISH
        return _response(200, answers.dumps(made))
    if method == "GET" and path.startswith("/v1/posts/"):
        detail = answers.postpeer_detail(path.rsplit("/", 1)[1], STATE.postpeer_targets)
        return _response(200, answers.dumps(detail))
    if method == "POST" and path == "/v1/media/upload":
        return _response(200, answers.dumps(answers.postpeer_upload_url(STATE.origin)))
    if path.startswith("/_bench/"):
        return _control(method, path, body)
    return _response(404, b'{"error":"not found"}')


def _control(method: str, path: str, body: bytes) -> bytes:
    if method == "POST" and path == "/_bench/config":
        for name, value in json.loads(body).items():
            setattr(STATE, name, value)
        return _response(200, b"{}")
    if path == "/_bench/bodies":
        return _response(200, answers.dumps(STATE.bodies))
    stats = {"requests": STATE.requests, "body_bytes": STATE.body_bytes, "connections": STATE.connections}
    if path == "/_bench/reset":
        STATE.requests = STATE.body_bytes = STATE.connections = 0
    return _response(200, answers.dumps(stats))


class _Connection(asyncio.Protocol):
    """One keep-alive connection: request line, headers, a ``Content-Length`` body, an answer."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.left = -1  # body bytes still to come; -1 while reading headers
        self.method = self.path = ""
        self.body = bytearray()
        self.keep = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        STATE.connections += 1

    def data_received(self, data: bytes) -> None:
        if self.left > 0 and not self.keep and not self.buffer:  # an upload: count and drop
            take = min(self.left, len(data))
            self.left -= take
            STATE.body_bytes += take
            data = data[take:]
            if self.left == 0:
                self._finish()
            if not data:
                return
        self.buffer += data
        self._parse()

    def _parse(self) -> None:
        while True:
            if self.left < 0:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
                del self.buffer[: end + 4]
                self.method, self.path, _ = head[0].split(" ", 2)
                length = 0
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                    elif name.strip().lower() == "transfer-encoding":
                        self._send(_response(411))
                        return
                self.left, self.keep = length, length <= _KEEP_BODY
                self.body = bytearray()
            take = min(self.left, len(self.buffer))
            if self.keep:
                self.body += self.buffer[:take]
            STATE.body_bytes += take
            del self.buffer[:take]
            self.left -= take
            if self.left > 0:
                return
            self._finish()
            if not self.buffer:
                return

    def _finish(self) -> None:
        method, path, body = self.method, self.path, bytes(self.body)
        self.left, self.body = -1, bytearray()
        if not path.startswith("/_bench/"):
            STATE.requests += 1
            if method == "POST" and body:
                STATE.bodies[path.split("?", 1)[0]] = body.decode("latin-1")
        data = _answer(method, path, body)
        delay = STATE.latency if not path.startswith("/_bench/") else 0.0
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self._send, data)
        else:
            self._send(data)

    def _send(self, data: bytes | None) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        if data is not None:
            self.transport.write(data)
            return
        size = STATE.media_size
        head = f"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: {size}\r\n\r\n"
        self.transport.write(head.encode())
        asyncio.get_running_loop().create_task(self._stream(size))

    async def _stream(self, size: int) -> None:
        """A media download of ``size`` zero bytes, sent as the client reads it."""
        assert self.transport is not None
        while size > 0 and not self.transport.is_closing():
            chunk = _MEDIA_CHUNK[: min(size, len(_MEDIA_CHUNK))]
            self.transport.write(chunk)
            size -= len(chunk)
            while self.transport.get_write_buffer_size() > 4 << 20:
                await asyncio.sleep(0.0005)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    STATE.origin = f"http://127.0.0.1:{port}"
    print(port, flush=True)
    stop = asyncio.Event()
    threading.Thread(
        target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)), daemon=True
    ).start()
    await stop.wait()
    server.close()


class BenchServer:
    """The benchmark server in a child process; ``origin`` is ``http://127.0.0.1:<port>``."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.origin = ""

    def __enter__(self) -> Self:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        self.origin = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"
        return self

    def url(self, vendor: str) -> str:
        """The base URL a vendor's publisher is given."""
        return self.origin + answers.BASE_PATHS[vendor]

    def control(self, action: str, **settings: Any) -> dict[str, int]:
        """``config`` (with settings), ``stats`` or ``reset``; the counters before any reset."""
        import httpx

        if action == "config":
            httpx.post(f"{self.origin}/_bench/config", json=settings).raise_for_status()
            return {}
        answer: dict[str, int] = httpx.get(f"{self.origin}/_bench/{action}").json()
        return answer

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            stop_child(self.proc, 10)


def stop_child(proc: subprocess.Popen[str], timeout: float) -> None:
    """End a benchmark server process: close its stdin (it exits on EOF), kill it if it lingers."""
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    asyncio.run(_serve())
