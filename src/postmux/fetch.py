"""What postmux itself may download: the fetch policy for media URLs.

A vendor that takes only media it holds makes its plugin download each
``Media(url=…)`` and upload the bytes. On a server that publishes what its
users hand it, that download is a server-side request forgery hole: a URL
that names, or redirects to, ``169.254.169.254`` or an internal service would
be fetched from inside the app's network and its answer published.

So a plugin never fetches a medium itself: it marks the request as a media
download (:func:`postmux.flow.media_request`) and the driver fetches it under
a :class:`FetchPolicy`, which by default

* takes ``https`` only;
* resolves the host once and refuses it when any of its addresses is
  loopback, private, link-local, multicast, reserved, unspecified, unique-local
  or otherwise not globally routable (IPv4, IPv6, IPv4-mapped, NAT64 and 6to4
  forms, and numeric spellings such as ``2130706433`` or ``0177.0.0.1``);
* connects to the very address it checked (the URL is rewritten to it; ``Host``
  and TLS SNI keep the name), so a second lookup cannot rebind the name;
* follows redirects itself, at most 5, checking every hop the same way;
* caps the body at the platform's file size limit (lower if set), counted
  while streaming; it asks for no ``Content-Encoding``, and undoes a ``gzip`` or
  ``deflate`` one a bounded piece at a time (:class:`BodyDecoder`), so a
  compressed bomb of a few hundred bytes never inflates past the cap in memory;
  ``br``, ``zstd`` or ``compress`` is refused;
* takes only a content type that fits the medium: ``video/*`` for a video,
  ``image/*`` for a photo. ``application/octet-stream`` (and no type at all)
  is accepted, because object stores serve uploads without a type that way;
  ``allow_octet_stream=False`` refuses it.

Opt-outs are explicit: ``allow_private=True``, ``allow_hosts={"media.internal"}``,
``schemes={"http", "https"}``. The sandbox passes its own policy for its
loopback media host.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from urllib.parse import urlsplit

import attrs
import httpx

from ._eq import fields_eq, fields_hash
from ._record import Record
from ._repr import fields_repr
from .errors import FetchRefusedError, TransportError
from .media import MediaKind
from .rules import RULES

__all__ = [
    "MEDIA_DOWNLOAD",
    "BodyDecoder",
    "FetchPolicy",
    "MediaDownload",
    "Pinned",
    "Resolver",
    "address_refusal",
    "size_limit",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

Resolver = Callable[[str, int], Sequence[str]]
"""``(host, port) -> addresses``: how a name becomes the addresses to check and connect to."""

MEDIA_DOWNLOAD = "postmux.media_download"
"""Request extension: a :class:`MediaDownload`; the driver fetches it under the :class:`FetchPolicy`."""

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_OCTET_STREAMS = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_NUMBER = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


class MediaDownload(Record):
    """What a plugin tells the core about a download: which medium it is, and its kind."""

    __slots__ = ("medium", "kind")  # noqa: RUF023 - the fields' order, which the repr shows

    def __init__(self, medium: str, kind: MediaKind | None) -> None:
        self.medium = medium
        self.kind = kind


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolves ``host`` to, in its order, without repeats."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TransportError(f"could not resolve {host}: {exc}", request_sent=False) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _to_set(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        values = (values,)
    return frozenset(v.lower().rstrip(".") for v in values)


class Pinned(Record):
    """One checked hop: the request goes to ``url`` (the address), ``Host`` and SNI keep the name."""

    __slots__ = ("url", "host_header", "sni_hostname")  # noqa: RUF023 - the fields' order (repr)

    def __init__(self, url: httpx.URL, host_header: str, sni_hostname: str | None) -> None:
        self.url = url
        self.host_header = host_header
        self.sni_hostname = sni_hostname

    def request(self, accept: str, extensions: dict[str, object]) -> httpx.Request:
        """A GET to the checked address."""
        ext = dict(extensions)
        if self.sni_hostname is not None:
            ext["sni_hostname"] = self.sni_hostname
        headers = {"Host": self.host_header, "Accept": accept, "Accept-Encoding": "identity"}
        return httpx.Request("GET", self.url, headers=headers, extensions=ext)


@attrs.frozen(slots=True, kw_only=True)
class FetchPolicy:
    """What a URL must be for postmux to download it (see the module docstring for the defaults).

    ``allow_hosts`` names hosts (``"media.internal"``, ``"host:port"``,
    ``"[::1]:8080"``) exempt from the address rule; every other rule still
    applies to them, and a redirect away from them is checked afresh. ``max_bytes`` lowers the
    platform's file size limit. ``resolver`` is for tests and custom DNS.
    """

    schemes: frozenset[str] = attrs.field(default=frozenset({"https"}), converter=_to_set)
    allow_private: bool = False
    allow_hosts: frozenset[str] = attrs.field(default=frozenset(), converter=_to_set)
    max_redirects: int = 5
    max_bytes: int | None = None
    allow_octet_stream: bool = True
    resolver: Resolver = attrs.field(default=system_resolver, eq=False, repr=False)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def pin(self, url: str, medium: str) -> Pinned:
        """Check one hop's URL and address; the request to send, or :class:`FetchRefusedError`."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchRefusedError(medium, "url", f"{_shown(url)} is not a valid URL") from None
        scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".")
        if scheme not in self.schemes:
            allowed = " or ".join(sorted(self.schemes)) or "none"
            raise FetchRefusedError(
                medium, "scheme", f"{_shown(url)} is {scheme or 'no'} scheme; only {allowed} is fetched"
            )
        if not host:
            raise FetchRefusedError(medium, "url", f"{_shown(url)} names no host")
        port = port or (443 if scheme == "https" else 80)
        literal = literal_address(host)
        if literal is None and _looks_numeric(host):
            raise FetchRefusedError(medium, "url", f"{host} is neither a name nor an address")
        if literal is None:
            host = _ascii_host(host, url, medium)
        addresses = [literal] if literal is not None else self._resolve(host, port, medium)
        named = host if ":" not in host else f"[{host}]"
        exempt = self.allow_private or host in self.allow_hosts or f"{named}:{port}" in self.allow_hosts
        if not exempt:
            for address in addresses:
                why = address_refusal(address)
                if why is not None:
                    # a name's addresses are not echoed: the error may reach whoever chose the URL
                    shown = host if literal is None or str(literal) == host else f"{host} ({literal})"
                    said = "is" if literal is not None else "resolves to"
                    raise FetchRefusedError(medium, "address", f"{shown} {said} a {why} address")
        address = addresses[0]
        name = str(address) if literal is not None else host
        netloc = f"[{address}]" if address.version == 6 else str(address)
        path = parts.path or "/"
        target = f"{scheme}://{netloc}:{port}{path}" + (f"?{parts.query}" if parts.query else "")
        default = port == (443 if scheme == "https" else 80)
        shown_name = f"[{name}]" if ":" in name else name
        return Pinned(
            httpx.URL(target),
            shown_name if default else f"{shown_name}:{port}",
            name if scheme == "https" and literal is None else None,
        )

    def _resolve(self, host: str, port: int, medium: str) -> list[IPAddress]:
        found: list[IPAddress] = []
        for value in self.resolver(host, port):
            try:
                found.append(ipaddress.ip_address(str(value).split("%", 1)[0]))
            except ValueError:
                raise FetchRefusedError(medium, "address", f"{host} resolved to {value!r}") from None
        if not found:
            raise TransportError(f"could not resolve {host}: no addresses", request_sent=False)
        return found

    def check_headers(self, response: httpx.Response, download: MediaDownload, limit: int) -> None:
        """Refuse a final answer whose type does not fit the medium or whose length is over ``limit``."""
        mime = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        kind = download.kind
        if kind is not None:
            family = "video/" if kind is MediaKind.VIDEO else "image/"
            fits = mime.startswith(family) or (self.allow_octet_stream and mime in _OCTET_STREAMS)
            if not fits:
                raise FetchRefusedError(
                    download.medium,
                    "content-type",
                    f"the server sent {mime or 'no content type'} for a {kind.value}",
                )
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise FetchRefusedError(download.medium, "size", f"{length} bytes is over the {limit}-byte limit")

    def over_limit(self, download: MediaDownload, received: int, limit: int) -> FetchRefusedError:
        """The refusal for a body that grew past ``limit`` while streaming."""
        return FetchRefusedError(
            download.medium, "size", f"the body passed the {limit}-byte limit ({received} bytes received)"
        )

    def too_many_redirects(self, download: MediaDownload) -> FetchRefusedError:
        """The refusal for a chain of more than ``max_redirects`` redirects."""
        return FetchRefusedError(download.medium, "redirects", f"more than {self.max_redirects} redirects")

    def limited(self, kind: MediaKind | None, platforms: Iterable[str]) -> int:
        """The byte limit for a medium of ``kind`` going to ``platforms``: the platform's, or lower."""
        limit = size_limit(kind, platforms)
        return limit if self.max_bytes is None else min(limit, self.max_bytes)


