"""Media hosts: a public URL for a local file, for vendors that take URLs only.

Some vendors fetch every media item from a URL and accept no upload. So that
the same ``Post(media=[Path("clip.mp4")])`` publishes through any vendor, the
core hands each local file of such a post to a :class:`MediaHost` before the
adapter sees the post, and gives the vendor the URL the host returns. Which
vendors need this is read from their capabilities (``local_files``), never
from their names.

A host is any object with ``put`` and ``remove`` (the :class:`MediaHost`
protocol); ``aput``/``aremove`` coroutines are used by the async publisher
where a host has them, else the sync methods run in a worker thread. Plugins
add kinds of host through the ``postmux_register_media_hosts`` hook, so
``POSTMUX_MEDIA_HOST=s3://bucket/prefix`` (or ``media_host="s3://…"``)
picks one by the scheme of its spec. The core ships ``s3`` (the ``s3`` extra)
and ``sandbox`` (the sandbox's loopback host, for tests and the demo), registered
by :mod:`postmux.builtin_hosts`. Nothing here is loaded until a publisher is given
a host (``media_host=`` or ``POSTMUX_MEDIA_HOST``).

Hosted files expire with their URL (``HostedFile.expires_at``) and are
removed by ``wait()`` once every publication of the report is final, or by
``clean_up(report)``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urlsplit

import attrs

from ._eq import fields_eq, fields_hash
from .builtin_hosts import postmux_register_media_hosts as postmux_register_media_hosts  # was here
from .environment import MEDIA_HOST_ENV
from .errors import ConfigurationError, MediaHostError, PostmuxError
from .media import Media

if TYPE_CHECKING:
    from .plugins import PluginManager
    from .post import Post

__all__ = [
    "MEDIA_HOST_ENV",
    "HostedFile",
    "MediaHost",
    "MediaHostError",
    "MediaHostFactory",
    "ahost_local_media",
    "aput",
    "aremove",
    "aremove_quietly",
    "host_local_media",
    "open_media_host",
    "remove_quietly",
]

log = logging.getLogger("postmux")

HOW_TO_CONFIGURE = (
    f"pass media_host=… to postmux.publisher() or set {MEDIA_HOST_ENV} "
    "(for example s3://bucket/prefix, with pip install 'postmux[s3]'), "
    "and postmux will host the file and send its URL"
)
"""What a refusal of a local file says, so the app knows the way out."""


@attrs.frozen(slots=True, kw_only=True)
class HostedFile:
    """A local file put on a media host: the URL the vendor fetches, and how to remove it.

    ``key`` is the host's own name for the stored object; ``expires_at`` when
    the URL stops working (``None``: it does not expire). The repr leaves out
    the URL's query, where signed URLs carry their signature.
    """

    url: str = attrs.field(repr=False)
    key: str
    source: str
    expires_at: datetime | None = None

    __eq__ = fields_eq
    __hash__ = fields_hash

    def __repr__(self) -> str:
        parts = urlsplit(self.url)
        where = f"{parts.scheme}://{parts.netloc}{parts.path}"
        return f"HostedFile(url={where!r}, key={self.key!r}, expires_at={self.expires_at!r})"


@runtime_checkable
class MediaHost(Protocol):
    """Anything that turns a local file into a public URL, and can take it down again."""

    def put(self, path: str | os.PathLike[str], *, mime_type: str | None = None) -> HostedFile:
        """Store the file at ``path`` and return where the vendor can fetch it."""
        ...

    def remove(self, hosted: HostedFile) -> None:
        """Delete a file this host stored (missing already is not an error)."""
        ...


MediaHostFactory = Callable[[str], MediaHost]
"""Makes a host from its spec, the whole ``POSTMUX_MEDIA_HOST`` value (``"s3://bucket/prefix"``)."""


async def aput(host: MediaHost, path: str | os.PathLike[str], *, mime_type: str | None = None) -> HostedFile:
    """``host.aput`` where the host has one, else ``host.put`` in a worker thread."""
    method = getattr(host, "aput", None)
    if method is not None:
        result: HostedFile = await method(path, mime_type=mime_type)
        return result
    import asyncio  # only async programs pay for importing it

    return await asyncio.to_thread(host.put, path, mime_type=mime_type)


async def aremove(host: MediaHost, hosted: HostedFile) -> None:
    """``host.aremove`` where the host has one, else ``host.remove`` in a worker thread."""
    method = getattr(host, "aremove", None)
    if method is not None:
        await method(hosted)
    else:
        import asyncio

        await asyncio.to_thread(host.remove, hosted)


def remove_quietly(host: MediaHost, hosted: Sequence[HostedFile]) -> None:
    """Remove hosted files; a failure is logged (it expires anyway), never raised."""
    for item in hosted:
        try:
            host.remove(item)
        except Exception as exc:  # a clean-up must not turn a publish into an error
            log.warning("postmux: could not remove hosted media %s: %s", item.key, _why(exc))


async def aremove_quietly(host: MediaHost, hosted: Sequence[HostedFile]) -> None:
    """The async twin of :func:`remove_quietly` (``host.aremove`` where the host has one)."""
    for item in hosted:
        try:
            await aremove(host, item)
        except Exception as exc:  # a clean-up must not turn a publish into an error
            log.warning("postmux: could not remove hosted media %s: %s", item.key, _why(exc))


def _why(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, PostmuxError) else type(exc).__name__


def _local_items(post: Post) -> list[int]:
    return [i for i, m in enumerate(post.media) if isinstance(m, Media) and m.is_local]


def _with_urls(post: Post, hosted: dict[int, HostedFile]) -> Post:
    media = tuple(
        Media(url=hosted[i].url, kind=m.kind, mime_type=m.mime_type) if i in hosted else m
        for i, m in enumerate(post.media)
    )
    return attrs.evolve(post, media=media)


def host_local_media(host: MediaHost, post: Post) -> tuple[Post, tuple[HostedFile, ...]]:
    """``post`` with every local file replaced by its hosted URL, and the hosted files.

    On a failure the files already stored are removed again and
    :class:`MediaHostError` is raised: nothing has reached the vendor yet.
    """
    done: dict[int, HostedFile] = {}
    for i in _local_items(post):
        item = post.media[i]
        assert item.path is not None
        try:
            done[i] = host.put(item.path, mime_type=item.mime_type)
        except Exception as exc:
            failure = _put_failed(i, exc)
        else:
            continue
        remove_quietly(host, list(done.values()))
        raise failure  # outside the handler: the host's own exception does not ride along
    if not done:
        return post, ()
    return _with_urls(post, done), tuple(done.values())


async def ahost_local_media(host: MediaHost, post: Post) -> tuple[Post, tuple[HostedFile, ...]]:
    """The async twin of :func:`host_local_media`."""
    done: dict[int, HostedFile] = {}
    for i in _local_items(post):
        item = post.media[i]
        assert item.path is not None
        try:
            done[i] = await aput(host, item.path, mime_type=item.mime_type)
        except Exception as exc:
            failure = _put_failed(i, exc)
        else:
            continue
        await aremove_quietly(host, list(done.values()))
        raise failure
    if not done:
        return post, ()
    return _with_urls(post, done), tuple(done.values())


def _put_failed(index: int, exc: BaseException) -> MediaHostError:
    if isinstance(exc, MediaHostError):
        return MediaHostError(f"media[{index}].path: {exc}")
    if isinstance(exc, OSError):
        return MediaHostError(f"media[{index}].path: cannot read the file: {exc.strerror or exc}")
    # a third-party host's own exception: its type only, since its text may carry secrets
    return MediaHostError(f"media[{index}].path: the media host failed ({type(exc).__name__})")


def open_media_host(value: MediaHost | str | None, plugins: PluginManager) -> MediaHost | None:
    """A host from ``media_host=`` (an object or a spec), else from ``POSTMUX_MEDIA_HOST``; or none."""
    if value is None:
        value = os.environ.get(MEDIA_HOST_ENV) or None
        if value is None:
            return None
    if not isinstance(value, str):
        if not isinstance(value, MediaHost):
            raise ConfigurationError(
                f"media_host must be a spec such as 's3://bucket/prefix' or an object with put() and "
                f"remove(), got {type(value).__name__}"
            )
        return value
    scheme = value.split("://", 1)[0].lower() if "://" in value else value.strip().lower()
    factories = plugins.media_hosts()
    factory = factories.get(scheme)
    if factory is None:
        raise ConfigurationError(
            f"unknown media host {scheme!r} in {MEDIA_HOST_ENV} or media_host=; "
            f"known: {', '.join(sorted(factories)) or 'none'}"
        )
    return factory(value)
