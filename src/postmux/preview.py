"""See before sending: the exact requests a publish would make, with the key redacted.

``pub.preview(post)`` steps the adapter's own flows (the sans-I/O generators
the drivers run) just far enough to read their requests, and sends nothing.
A flow cannot go on past a request whose answer it needs, and no answer is
made up, so a preview holds:

* the first request of *staging* (media upload, download or presigned URL),
  when the vendor stages media at all — what follows depends on its answer;
* each batch's *publish* request, built with the staged media references
  where staging is answered locally, else with placeholders that say so.

The auth header is added exactly as the driver adds it (only on the vendor's
own origin, so a CDN or a presigned URL is shown without one) and then
redacted with :func:`postmux.secrets.redact`; a file body is described, never
read. A step that calls the credential source (:func:`postmux.flow.store_token`)
is shown as its ``postmux://credentials/…`` pseudo-request and never made: the
preview stops there and says so. Both publishers share :func:`preview_post`;
only the optional ``@username`` look-up differs between them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import httpx

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .adapter import Adapter, Route
from .drivers import NO_RETRY, _DriverBase
from .errors import PostmuxError
from .flow import DOWNLOAD_TO, FileStream, Flow
from .post import Post, Target
from .secrets import Secret, redact

__all__ = ["Preview", "RequestPreview", "TargetPreview", "describe_request", "placeholder", "preview_post"]

STAGE = "stage"
PUBLISH = "publish"


CREDENTIALS_URL = "postmux://credentials/"
"""Where a credential step (:data:`postmux.flow.CREDENTIAL_CALL`) points: never sent."""


def placeholder(index: int) -> str:
    """What stands for media item ``index`` when only staging's answer would tell its reference."""
    return f"<media[{index}] from staging>"


@attrs.frozen(slots=True, kw_only=True)
class RequestPreview:
    """One request as it would leave: method, URL, headers (key redacted) and body.

    ``body_kind`` says how to read ``body``: ``json`` (decoded), ``text``,
    ``file`` / ``multipart`` (a description: names and sizes, nothing read),
    ``bytes`` (a length), ``stream`` or ``empty``. ``step`` is ``stage`` or
    ``publish``; ``to_vendor`` is False for another host (a media CDN, a
    presigned upload URL), which never gets the key; ``download`` marks a
    request whose answer is streamed into a temporary file; ``read`` one that
    only reads (a creator check before the post): what follows depends on its answer.
    """

    step: str
    method: str
    url: str
    headers: Mapping[str, str]
    body_kind: str
    body: Any = None
    to_vendor: bool = True
    download: bool = False
    read: bool = False

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "step": self.step,
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "body_kind": self.body_kind,
            "body": self.body,
            "to_vendor": self.to_vendor,
            "download": self.download,
            "read": self.read,
        }


@attrs.frozen(slots=True, kw_only=True)
class TargetPreview:
    """What one target depends on: staging's requests, then its batch's publish request(s)."""

    target: Target
    account_id: str
    requests: tuple[RequestPreview, ...]

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def publish_requests(self) -> tuple[RequestPreview, ...]:
        """Only the publish step's requests (the ones that carry the post's fields)."""
        return tuple(r for r in self.requests if r.step == PUBLISH)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "target": str(self.target),
            "account_id": self.account_id,
            "requests": [r.to_dict() for r in self.requests],
        }


@attrs.frozen(slots=True, kw_only=True)
class Preview:
    """Every request one publish would send, in order, and the same per target.

    ``complete`` is False when staging needs an answer before its next
    request: then ``notes`` say so and the publish bodies carry
    :func:`placeholder` media references.
    """

    provider: str
    requests: tuple[RequestPreview, ...]
    targets: tuple[TargetPreview, ...]
    complete: bool = True
    notes: tuple[str, ...] = ()

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def for_target(self, target: Target | str) -> TargetPreview:
        """The preview of one target (a :class:`~postmux.Target` or ``"platform:account"``)."""
        wanted = str(target)
        for item in self.targets:
            if str(item.target) == wanted:
                return item
        raise KeyError(f"{wanted} is not a target of this preview")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "provider": self.provider,
            "complete": self.complete,
            "notes": list(self.notes),
            "requests": [r.to_dict() for r in self.requests],
            "targets": [t.to_dict() for t in self.targets],
        }


