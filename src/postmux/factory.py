"""Making publishers by provider name: ``postmux.publisher("wahdx")``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .adapter import Adapter
from .environment import MEDIA_HOST_ENV, configured
from .errors import ConfigurationError, MissingCredentialsError
from .fetch import FetchPolicy
from .ledger import Ledger
from .plugins import PluginManager, plugin_manager
from .publisher import Publisher
from .secrets import NO_KEY, Secret

if TYPE_CHECKING:  # imported by async_publisher() itself: a sync program never loads asyncio
    from .async_publisher import AsyncPublisher
    from .credentials import CredentialSource  # loaded by the app that makes one
    from .hosting import MediaHost  # loaded only when a host is asked for (_media_host)

__all__ = ["PROVIDER_ENV", "async_publisher", "providers", "publisher"]

P = TypeVar("P", Publisher, "AsyncPublisher")

PROVIDER_ENV = "POSTMUX_PROVIDER"
"""The environment variable naming the provider when none is passed."""


def providers() -> list[str]:
    """The names of every installed provider, sorted."""
    return sorted(plugin_manager().providers())


def _adapter_and_key(
    name: str | None,
    api_key: str | Secret | None,
    base_url: str | None,
    plugins: PluginManager,
    media_fetch: FetchPolicy | None,
    credentials: CredentialSource | None = None,
) -> tuple[Adapter, Secret, FetchPolicy | None]:
    if name is None:
        name = os.environ.get(PROVIDER_ENV)
        if not name:
            raise ConfigurationError(
                f"no provider named: pass one (postmux.publisher('name')) or set {PROVIDER_ENV}; "
                f"installed: {', '.join(sorted(plugins.providers())) or 'none'}"
            )
    cls = plugins.get(name)
    found = configured(cls, base_url)
    if found.api_key is not None:
        api_key = found.api_key
    if credentials is not None and not _is_source(credentials):
        raise ConfigurationError(
            f"credentials must be a postmux.credentials.CredentialSource, got {type(credentials).__name__}"
        )
    if api_key is None:
        api_key = os.environ.get(cls.env_var) or None
        if api_key is None and credentials is not None:
            api_key = NO_KEY  # tokens per account only: no publisher-wide header
    adapter = cls(found.base_url)
    if api_key is None:
        if adapter.credentials is not None:  # its tokens belong to accounts: a credential source is the way
            raise MissingCredentialsError(
                f"no credentials for {name!r}: pass credentials=… (a postmux.credentials.CredentialSource"
                f" of each account's token), or api_key=… or {cls.env_var} where its plugin takes a key"
            )
        raise MissingCredentialsError(f"no API key for {name!r}: pass api_key=… or set {cls.env_var}")
    key = api_key if isinstance(api_key, Secret) else Secret(api_key)
    adapter.credentials = credentials
    return adapter, key, media_fetch or found.media_fetch


def _is_source(value: object) -> bool:
    from .credentials import CredentialSource  # an app passing one has loaded it already

    return isinstance(value, CredentialSource)


def publisher(
    name: str | None = None,
    *,
    api_key: str | Secret | None = None,
    base_url: str | None = None,
    ledger: Ledger | str | Path | None = None,
    plugins: PluginManager | None = None,
    media_fetch: FetchPolicy | None = None,
    media_root: str | os.PathLike[str] | None = None,
    media_host: MediaHost | str | None = None,
    credentials: CredentialSource | None = None,
    **options: Any,
) -> Publisher:
    """A :class:`Publisher` for the provider ``name`` (or ``$POSTMUX_PROVIDER``).

    ``api_key`` defaults to the plugin's environment variable and ``base_url``
    to ``<VENDOR>_BASE_URL``; with ``POSTMUX_SANDBOX`` set (and no
    ``base_url=``) both come from that running sandbox. ``ledger`` is a
    :class:`~postmux.ledger.Ledger`, an SQLite file path (``str``/``Path`` or
    ``sqlite:///path``) or a ``postgresql://…`` URL; a ledger the publisher
    opened from a path or URL is closed with it. ``media_fetch``
    is the :class:`~postmux.FetchPolicy` for media URLs postmux downloads
    itself (safe defaults when ``None``); ``media_root`` confines local files
    (``Path`` or ``Media(path=…)``) to one directory. ``media_host`` (a
    :class:`~postmux.MediaHost` or a spec such as ``"s3://bucket/prefix"``;
    default ``$POSTMUX_MEDIA_HOST``) turns local files into URLs for vendors
    that take URLs only. ``credentials`` (a
    :class:`~postmux.credentials.CredentialSource`) gives a token per account,
    for vendors whose tokens belong to creators; with it, ``api_key`` may be
    absent. Other options
    (``client`` or ``transport``, ``timeout``, ``retry``, ``max_concurrency``,
    ``poll_interval``) go to :class:`Publisher`.
    """
    return _made(
        Publisher,
        name,
        api_key,
        base_url,
        ledger,
        plugins,
        media_fetch,
        media_root,
        media_host,
        credentials,
        options,
    )


def async_publisher(
    name: str | None = None,
    *,
    api_key: str | Secret | None = None,
    base_url: str | None = None,
    ledger: Ledger | str | Path | None = None,
    plugins: PluginManager | None = None,
    media_fetch: FetchPolicy | None = None,
    media_root: str | os.PathLike[str] | None = None,
    media_host: MediaHost | str | None = None,
    credentials: CredentialSource | None = None,
    **options: Any,
) -> AsyncPublisher:
    """An :class:`AsyncPublisher`; the same arguments as :func:`publisher`."""
    from .async_publisher import AsyncPublisher

    return _made(
        AsyncPublisher,
        name,
        api_key,
        base_url,
        ledger,
        plugins,
        media_fetch,
        media_root,
        media_host,
        credentials,
        options,
    )


def _media_host(value: MediaHost | str | None, plugins: PluginManager) -> MediaHost | None:
    """:func:`~postmux.hosting.open_media_host`, with hosting's code loaded only when a host is asked for."""
    if value is None and not os.environ.get(MEDIA_HOST_ENV):
        return None
    from .hosting import open_media_host

    return open_media_host(value, plugins)


def _made(
    cls: type[P],
    name: str | None,
    api_key: str | Secret | None,
    base_url: str | None,
    ledger: Ledger | str | Path | None,
    plugins: PluginManager | None,
    media_fetch: FetchPolicy | None,
    media_root: str | os.PathLike[str] | None,
    media_host: MediaHost | str | None,
    credentials: CredentialSource | None,
    options: dict[str, Any],
) -> P:
    """What :func:`publisher` and :func:`async_publisher` both do, for the publisher class ``cls``."""
    plugins = plugins or plugin_manager()
    adapter, key, media_fetch = _adapter_and_key(name, api_key, base_url, plugins, media_fetch, credentials)
    host = _media_host(media_host, plugins)
    return cls(
        adapter,
        key,
        ledger=ledger,
        plugins=plugins,
        media_fetch=media_fetch,
        media_root=media_root,
        media_host=host,
        **options,
    )
