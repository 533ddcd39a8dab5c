"""The sandbox's media host as an app sees it: local files become URLs on the loopback host.

    with Sandbox() as sandbox:
        pub = sandbox.publisher("wahdx", media_host=sandbox.media_host())
        # or: POSTMUX_MEDIA_HOST=sandbox://127.0.0.1:8700 (the media_url `postmux sandbox` prints)

It plays the part a bucket plays in production (see :mod:`postmux.s3`), so a
URL-only vendor's emulator fetches the file from another origin, as the real
vendor would. Needs only httpx (the server side is the sandbox's
:class:`~postmux.sandbox.MediaHost`); it refuses any address but loopback.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from ..errors import ConfigurationError
from ..hosting import HostedFile, MediaHostError

__all__ = ["SandboxMediaHost"]


class SandboxMediaHost:
    """``put`` sends the file to a running sandbox's media host and returns the URL it serves."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not _loopback(parts.hostname or ""):
            raise ConfigurationError(
                f"the sandbox media host must be on loopback (http://127.0.0.1:port), got {base_url!r}"
            )
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    @classmethod
    def from_spec(cls, spec: str) -> SandboxMediaHost:
        """``sandbox://127.0.0.1:8700`` (or ``sandbox+http://…``): a running sandbox's media URL."""
        scheme, sep, rest = spec.partition("://")
        if not sep or not rest.strip("/"):
            raise ConfigurationError(
                "the sandbox media host needs the sandbox's media address: sandbox://127.0.0.1:PORT "
                "(the media_url that `postmux sandbox` prints)"
            )
        inner = scheme.partition("+")[2] or "http"
        return cls(f"{inner}://{rest}")

    def __repr__(self) -> str:
        return f"<SandboxMediaHost {self.base_url}>"

    def put(self, path: str | os.PathLike[str], *, mime_type: str | None = None) -> HostedFile:
        """Upload the file's bytes; the URL stays valid until removed or the sandbox stops."""
        source = Path(path)
        try:
            with source.open("rb") as stream:
                response = httpx.put(
                    f"{self.base_url}/host/{_name(source)}",
                    content=stream,
                    headers={"Content-Type": mime_type or "application/octet-stream"},
                    timeout=self.timeout,
                )
        except OSError as exc:
            raise MediaHostError(f"cannot read {source}: {exc.strerror or exc}") from None
        except httpx.HTTPError as exc:
            raise MediaHostError(f"the sandbox media host at {self.base_url} failed: {exc}") from None
        if response.status_code != 201:
            raise MediaHostError(f"the sandbox media host answered HTTP {response.status_code}")
        try:
            data = response.json()
            url, key = str(data["url"]), str(data["key"])
        except (ValueError, KeyError, TypeError):
            raise MediaHostError("the sandbox media host's answer could not be read") from None
        return HostedFile(url=url, key=key, source=str(source))

    def remove(self, hosted: HostedFile) -> None:
        """Delete the stored file."""
        try:
            response = httpx.delete(f"{self.base_url}{hosted.key}", timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise MediaHostError(f"the sandbox media host at {self.base_url} failed: {exc}") from None
        if response.status_code not in (200, 204, 404):
            raise MediaHostError(f"the sandbox media host answered HTTP {response.status_code}")


def _name(source: Path) -> str:
    """The file's name for a URL path: its bytes, escaped (a name os.listdir() decoded from bytes
    that are not UTF-8 holds lone surrogates, which ``quote()`` of the text cannot encode)."""
    return quote(os.fsencode(source.name or "media"))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
