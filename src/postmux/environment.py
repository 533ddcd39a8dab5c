"""Where a publisher's base URL and key come from when the code does not say.

In order: an explicit ``base_url=`` (and ``api_key=``); then ``POSTMUX_SANDBOX``,
the URL of a running ``postmux sandbox``, which points every publisher at that
sandbox's emulator of its vendor with the emulator's key (no real key needed,
and no request can reach the real vendor); then ``<VENDOR>_BASE_URL`` beside
``<VENDOR>_API_KEY``; then the plugin's default.

A sandbox describes itself — base URL and key per emulator — at
``GET <POSTMUX_SANDBOX>/sandbox.json``, in the same form as its state file,
which the command's ``--sandbox`` flag reads: :func:`sandbox_endpoint` reads
either.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from ._record import Record
from .errors import ConfigurationError
from .fetch import FetchPolicy

if TYPE_CHECKING:
    from .adapter import Adapter

__all__ = [
    "DESCRIPTION_PATH",
    "MEDIA_HOST_ENV",
    "SANDBOX_ENV",
    "Configured",
    "base_url_variable",
    "configured",
    "describe_sandbox",
    "sandbox_endpoint",
    "sandbox_media_fetch",
]

MEDIA_HOST_ENV = "POSTMUX_MEDIA_HOST"
"""The environment variable naming a media host when ``media_host=`` is not passed (see :mod:`.hosting`)."""

SANDBOX_ENV = "POSTMUX_SANDBOX"
"""The URL of a running ``postmux sandbox`` that every publisher then talks to."""

DESCRIPTION_PATH = "/sandbox.json"
"""Where a sandbox serves its description (on the URL it prints)."""


def base_url_variable(env_var: str, provider: str) -> str:
    """The base-URL variable beside a key variable: ``WAHDX_API_KEY`` → ``WAHDX_BASE_URL``."""
    for suffix in ("_API_KEY", "_KEY", "_TOKEN"):
        if env_var.endswith(suffix):
            return env_var.removesuffix(suffix) + "_BASE_URL"
    return provider.upper().replace("-", "_") + "_BASE_URL"


def describe_sandbox(url: str) -> dict[str, Any]:
    """The description a running sandbox serves at ``url``; a :class:`ConfigurationError` if none."""
    where = url.rstrip("/") + DESCRIPTION_PATH
    try:
        response = httpx.get(where, timeout=5.0, trust_env=False)  # a local sandbox: never via a proxy
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ConfigurationError(
            f"{SANDBOX_ENV}={url!r} but no postmux sandbox answers at {where}: {type(exc).__name__}: {exc} "
            "(start one with `postmux sandbox`, or unset the variable)"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("providers"), dict):
        raise ConfigurationError(f"{where} is not a postmux sandbox's description")
    return data


def sandbox_endpoint(description: Mapping[str, Any], provider: str) -> tuple[str, str]:
    """(base URL, API key) of ``provider``'s emulator in a sandbox's description or state file."""
    providers = description.get("providers") or {}
    entry = providers.get(provider)
    if not isinstance(entry, Mapping):
        running = ", ".join(providers) or "none"
        raise ConfigurationError(f"the running sandbox has no {provider!r} emulator; running: {running}")
    return str(entry["base_url"]), str(entry["api_key"])


def sandbox_media_fetch(media_url: str) -> FetchPolicy:
    """The fetch policy for a sandbox's media host: plain HTTP, and its loopback address allowed.

    Only that host is exempt from the address rule, so a sample URL of the
    sandbox can be downloaded (Wonda's plugin does) and no other private
    address is; plain HTTP is allowed for every host (a policy's schemes are
    not per host).
    """
    netloc = urlsplit(media_url).netloc
    return FetchPolicy(schemes={"http", "https"}, allow_hosts={netloc} if netloc else ())


class Configured(Record):
    """What the environment says for one publisher; ``None`` where it says nothing.

    ``api_key`` is set only for a sandbox: it then replaces any key given, since the
    emulator accepts no other and a real key has no business there.
    """

    __slots__ = ("base_url", "api_key", "media_fetch")  # noqa: RUF023 - the fields' order (repr)

    def __init__(self, base_url: str | None, api_key: str | None, media_fetch: FetchPolicy | None) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.media_fetch = media_fetch


def configured(adapter: type[Adapter], base_url: str | None) -> Configured:
    """The base URL (and, for a sandbox, key and media policy) for a publisher given ``base_url``."""
    if base_url is not None:
        return Configured(base_url, None, None)
    sandbox = os.environ.get(SANDBOX_ENV)
    if sandbox:
        description = describe_sandbox(sandbox)
        url, key = sandbox_endpoint(description, adapter.name)
        return Configured(url, key, sandbox_media_fetch(str(description.get("media_url", ""))))
    variable = adapter.base_url_var or base_url_variable(adapter.env_var, adapter.name)
    return Configured(os.environ.get(variable) or None, None, None)
