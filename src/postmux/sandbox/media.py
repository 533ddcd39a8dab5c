"""The sandbox's media host: sample files, presigned uploads and stored blobs, on loopback.

It stands in for the CDNs and buckets around the vendors: the demo's media
URLs point here (nothing comes from the internet), a vendor emulator that
hands out presigned upload URLs points them here (so, as with a real bucket,
the upload goes to another origin and never carries the vendor's key), and an
emulator that takes multipart uploads stores the bytes here and answers with
a URL on this host. ``PUT /host/<name>`` and ``DELETE /files/<id>/<name>``
serve :class:`~postmux.sandbox.SandboxMediaHost`, the app-side media host
that gives URL-only vendors a URL for a local file in tests and the demo.
"""

from __future__ import annotations

import os
import secrets
import threading
from urllib.parse import quote, unquote, unquote_to_bytes, urlsplit

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..media import MIME_TYPES, extension_of
from .samples import SAMPLES

__all__ = ["KINDS", "Blob", "MediaHost"]


KINDS = {"image": "photo", "video": "video", "audio": "audio"}
"""A MIME type's top-level type → the kind of medium an emulator takes it for."""


@attrs.frozen(slots=True)
class Blob:
    """Stored bytes, what they claim to be, and (from :meth:`MediaHost.lookup`) the URL they are at."""

    filename: str
    mime_type: str
    data: bytes
    url: str = ""

    @property
    def kind(self) -> str | None:
        """``photo``, ``video`` or ``audio`` by the MIME type (``image/png``: a photo); ``None`` otherwise.

        What a vendor that types uploads by MIME type tells a post's media by.
        """
        return KINDS.get(self.mime_type.partition("/")[0])


@attrs.define(slots=True)
class _Slot:
    filename: str
    mime_type: str
    public_path: str


