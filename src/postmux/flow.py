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

Bodies that stream from disk (:func:`file_request`, :func:`multipart_request`, and a
chunked upload's ranges: :mod:`postmux.ranges`) are read in 1 MiB chunks: httpx's own
multipart encoder reads 64 KiB at a time, and sixteen times as many writes measured half
the throughput of a bare PUT.

Requests may carry postmux extensions: :data:`IDEMPOTENT` marks a POST that
only reads (safe to retry), :data:`DOWNLOAD_TO` streams a response body into an
open binary file instead of memory, and :func:`media_request` marks the
download of a post's medium, which the driver makes under the publisher's
:class:`~postmux.FetchPolicy` (address checks, redirects, size and type).

A flow never calls its credential source itself (a database's ``store`` would block
an ``AsyncPublisher``'s event loop): :func:`store_token` and :func:`account_ids` yield
a pseudo-request (:data:`CREDENTIAL_CALL`) that the driver makes, off the loop for the
async one. It never reaches the network, and a preview shows it without making it.
"""

from __future__ import annotations

import functools
import io
import os
import re
import stat
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import httpx

from .errors import FetchRefusedError
from .fetch import MEDIA_DOWNLOAD, MediaDownload, literal_address
from .media import MediaKind

if TYPE_CHECKING:  # a credential source's module: loaded by the app that makes one, not by a publish
    from .credentials import CredentialSource, Token

__all__ = [
    "ACCOUNT",
    "CREDENTIAL_CALL",
    "DOWNLOAD_TO",
    "IDEMPOTENT",
    "FilePart",
    "FileStream",
    "Flow",
    "MultipartStream",
    "account_ids",
    "credential_call",
    "done",
    "file_request",
    "media_request",
    "multipart_request",
    "step",
    "store_token",
]

T = TypeVar("T")

Flow = Generator[httpx.Request, httpx.Response, T]
"""A sans-I/O operation returning ``T``."""

ACCOUNT = "postmux.account"
"""Request extension: the account id a request acts for (set by ``Adapter.request(account=…)``)."""
TOKEN = "postmux.token"
"""Request extension: the account's token a request was signed with (a :class:`~postmux.Secret`)."""
REFRESHED = "postmux.refreshed"
"""Request extension: ``True`` once the request's token was refreshed after a 401 (once only)."""

IDEMPOTENT = "postmux.idempotent"
"""Request extension: ``True`` on a POST that changes nothing, so it may be retried."""

DOWNLOAD_TO = "postmux.download_to"
"""Request extension: an open binary file the response body is streamed into."""

CREDENTIAL_CALL = "postmux.credential_call"
"""Request extension: a :class:`~postmux.credentials.CredentialCall` the driver makes instead of sending."""
_CALL_RESULT = "postmux.credential_result"

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


def credential_call(
    source: CredentialSource, call: Callable[[], T], what: str = "call", account: str | None = None
) -> Flow[T]:
    """``call()``'s result (a call on ``source``), made by the driver: off the loop under an async one.

    The step is a pseudo-request to ``postmux://credentials/<what>`` carrying
    :data:`CREDENTIAL_CALL`; the driver answers it with the result and sends nothing.
    The source's own failure is thrown in as a :class:`~postmux.CredentialError`
    naming ``what`` and ``account``.
    """
    from .credentials import CredentialCall  # a source was made, so its module is loaded already

    request = httpx.Request("POST", f"postmux://credentials/{what}")
    request.extensions[CREDENTIAL_CALL] = CredentialCall(source, call, what, account)
    response = yield request
    result: T = response.extensions[_CALL_RESULT]
    return result


def store_token(source: CredentialSource, account: str, token: Token) -> Flow[None]:
    """Keep ``account``'s new token in ``source`` (a first link): ``yield from store_token(…)``."""
    return credential_call(source, functools.partial(source.store, account, token), "store", account)


def account_ids(source: CredentialSource) -> Flow[list[str]]:
    """The account ids of an iterable ``source`` (``list(source)``), read by the driver."""
    if not isinstance(source, Iterable):
        raise TypeError(f"{type(source).__name__} cannot list its accounts (it is not iterable)")
    return credential_call(source, functools.partial(list, source), "accounts")


def call_answer(request: httpx.Request, result: Any) -> httpx.Response:
    """The driver's answer to a :data:`CREDENTIAL_CALL` step: ``result``, nothing sent."""
    return httpx.Response(204, request=request, extensions={_CALL_RESULT: result})


def file_request(
    method: str,
    url: str,
    path: str | os.PathLike[str],
    *,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    offset: int = 0,
    length: int | None = None,
) -> httpx.Request:
    """A request whose body is a local file (or ``length`` bytes of it from ``offset``), streamed.

    ``httpx.Request(stream=…)`` adds no headers of its own (not even ``Host``),
    so this sets ``Host``, ``Content-Length`` and ``Content-Type`` itself.
    """
    stream = FileStream(path, offset=offset, length=length)
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
    """A file's bytes, or one range of them, read in 1 MiB chunks, for sync and async clients alike.

    httpx streams an iterator only on the sync client; this stream serves both,
    re-opens the file on every iteration (so a retried request sends it whole
    again), and never holds more than one chunk in memory. ``offset`` and
    ``length`` pick a range: one chunk of a chunked upload
    (:func:`postmux.ranges.range_request`) is read from disk like a whole file,
    never sliced in memory.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        chunk_size: int = CHUNK_SIZE,
        *,
        offset: int = 0,
        length: int | None = None,
    ) -> None:
        if offset < 0 or (length is not None and length < 0):
            raise ValueError(f"a file range needs offset and length of 0 or more, got {offset} and {length}")
        self.path = os.fspath(path)
        self.chunk_size = chunk_size
        self.offset = offset
        self.length = length
        """``None``: to the end of the file."""

    @property
    def size(self) -> int:
        """The body's length (the range's, or the file's from ``offset``), for ``Content-Length``."""
        if self.length is not None:
            return self.length
        return os.path.getsize(self.path) - self.offset

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as fh:
            yield from self._chunks(fh)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with open(self.path, "rb") as fh:
            for chunk in self._chunks(fh):
                yield chunk

    def _chunks(self, fh: IO[bytes]) -> Iterator[bytes]:
        """The bytes of the range from the open file, a chunk at a time (short if the file is)."""
        if self.offset:
            fh.seek(self.offset)
        left, size = self.length, self.chunk_size
        if left is None:
            while chunk := fh.read(size):
                yield chunk
            return
        while left > 0 and (chunk := fh.read(min(size, left))):
            left -= len(chunk)
            yield chunk


# -- multipart/form-data of files ------------------------------------------------------------

_FORM_ESCAPES = {'"': "%22", "\\": "\\\\", **{chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}}
_FORM_ESCAPE = re.compile("|".join(re.escape(c) for c in _FORM_ESCAPES))


def _form_param(name: str, value: str) -> bytes:
    """``name="value"`` escaped as HTML5 forms (and httpx) do."""
    return f'{name}="{_FORM_ESCAPE.sub(lambda m: _FORM_ESCAPES[m.group(0)], value)}"'.encode()


class FilePart:
    """One file of a multipart body: its form field, file name, open binary file and type.

    The file is read from its start on every send (so a retry sends it whole
    again) and never more than one chunk at a time. ``headers`` is the part's
    own header, as httpx's file fields spell it (previews read it).
    """

    __slots__ = ("file", "filename", "head", "headers", "name", "size")

    def __init__(self, name: str, filename: str, file: IO[bytes], content_type: str) -> None:
        self.name = name
        self.filename = filename
        self.file = file
        self.headers = {"Content-Type": content_type}
        file.flush()  # a file just written (a download) may hold bytes the descriptor's size lacks
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise ValueError(f"{filename}: not a regular file, so its length is unknown")
        self.size = status.st_size
        self.head = b"".join(
            (
                b"Content-Disposition: form-data; ",
                _form_param("name", name),
                b"; ",
                _form_param("filename", filename),
                f"\r\nContent-Type: {content_type}\r\n\r\n".encode(),
            )
        )


class MultipartStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A ``multipart/form-data`` body of files, streamed from disk in 1 MiB chunks.

    The same bytes as ``httpx.Request(files=…)`` for files given as
    ``(filename, open file, content type)``, with a known ``Content-Length``,
    for sync and async clients alike.
    """

    def __init__(
        self, parts: Sequence[FilePart], *, boundary: bytes | None = None, chunk_size: int = CHUNK_SIZE
    ) -> None:
        self.fields = list(parts)
        self.boundary = boundary or os.urandom(16).hex().encode("ascii")
        self.chunk_size = chunk_size
        self.content_type = f"multipart/form-data; boundary={self.boundary.decode('ascii')}"

    @property
    def size(self) -> int:
        """The body's length, for ``Content-Length``."""
        dashes = len(self.boundary) + 4  # b"--" boundary b"\r\n"
        return sum(dashes + len(p.head) + p.size + 2 for p in self.fields) + dashes + 2

    def __iter__(self) -> Iterator[bytes]:
        boundary = self.boundary
        for part in self.fields:
            yield b"--%s\r\n%s" % (boundary, part.head)
            handle = part.file
            handle.seek(0)
            while chunk := handle.read(self.chunk_size):
                yield chunk
            yield b"\r\n"
        yield b"--%s--\r\n" % boundary

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def file_parts(files: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[FilePart] | None:
    """httpx's ``files=`` as :class:`FilePart` s, or ``None`` when one is not an open file on disk.

    Only ``(filename, binary file, content type)`` values with a real file
    descriptor qualify; anything else (bytes, a ``BytesIO``, no type) is left
    to httpx's own encoder.
    """
    items = files.items() if isinstance(files, Mapping) else files
    parts: list[FilePart] = []
    for name, value in items:
        if not (isinstance(value, tuple) and len(value) == 3):
            return None
        filename, handle, content_type = value
        if not (isinstance(name, str) and isinstance(filename, str) and isinstance(content_type, str)):
            return None
        if not filename:
            return None
        if isinstance(handle, io.TextIOBase) or not hasattr(handle, "read"):
            return None
        try:
            parts.append(FilePart(name, filename, handle, content_type))
        except (AttributeError, OSError, ValueError):
            return None
    return parts


def multipart_request(
    method: str, url: str | httpx.URL, parts: Sequence[FilePart], *, extensions: dict[str, Any] | None = None
) -> httpx.Request:
    """A request whose body is ``parts`` as ``multipart/form-data``, streamed from disk.

    :meth:`postmux.Adapter.request` uses it for ``files=`` of open files, so a
    plugin's upload gets the large chunks with no change of its own.
    """
    stream = MultipartStream(parts)
    request = httpx.Request(method, url, stream=stream, extensions=extensions)
    request.headers["Host"] = request.url.netloc.decode("ascii")
    request.headers["Content-Length"] = str(stream.size)
    request.headers["Content-Type"] = stream.content_type
    return request
