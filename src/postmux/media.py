"""Media items and how their kind is told from a name.

A post's media is a list of :class:`Media`: a public URL (the vendor, or
postmux under its :class:`~postmux.FetchPolicy`, fetches it) or a local file
(the plugin uploads it). A string is always a URL: a local file must be a
:class:`pathlib.Path` or ``Media(path=…)``, so that text an app takes from its
users (``"../../etc/passwd.jpg"``) can never make postmux read the disk. The kind — photo or video — is
read from the extension unless given, because every vendor decides the post
type from it and a wrong guess must be caught before anything is sent.
"""

from __future__ import annotations

import enum
import functools
import os
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .errors import Problem, ValidationError

__all__ = ["EXTENSIONS", "Media", "MediaKind", "detect_kind", "extension_of", "to_media"]


class MediaKind(enum.StrEnum):
    """What a media item is; a post is all photos or one video, never a mix."""

    PHOTO = "photo"
    VIDEO = "video"


EXTENSIONS: dict[str, MediaKind] = {
    **dict.fromkeys(("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff", "heic"), MediaKind.PHOTO),
    **dict.fromkeys(("mp4", "mov", "webm", "m4v", "avi", "mkv", "mpeg", "mpg"), MediaKind.VIDEO),
}
"""Known extensions (lower case, no dot) and their kind."""

MIME_TYPES: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "m4v": "video/x-m4v",
    "avi": "video/x-msvideo",
    "mkv": "video/x-matroska",
    "mpeg": "video/mpeg",
    "mpg": "video/mpeg",
}


@functools.lru_cache(maxsize=4096)
def extension_of(location: str) -> str:
    """The lower-case extension of a URL's path or a file path, without query or fragment."""
    path = url_path(location) if "://" in location else location
    suffix = _suffix(path.replace("\\", "/"))
    return suffix[1:].lower() if suffix else ""


def url_path(url: str) -> str:
    """The path of ``url``, also of one :func:`~urllib.parse.urlsplit` refuses (``https://[::1/a.mp4``,
    an unclosed bracket): a medium is only read here, and validation says the URL is none."""
    try:
        return urlsplit(url).path
    except ValueError:
        rest = url.partition("://")[2].partition("#")[0].partition("?")[0]
        return "/" + rest.partition("/")[2]


def _suffix(path: str) -> str:
    """``PurePosixPath(path).suffix``, without making a path object (read for every medium of every
    publish): the last part that is neither empty nor ``.``, from its last dot, which must be neither
    its first nor its last character."""
    for name in reversed(path.split("/")):
        if name and name != ".":
            break
    else:
        return ""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def detect_kind(location: str) -> MediaKind | None:
    """Photo or video from the extension; ``None`` when it cannot be told."""
    return EXTENSIONS.get(extension_of(location))


def _fspath(value: str | os.PathLike[str] | None) -> str | None:
    """A path as a string (typed, so that ``Media(path=Path(...))`` type-checks).

    Anything else is left as it is, for the type check that names ``media.path``.
    """
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        return path if isinstance(path, str) else value  # bytes: refused by the type check
    return value


def _kind(value: MediaKind | Literal["photo", "video"] | None) -> MediaKind | None:
    """``"photo"`` and ``"video"`` as :class:`MediaKind`; anything else is left for validation to name."""
    if isinstance(value, str) and not isinstance(value, MediaKind):
        try:
            return MediaKind(value)
        except ValueError:
            return value  # type: ignore[return-value]  # wrong, and reported by validate()
    return value


@attrs.frozen(slots=True)
class Media:
    """One photo or video: exactly one of ``url`` (public, https) or ``path`` (a local file).

    ``kind`` is detected from the extension when not given; ``mime_type`` from
    the extension likewise. Neither is checked here: :meth:`Publisher.validate <postmux.Publisher.validate>`
    reports every problem at once instead of failing on the first. Only a
    ``url``, ``path`` or ``mime_type`` that is not a string at all is refused at
    once, as a :class:`~postmux.ValidationError` naming ``media.url`` (…):
    nothing can be read from it.
    """

    url: str | None = None
    path: str | None = attrs.field(default=None, converter=_fspath)
    kind: MediaKind | None = attrs.field(default=None, converter=_kind)
    mime_type: str | None = None

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def __attrs_post_init__(self) -> None:
        wrong = [
            Problem(f"media.{name}", f"expected a string, got {type(value).__name__}")
            for name, value in (("url", self.url), ("path", self.path), ("mime_type", self.mime_type))
            if value is not None and not isinstance(value, str)
        ]
        if wrong:  # nothing sensible can be read from it: a clear error now, not a TypeError later
            raise ValidationError(wrong)
        where = self.location
        if where is not None:
            if self.kind is None:
                object.__setattr__(self, "kind", detect_kind(where))
            if self.mime_type is None:
                object.__setattr__(self, "mime_type", MIME_TYPES.get(extension_of(where)))

    @property
    def location(self) -> str | None:
        """The URL or the path, whichever was given."""
        return self.url if self.url is not None else self.path

    @property
    def extension(self) -> str:
        """The lower-case extension without the dot (``"mp4"``)."""
        where = self.location
        return extension_of(where) if isinstance(where, str) else ""

    @property
    def filename(self) -> str:
        """The last segment of the URL's path or the path's file name, as text any body can carry."""
        where = self.location or ""
        if self.url is not None:
            where = url_path(where)
        name = PurePosixPath(where.replace("\\", "/")).name or "media"
        if name.isascii():
            return name
        # a name os.listdir() decoded from bytes that are not UTF-8 holds lone surrogates, which no
        # JSON body or multipart header can carry: each is shown as U+FFFD (the file itself is read by path)
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in name)

    @property
    def is_local(self) -> bool:
        """True for a file on this machine, which a plugin must upload."""
        return self.path is not None and self.url is None

    def size(self) -> int:
        """The local file's size in bytes (for upload headers)."""
        if self.path is None:
            raise ValueError("only a local file has a size before upload")
        return Path(self.path).stat().st_size


def to_media(item: object) -> object:
    """A URL string or a ``Path`` becomes :class:`Media`; anything else passes through for validation.

    A string without a scheme is left as it is, for validation to refuse: it
    is never taken for a local path.
    """
    if isinstance(item, Media):
        return item
    if isinstance(item, str):
        return Media(url=item) if "://" in item else item
    if isinstance(item, os.PathLike):
        return Media(path=os.fspath(item))
    return item