class MediaHost:
    """Serves ``/samples/<name>``, accepts ``PUT /upload/<token>``, serves ``/files/<id>/<name>``."""

    def __init__(self) -> None:
        self.base_url = "http://127.0.0.1"
        self._blobs: dict[str, Blob] = {}
        self._slots: dict[str, _Slot] = {}
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/samples/{name}", self._sample, methods=["GET", "HEAD"]),
                Route("/upload/{token}", self._upload, methods=["PUT"]),
                Route("/files/{blob_id}/{name}", self._file, methods=["GET", "HEAD"]),
                Route("/files/{blob_id}/{name}", self._delete, methods=["DELETE"]),
                Route("/host/{name}", self._host, methods=["PUT"]),
            ]
        )

    # -- for emulators (in-process) ----------------------------------------

    def sample_url(self, name: str) -> str:
        """The URL of a sample file (``clip.mp4``, ``photo-1.jpg``…)."""
        if name not in SAMPLES:
            raise KeyError(f"no sample {name!r}; samples: {', '.join(SAMPLES)}")
        return f"{self.base_url}/samples/{name}"

    def store(self, filename: str, mime_type: str, data: bytes) -> str:
        """Keep ``data`` and return its public URL."""
        path = f"/files/{secrets.token_hex(8)}/{_quoted(filename)}"
        with self._lock:
            self._blobs[path] = Blob(filename, mime_type, data, self.base_url + path)
        return self.base_url + path

    def discard(self, path: str) -> None:
        """Forget the stored file at ``path`` (``/files/<id>/<name>``); missing already is fine."""
        with self._lock:
            self._blobs.pop(path, None)

    def presign(self, filename: str, mime_type: str) -> tuple[str, str]:
        """An (upload URL, public URL) pair: PUT the bytes to the first, use the second."""
        token = secrets.token_urlsafe(16)
        path = f"/files/{secrets.token_hex(8)}/{_quoted(filename)}"
        with self._lock:
            self._slots[token] = _Slot(filename, mime_type, path)
        return (
            f"{self.base_url}/upload/{token}?X-Sandbox-Signature={secrets.token_hex(6)}",
            self.base_url + path,
        )

    def lookup(self, url: str) -> Blob | None:
        """The blob behind one of this host's URLs (samples included), if it exists, with its ``url``."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base_url:
            return None
        if parts.path.startswith("/samples/"):
            name = parts.path.removeprefix("/samples/")
            if name in SAMPLES:
                mime, data = SAMPLES[name]
                return Blob(name, mime, data, url)
            return None
        with self._lock:
            blob = self._blobs.get(parts.path)
        return blob if blob is None or blob.url == url else attrs.evolve(blob, url=url)

    def describe(self, url: str) -> Blob:
        """What a vendor shows of a medium at ``url``: the blob behind it, else what the URL tells.

        A URL this host holds nothing for (another host's, say) is a blob with
        no bytes, named by the URL's last part, of the MIME type its extension
        has (``application/octet-stream`` when that tells none), so an answer
        that lists a post's media (name, size, type) has one for each.
        """
        blob = self.lookup(url)
        if blob is not None:
            return blob
        mime = MIME_TYPES.get(extension_of(url), "application/octet-stream")
        return Blob(unquote(urlsplit(url).path.rsplit("/", 1)[-1]), mime, b"", url)

    def missing(self, url: str) -> bool:
        """True for a URL of this host with nothing behind it: what a vendor fails to fetch.

        Another host's URL is not missing: the sandbox cannot tell, and takes it.
        """
        return self.owns(url) and self.lookup(url) is None

    def owns(self, url: str) -> bool:
        """True when ``url`` points at this host."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.base_url

    # -- HTTP ----------------------------------------------------------------

    async def _sample(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in SAMPLES:
            return Response("not found", status_code=404, media_type="text/plain")
        mime, data = SAMPLES[name]
        return Response(data, media_type=mime)

    async def _upload(self, request: Request) -> Response:
        token = request.path_params["token"]
        with self._lock:
            slot = self._slots.pop(token, None)
        if slot is None:
            return Response(
                "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                status_code=403,
                media_type="application/xml",
            )
        data = await request.body()
        mime = request.headers.get("content-type", slot.mime_type).split(";")[0].strip()
        with self._lock:
            self._blobs[slot.public_path] = Blob(slot.filename, mime, data, self.base_url + slot.public_path)
        return Response(status_code=200, headers={"ETag": f'"{secrets.token_hex(8)}"'})

    async def _host(self, request: Request) -> Response:
        """Store the body as a new file; answer its public URL (what a bucket plus presigning gives)."""
        tail = _raw_tail(request)  # the name's own bytes: one not UTF-8 is kept as it is
        name = os.fsdecode(unquote_to_bytes(tail)) if tail else request.path_params["name"]
        mime = request.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
        url = self.store(name, mime, await request.body())
        return JSONResponse({"url": url, "key": urlsplit(url).path}, status_code=201)

    async def _delete(self, request: Request) -> Response:
        path = _stored_path(request)
        with self._lock:
            self._blobs.pop(path, None)
        return Response(status_code=204)

    async def _file(self, request: Request) -> Response:
        path = _stored_path(request)
        with self._lock:
            blob = self._blobs.get(path)
        if blob is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(blob.data, media_type=blob.mime_type)


def _quoted(filename: str) -> str:
    """A file name as a URL path segment: its bytes escaped (a name with lone surrogates, which a
    file name that is not UTF-8 decodes to, included)."""
    return quote(os.fsencode(filename))


def _stored_path(request: Request) -> str:
    """The ``/files/<id>/<name>`` a request names, as :meth:`MediaHost.store` wrote it.

    Read from the request's own bytes where the server gives them (``%FF`` decodes to no
    text that would quote back to it), else re-quoted from the decoded name.
    """
    blob_id, tail = request.path_params["blob_id"], _raw_tail(request)
    if tail:
        return f"/files/{blob_id}/{quote(unquote_to_bytes(tail))}"
    return f"/files/{blob_id}/{_quoted(request.path_params['name'])}"


def _raw_tail(request: Request) -> str:
    """The last segment of the request's path as it came (still escaped); empty when not given."""
    raw = request.scope.get("raw_path")
    return raw.decode("ascii", "replace").rpartition("/")[2] if isinstance(raw, bytes) else ""