_PIECE = 64 * 1024
"""The most one decoding step of a download's body produces (per layer of its ``Content-Encoding``)."""
_INFLATED = frozenset({"gzip", "x-gzip", "deflate"})
_UNBOUNDED = frozenset({"br", "zstd", "compress", "x-compress"})
"""Compressions httpx may undo (with its optional packages) that this cannot bound: refused."""


class _Inflate:
    """One ``gzip`` or ``deflate`` layer, undone at most :data:`_PIECE` bytes a step."""

    def __init__(self, token: str) -> None:
        self.raw_deflate = False
        self.first = True
        self.wbits = zlib.MAX_WBITS | 16 if token != "deflate" else zlib.MAX_WBITS
        self.inflater = zlib.decompressobj(self.wbits)

    def feed(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for data in pieces:
            yield from self._one(data)

    def _one(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self.inflater.decompress(data, _PIECE)
            except zlib.error as exc:
                if self.first and self.wbits == zlib.MAX_WBITS:  # "deflate" sent without its zlib header
                    self.wbits, self.first = -zlib.MAX_WBITS, False
                    self.inflater = zlib.decompressobj(self.wbits)
                    continue
                raise httpx.DecodingError(str(exc)) from None
            self.first = False
            if out:
                yield out
            data = self.inflater.unconsumed_tail
            if not out and not data:
                return

    def flush(self) -> Iterator[bytes]:
        try:
            rest = self.inflater.flush()
        except zlib.error as exc:  # pragma: no cover - flush of consumed input
            raise httpx.DecodingError(str(exc)) from None
        for start in range(0, len(rest), _PIECE):
            yield rest[start : start + _PIECE]


class BodyDecoder:
    """A download's body with its ``Content-Encoding`` undone, never more than a piece at a time in memory.

    httpx inflates a whole network read at once (64 KiB of a stacked ``gzip,
    gzip`` body are gigabytes), before the driver could count a byte against the
    cap; this reads the raw body and inflates it a bounded piece at a time, so the
    count refuses a bomb before it fills the memory. ``identity`` passes through;
    ``gzip`` and ``deflate`` are undone (stacked, in the reverse order of the
    header); ``br``, ``zstd`` and ``compress`` are refused (postmux asked for
    none, and cannot bound them); a token nobody knows is skipped, as httpx skips it.
    """

    def __init__(self, headers: httpx.Headers, download: MediaDownload) -> None:
        tokens = [v.strip().lower() for v in headers.get_list("content-encoding", split_commas=True)]
        other = next((t for t in tokens if t in _UNBOUNDED), None)
        if other is not None:
            raise FetchRefusedError(
                download.medium,
                "content-encoding",
                f"the server sent a {other}-encoded body; only gzip or deflate is undone",
            )
        # the last one applied comes off first; a token nobody knows is skipped, as httpx skips it
        self._layers = [_Inflate(t) for t in reversed(tokens) if t in _INFLATED]

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of one raw chunk."""
        pieces: Iterable[bytes] = (data,)
        for layer in self._layers:
            pieces = layer.feed(pieces)
        yield from pieces

    def finish(self) -> Iterator[bytes]:
        """The pieces left in the layers once the raw body has ended."""
        for i, layer in enumerate(self._layers):
            pieces: Iterable[bytes] = layer.flush()
            for later in self._layers[i + 1 :]:
                pieces = later.feed(pieces)
            yield from pieces


def size_limit(kind: MediaKind | None, platforms: Iterable[str]) -> int:
    """The largest file of ``kind`` any of ``platforms`` takes (every known platform when none).

    The largest, not the smallest: one download serves every target, and a
    target whose platform takes less refuses it on its own.
    """
    rules = [RULES[p] for p in platforms if p in RULES] or list(RULES.values())
    photos = [r.max_photo_bytes for r in rules] if kind is not MediaKind.VIDEO else []
    videos = [r.max_video_bytes for r in rules] if kind is not MediaKind.PHOTO else []
    known = [limit for limit in photos + videos if limit is not None]
    return max(known) if known else max(r.max_video_bytes or 0 for r in RULES.values())


def literal_address(host: str) -> IPAddress | None:
    """The address a host *is* (no lookup): IPv6, dotted IPv4, or the numeric forms ``inet_aton`` takes.

    ``2130706433``, ``0x7f.1`` and ``0177.0.0.1`` all mean 127.0.0.1 to the
    system's resolver, so they must mean it to the policy too.
    """
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    parts = host.lower().split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMBER.match(p) for p in parts):
        return None
    try:
        numbers = [
            int(p, 16) if p.startswith("0x") else int(p, 8) if p.startswith("0") else int(p) for p in parts
        ]
    except ValueError:
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    value = 0
    for n in head:
        value = value << 8 | n
    return ipaddress.IPv4Address(value << (8 * (4 - len(head))) | last)


def _ascii_host(host: str, url: str, medium: str) -> str:
    """A name as DNS and the ``Host`` header spell it: IDNA for a non-ASCII one, as httpx spells a URL's.

    A redirect's ``Location`` is read as written, so ``bücher.example`` arrives here as it is; and a
    name with an empty or over-long label (``a..b``) is one the system resolver cannot even ask for.
    Either is refused as a URL, naming the medium, instead of raising ``UnicodeError``.
    """
    try:
        if not host.isascii():
            import idna  # httpx's own IDNA 2008 encoder, loaded already

            host = idna.encode(host.lower()).decode("ascii")
        host.encode("idna")  # what socket.getaddrinfo does with the name first
    except UnicodeError:  # idna.IDNAError is one too
        raise FetchRefusedError(medium, "url", f"{_shown(url)} names no valid host") from None
    return host


def _looks_numeric(host: str) -> bool:
    return all(_NUMBER.match(p) for p in host.lower().split("."))


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be fetched from (``"loopback"``…), or ``None`` when it is public.

    An IPv6 address that carries an IPv4 one (``::ffff:127.0.0.1``, NAT64
    ``64:ff9b::a00:5``, 6to4 ``2002:7f00:1::``) reaches that IPv4 address, so
    the IPv4 address is judged too.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address_refusal(address.ipv4_mapped)
        if address in _NAT64:
            return address_refusal(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None:
            why = address_refusal(address.sixtofour)
            if why is not None:
                return why
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unique-local", isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")


def _shown(url: str) -> str:
    """A URL for an error message: no query (it may hold a signature) and no user info."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url.split("?", 1)[0][:200]
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}"[:200]
