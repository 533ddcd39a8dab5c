"""Getting media into Wonda: every item becomes a ``mediaId`` before any post is made.

Wonda publishes only media it holds (``POST /media/upload``, multipart) and has
no URL-ingest endpoint, so a ``Media(url=…)`` is first downloaded to an
unnamed temporary file and then uploaded from it like a local file, as
Wonda's own MCP server does. The download is a :func:`~postmux.flow.media_request`: the core makes
it under the publisher's :class:`~postmux.FetchPolicy` (https only, no
private or internal addresses, redirects followed and checked, at most 5, the
platform's size limit, a content type that fits the medium) and streams the
final body into the file, so a CDN's ``302`` page is never uploaded as the
media. A refused URL fails the publish's targets before anything is
uploaded. Files are handed over as open file objects, which the core streams
in 1 MiB chunks (:func:`postmux.flow.multipart_request`): a 1 GiB video is
never held in memory, and ``Content-Length`` comes from the file size.

All items go in one request: field ``file`` for a single file (as documented),
``file0``, ``file1``… for several. Wonda may accept some files and refuse
others (its ``errors`` map); any refusal is an :class:`~postmux_wonda.UploadError`
naming the files, raised before a single post is made. Wonda's other error bodies are read by the
vocabulary (its envelope, codes and ``deferUntil`` retry hint).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Mapping, Sequence
from typing import IO, Any

import httpx

from postmux import Adapter, InvalidRequestError, Media, ProviderError
from postmux.flow import Flow, media_request
from postmux.wire import json_of, parse, read_json

from . import wire

__all__ = ["UPLOAD_PATH", "UploadError", "field_names", "upload_media"]

UPLOAD_PATH = "/media/upload"

FilePart = tuple[str, tuple[str, IO[bytes], str]]


class UploadError(InvalidRequestError):
    """Wonda refused some files of an upload; nothing was published.

    ``files`` maps each refused file's name to Wonda's reason
    (``"Unsupported MIME type"``…).
    """

    def __init__(self, files: Mapping[str, str], **kwargs: Any) -> None:
        self.files = dict(files)
        listing = "; ".join(f"{name}: {reason}" for name, reason in self.files.items())
        super().__init__(
            f"Wonda refused {len(self.files)} file(s), nothing was published: {listing}", **kwargs
        )


def field_names(count: int) -> list[str]:
    """The form field of each file: ``file`` alone (documented), else ``file0``, ``file1``…"""
    return ["file"] if count == 1 else [f"file{i}" for i in range(count)]


def upload_media(adapter: Adapter, media: Sequence[Media]) -> Flow[tuple[str, ...]]:
    """Download what is remote, upload everything in one request; one ``mediaId`` per item, in order."""
    if not media:
        return ()
    fields = field_names(len(media))
    labels = {
        field: _label(item, i, len(media)) for i, (field, item) in enumerate(zip(fields, media, strict=True))
    }
    with contextlib.ExitStack() as files:
        parts: list[FilePart] = []
        for i, (field, item) in enumerate(zip(fields, media, strict=True)):
            mime = item.mime_type
            handle: IO[bytes]
            if item.path is None:  # an unnamed file: nothing to unlink (that cost ~10 ms a publish)
                handle = files.enter_context(tempfile.TemporaryFile(prefix="postmux-wonda-"))
                response = yield media_request(item.url or "", handle, medium=f"media[{i}]", kind=item.kind)
                mime = mime or _content_type(response)
            else:
                handle = files.enter_context(open(item.path, "rb"))
            parts.append((field, (item.filename, handle, mime or "application/octet-stream")))
        try:
            response = yield adapter.request("POST", UPLOAD_PATH, files=parts)
        except ProviderError as exc:
            refused = _refused(exc.body, labels)
            if refused:
                raise UploadError(
                    refused, provider=adapter.name, status_code=exc.status_code, code=exc.code, body=exc.body
                ) from None
            raise
    data = read_json(response, provider=adapter.name)
    answer = parse(wire.converter, data, wire.UploadAnswer, provider=adapter.name, what="upload answer")
    ids: list[str] = []
    missing: dict[str, str] = {}
    for field in fields:
        item_answer = answer.uploads.get(field)
        if item_answer is not None:
            ids.append(item_answer.mediaId)
        elif field == "file" and answer.mediaId is not None and field not in answer.errors:
            ids.append(answer.mediaId)
        else:
            missing[labels[field]] = answer.errors.get(field, "Wonda returned no mediaId for this file")
    if missing:
        raise UploadError(
            missing, provider=adapter.name, status_code=response.status_code, body=response.text
        )
    return tuple(ids)


def _label(item: Media, index: int, count: int) -> str:
    """How an error names a file: its name, and its place when there are several."""
    return item.filename if count == 1 else f"media[{index}] {item.filename}"


def _content_type(response: httpx.Response) -> str | None:
    value = response.headers.get("content-type")
    if not value:
        return None
    mime = value.split(";", 1)[0].strip().lower()
    return mime if "/" in mime and mime != "application/octet-stream" else None


def _refused(body: str | None, labels: dict[str, str]) -> dict[str, str]:
    """The documented per-file ``errors`` map of an error answer, by file label."""
    data = json_of(body)
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, dict):
        return {}
    return {labels.get(str(field), str(field)): str(reason) for field, reason in errors.items()}