def preview_post(
    adapter: Adapter,
    key: Secret,
    post: Post,
    routes: Sequence[Route],
    client: httpx.Client | httpx.AsyncClient | None = None,
) -> Preview:
    """The preview of sending ``post`` to ``routes`` (already validated and resolved); no I/O.

    With ``client``, the requests carry what that client adds (its default headers…).
    """
    auth = _DriverBase(adapter, key, NO_RETRY, client)
    notes: list[str] = []
    staging: list[RequestPreview] = []
    media, first = _first_request(adapter.stage(post, routes), auth, key, STAGE)
    complete = True
    if first is not None:
        staging.append(first)
        complete = False
        media = tuple(placeholder(i) for i in range(len(post.media)))
        notes.append(
            f"{adapter.name} stages media before posting: staging continues only once "
            f"{first.method} {first.url} is answered, so its later requests are not shown and "
            "the publish bodies carry placeholders for the media references"
        )
        if first.download:
            notes.append(
                f"{first.url} is a media download: the driver fetches it under the publisher's "
                "FetchPolicy (every hop checked, size capped) and it never carries the key"
            )
    sent: list[RequestPreview] = list(staging)
    per_route: dict[int, list[RequestPreview]] = {}
    for batch in adapter.batches(post, routes):
        _, request = _first_request(adapter.publish(post, batch, media), auth, key, PUBLISH)
        if request is not None and request.url.startswith(CREDENTIALS_URL):
            complete = False
            notes.append(
                f"{request.url} is a call on the credential source: a preview does not make it, "
                "so the requests after it are not shown"
            )
        elif request is not None and request.read:
            complete = False
            notes.append(
                f"{request.method} {request.url} is a read before the post: what follows depends on "
                "its answer, which a preview does not make up, so the publish request is not shown"
            )
        for route in batch:
            per_route[id(route)] = [request] if request is not None else []
        if request is not None:
            sent.append(request)
    targets = tuple(
        TargetPreview(
            target=route.target,
            account_id=route.account_id,
            requests=(*staging, *per_route.get(id(route), [])),
        )
        for route in routes
    )
    notes.append("each publish request is followed by what its answer decides (status polls, a next step)")
    return Preview(
        provider=adapter.name, requests=tuple(sent), targets=targets, complete=complete, notes=tuple(notes)
    )


def _first_request(
    flow: Flow[Any], auth: _DriverBase, key: Secret, step: str
) -> tuple[Any, RequestPreview | None]:
    """The flow's result when it needs no request, else its first request described."""
    try:
        try:
            request = next(flow)
        except StopIteration as stop:
            return stop.value, None
        return None, describe_request(request, auth, key, step)
    except PostmuxError:
        raise
    except Exception as exc:  # a plugin's bug: named, with the key scrubbed, never raw
        raise PostmuxError(
            redact(f"{auth.adapter.name} plugin error while previewing: {type(exc).__name__}: {exc}", key)
        ) from None
    finally:
        flow.close()


def describe_request(request: httpx.Request, auth: _DriverBase, key: Secret, step: str) -> RequestPreview:
    """``request`` as the driver would send it, auth header added and then redacted."""
    auth.prepare(request)
    secrets = (key, *auth.secrets)  # an account's token too, where the request acts for one
    headers = {name: redact(value, *secrets) for name, value in request.headers.items()}
    kind, body = _body(request, key)
    return RequestPreview(
        step=step,
        method=request.method,
        url=redact(str(request.url), *secrets),
        headers=headers,
        body_kind=kind,
        body=body,
        to_vendor=auth._is_vendor(request),
        download=request.extensions.get(DOWNLOAD_TO) is not None,
        read=auth.only_reads(request),
    )


def _body(request: httpx.Request, key: Secret) -> tuple[str, Any]:
    stream = request.stream
    if isinstance(stream, FileStream):
        if stream.offset or stream.length is not None:  # one chunk of a chunked upload
            return "file", {"path": stream.path, "offset": stream.offset, "bytes": stream.length}
        return "file", {"path": stream.path, "bytes": _size(stream.path)}
    try:
        content = request.content
    except httpx.RequestNotRead:
        return _streamed(request)
    if not content:
        return "empty", None
    try:
        text = redact(content.decode("utf-8"), key)
    except UnicodeDecodeError:
        return "bytes", {"bytes": len(content)}
    if "json" in request.headers.get("content-type", ""):
        try:
            return "json", json.loads(text)
        except ValueError:
            pass
    return "text", text


def _streamed(request: httpx.Request) -> tuple[str, Any]:
    """A body not in memory: multipart parts by name and size (files are not read), else its length."""
    length = request.headers.get("content-length")
    fields = getattr(request.stream, "fields", None)
    if not isinstance(fields, list) or "multipart/" not in request.headers.get("content-type", ""):
        return "stream", {"bytes": int(length) if length and length.isdigit() else None}
    parts: list[dict[str, Any]] = []
    for field in fields:
        part: dict[str, Any] = {"name": getattr(field, "name", None)}
        if hasattr(field, "filename"):
            handle = getattr(field, "file", None)
            path = getattr(handle, "name", None)
            part["filename"] = field.filename
            part["content_type"] = getattr(field, "headers", {}).get("Content-Type")
            part["bytes"] = _size(path) if isinstance(path, str) else None
        else:
            part["value"] = getattr(field, "value", None)
        parts.append(part)
    return "multipart", {"parts": parts, "bytes": int(length) if length and length.isdigit() else None}


def _size(path: str) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None
