"""Sans-I/O flows: what an adapter's operations are made of.

An adapter operation is a generator that *yields* :class:`httpx.Request` objects
and *receives* :class:`httpx.Response` objects, then returns its result, in the
manner of httpx's own ``Auth.auth_flow``::

    def accounts(self) -> Flow[list[Account]]:
        response = yield self.get("/accounts")
        return parse_accounts(response)

The same generator therefore runs on the sync and the async driver, and a test
can step it by hand with no HTTP at all. When the vendor answers with an error
status the driver *throws* the mapped :class:`~postmux.ProviderError` into the
generator at the ``yield``, so a flow may catch what it can handle (a per-item
failure, a documented 403) and let the rest propagate.

Requests may carry postmux extensions: :data:`IDEMPOTENT` marks a POST that
only reads (safe to retry), :data:`DOWNLOAD_TO` streams a response body into an
open binary file instead of memory, and :func:`media_request` marks the
download of a post's medium, which the driver makes under the publisher's
:class:`~postmux.FetchPolicy` (address checks, redirects, size and type).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator, Iterator
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

import httpx

from .errors import FetchRefusedError
from .fetch import MEDIA_DOWNLOAD, MediaDownload, literal_address
from .media import MediaKind

__all__ = [
    "DOWNLOAD_TO",
    "IDEMPOTENT",
    "FileStream",
    "Flow",
    "done",
    "file_request",
    "media_request",
    "step",
]

T = TypeVar("T")

Flow = Generator[httpx.Request, httpx.Response, T]
"""A sans-I/O operation returning ``T``."""

IDEMPOTENT = "postmux.idempotent"
"""Request extension: ``True`` on a POST that changes nothing, so it may be retried."""

DOWNLOAD_TO = "postmux.download_to"
"""Request extension: an open binary file the response body is streamed into."""

CHUNK_SIZE = 1 << 20


def done(value: T) -> Flow[T]:
    """A flow that sends nothing and returns ``value`` (for operations answered locally)."""
    return value
    yield  # pragma: no cover - makes this a generator


def step(flow: Flow[Any], response: httpx.Response | None = None) -> httpx.Request:
    """Advance ``flow`` by hand: the first call starts it, later ones send ``response``.

    For tests that drive a flow without any transport.
    """
    if response is None:
        return next(flow)
    return flow.send(response)


def file_request(
    method: str,
    url: str,
    path: str | os.PathLike[str],
    *,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    """A request whose body is a local file, streamed, with the headers a server needs.

    ``httpx.Request(stream=…)`` adds no headers of its own (not even ``Host``),
    so this sets ``Host``, ``Content-Length`` and ``Content-Type`` itself.
    """
    stream = FileStream(path)
    request = httpx.Request(method, url, headers=headers, stream=stream)
    request.headers.setdefault("Host", request.url.netloc.decode("ascii"))
    request.headers["Content-Length"] = str(stream.size)
    if content_type is not None:
        request.headers.setdefault("Content-Type", content_type)
    return request


def media_request(url: str, sink: IO[bytes], *, medium: str, kind: MediaKind | None) -> httpx.Request:
    """A GET of a post's medium (``medium`` names it: ``"media[0]"``) streamed into ``sink``.

    A plugin that must download media yields this and gets back the final
    2xx response: the driver checks the URL against the publisher's
    :class:`~postmux.FetchPolicy`, connects to the address it checked, follows
    redirects (each checked the same way), caps the size and checks the
    content type. A refusal is a :class:`~postmux.FetchRefusedError` thrown
    at the ``yield``; let it propagate, and the publisher fails the targets.
    The request never carries the vendor's key.
    """
    extensions = {DOWNLOAD_TO: sink, MEDIA_DOWNLOAD: MediaDownload(medium, kind)}
    try:
        return httpx.Request("GET", url, extensions=extensions)
    except httpx.InvalidURL:
        pass
    # httpx refuses some numeric hosts the system resolver takes (``0177.0.0.1``):
    # spelled as the address they mean, the policy judges that address
    try:
        parts = urlsplit(url)
        address = literal_address(parts.hostname or "")
        if address is not None and address.version == 4:
            netloc = f"{address}:{parts.port}" if parts.port else str(address)
            return httpx.Request("GET", parts._replace(netloc=netloc).geturl(), extensions=extensions)
    except (ValueError, httpx.InvalidURL):
        pass
    raise FetchRefusedError(medium, "url", "not a URL postmux can fetch")


class FileStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A file's bytes read in 1 MiB chunks, for sync and async clients alike.

    httpx streams an iterator only on the sync client; this stream serves both,
    re-opens the file on every iteration (so a retried request sends it whole
    again), and never holds more than one chunk in memory.
    """

    def __init__(self, path: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE) -> None:
        self.path = os.fspath(path)
        self.chunk_size = chunk_size

    @property
    def size(self) -> int:
        """The file's length, for ``Content-Length``."""
        return os.path.getsize(self.path)

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as fh:
            while chunk := fh.read(self.chunk_size):
                yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with open(self.path, "rb") as fh:
            while chunk := fh.read(self.chunk_size):
                yield chunk
