"""The fetch policy: what postmux downloads itself, refused before any connection.

Every refusal is checked on the sync and the async driver, with the
"internal service" (a real loopback server recording hits) as the prize: a
refused case must leave it untouched, and the recording transport must have
seen no attempt to anywhere it should not go. See :mod:`.fetch_support`.
"""

from __future__ import annotations

import functools
import gzip
import ipaddress
import re
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import httpx
import pytest

from postmux import FetchPolicy, FetchRefusedError, MediaKind, ProviderError, TransportError
from postmux.fetch import address_refusal, literal_address, size_limit, system_resolver
from postmux.rules import GiB, MiB

from .fetch_support import VIDEO, Answer, InternalService, Routing, fetch, resolver

MODES = ["sync", "async"]
PUBLIC = "151.101.2.10"
"""A public address the test CDN "resolves" to; only the mock side of :class:`Routing` ever sees it."""

PRIVATE_NAMES = {
    "internal.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "v6.example": ["fd00::1"],
    "mixed.example": [PUBLIC, "10.0.0.5"],  # one bad address is enough
}
DNS = resolver({"cdn.example.com": [PUBLIC], "localhost": ["::1", "127.0.0.1"], **PRIVATE_NAMES})
ANY_SCHEME = FetchPolicy(schemes={"http", "https"}, resolver=DNS)
"""The defaults, but plain HTTP too: so that the address rule is what refuses a loopback URL."""


@pytest.fixture
def internal() -> Iterator[InternalService]:
    with InternalService() as service:
        yield service


def loopback_urls(port: int) -> dict[str, str]:
    """The internal service under every spelling of loopback."""
    return {
        "literal": f"http://127.0.0.1:{port}/clip.mp4",
        "other-loopback": f"http://127.0.0.2:{port}/clip.mp4",
        "localhost": f"http://localhost:{port}/clip.mp4",
        "ipv6": f"http://[::1]:{port}/clip.mp4",
        "ipv4-mapped": f"http://[::ffff:127.0.0.1]:{port}/clip.mp4",
        "decimal": f"http://2130706433:{port}/clip.mp4",
        "octal": f"http://0177.0.0.1:{port}/clip.mp4",
        "hex-short": f"http://0x7f.1:{port}/clip.mp4",
    }


LOOPBACK_CASES = list(loopback_urls(0))
PRIVATE_URLS = {
    "10.0.0.5": "https://internal.example/clip.mp4",
    "169.254.169.254": "https://metadata.example/latest/meta-data/clip.mp4",
    "fd00::1": "https://v6.example/clip.mp4",
    "one of several": "https://mixed.example/clip.mp4",
    "metadata literal": "https://169.254.169.254/latest/clip.mp4",
}


# -- addresses, spelled every way -------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("10.0.0.5", "10.0.0.5"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
        ("cdn.example.com", None),
        ("1.2.3.example", None),
    ],
)
def test_numeric_host_spellings_are_read_as_the_address_the_system_would_use(
    host: str, address: str | None
) -> None:
    assert literal_address(host) == (None if address is None else ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.5", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::1", "unique-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not globally routable"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_every_non_public_address_is_refused_with_its_reason(address: str, why: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == why


# -- the internal service, under every spelling ------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", LOOPBACK_CASES)
def test_a_loopback_url_is_refused_before_connecting(internal: InternalService, mode: str, case: str) -> None:
    routing = Routing()
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, ANY_SCHEME, loopback_urls(internal.port)[case], routing)
    assert (caught.value.medium, caught.value.rule) == ("media[0]", "address")
    assert "loopback" in str(caught.value)
    assert internal.hits == []
    assert routing.attempts == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(PRIVATE_URLS))
def test_a_name_or_address_in_a_private_range_is_refused_before_connecting(mode: str, case: str) -> None:
    routing = Routing()  # would serve a perfect video to any attempt
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, FetchPolicy(resolver=DNS), PRIVATE_URLS[case], routing)
    assert caught.value.rule == "address"
    assert routing.attempts == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", LOOPBACK_CASES + list(PRIVATE_URLS))
def test_a_redirect_from_an_allowed_host_is_checked_the_same_way(
    internal: InternalService, mode: str, case: str
) -> None:
    bad = {**loopback_urls(internal.port), **PRIVATE_URLS}[case]
    routing = Routing(lambda r: _redirect(bad) if r.headers["host"] == "cdn.example.com" else _video())
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, ANY_SCHEME, "https://cdn.example.com/clip.mp4", routing)
    # httpx itself cannot parse an octal host in a Location: refused as an unreadable URL
    assert caught.value.rule == ("url" if case == "octal" else "address")
    assert [r.headers["host"] for r in routing.attempts] == ["cdn.example.com"]  # the allowed hop only
    assert internal.hits == []


@pytest.mark.parametrize("mode", MODES)
def test_plain_http_is_refused_by_default_even_on_a_public_host(mode: str) -> None:
    routing = Routing()
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, FetchPolicy(resolver=DNS), "http://cdn.example.com/clip.mp4", routing)
    assert caught.value.rule == "scheme"
    assert routing.attempts == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("location", "rule"),
    [("https://169.254.169.254/latest/meta-data/", "address"), ("http://10.0.0.5/clip.mp4", "scheme")],
)
def test_a_client_that_follows_redirects_still_has_each_hop_checked(
    mode: str, location: str, rule: str
) -> None:
    # an app's client made with follow_redirects=True: httpx must not follow the hop itself
    routing = Routing(
        lambda r: _redirect(location) if r.headers.get("host") == "cdn.example.com" else _video()
    )
    with pytest.raises(FetchRefusedError) as caught:
        fetch(
            mode,
            FetchPolicy(resolver=DNS),
            "https://cdn.example.com/clip.mp4",
            routing,
            follow_redirects=True,
        )
    assert caught.value.rule == rule
    assert [str(r.url) for r in routing.attempts] == [f"https://{PUBLIC}/clip.mp4"]  # the CDN only


@pytest.mark.parametrize("mode", MODES)
def test_a_client_that_follows_redirects_gets_the_media_through_checked_hops(mode: str) -> None:
    routing = Routing(
        lambda r: _redirect("https://cdn.example.com/real.mp4") if r.url.path == "/start.mp4" else _video()
    )
    response, body = fetch(
        mode, FetchPolicy(resolver=DNS), "https://cdn.example.com/start.mp4", routing, follow_redirects=True
    )
    assert (response.status_code, body) == (200, VIDEO)
    assert [str(r.url) for r in routing.attempts] == [
        f"https://{PUBLIC}/start.mp4",
        f"https://{PUBLIC}/real.mp4",
    ]
    assert [r.headers["host"] for r in routing.attempts] == ["cdn.example.com", "cdn.example.com"]


@pytest.mark.parametrize("mode", MODES)
def test_a_redirect_to_plain_http_is_refused(mode: str) -> None:
    routing = Routing(lambda r: _redirect("http://cdn.example.com/clip.mp4"))
    with pytest.raises(FetchRefusedError, match="only https"):
        fetch(mode, FetchPolicy(resolver=DNS), "https://cdn.example.com/start.mp4", routing)
    assert len(routing.attempts) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_redirect_to_a_non_ascii_host_is_fetched_by_its_idna_name(mode: str) -> None:
    # a Location is read as written: the name must be spelled for DNS, Host and SNI as httpx spells a URL's
    location = "https://B\u00fccher.example/clip.mp4".encode()
    names = {"cdn.example.com": [PUBLIC], "xn--bcher-kva.example": [PUBLIC], "b\u00fccher.example": [PUBLIC]}
    policy = FetchPolicy(resolver=resolver(names))  # the system's resolver takes either spelling
    routing = Routing(
        lambda r: (
            httpx.Response(302, headers=[(b"Location", location)]) if r.url.path == "/start" else _video()
        )
    )
    response, body = fetch(mode, policy, "https://cdn.example.com/start", routing)
    assert (response.status_code, body) == (200, VIDEO)
    hop = routing.attempts[-1]
    assert (hop.headers["host"], hop.extensions["sni_hostname"]) == ("xn--bcher-kva.example",) * 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("https://a..b/clip.mp4", None),
        (f"https://{'a' * 64}.example/clip.mp4", None),
        ("https://cdn.example.com/start", b"https://a..b/clip.mp4"),
        ("https://cdn.example.com/start", b"https://xn--zz.example/clip.mp4"),  # not valid punycode
    ],
    ids=["empty-label", "label-over-63", "redirect-empty-label", "redirect-bad-punycode"],
)
def test_a_host_that_cannot_be_spelled_for_dns_is_refused_as_a_url(
    mode: str, url: str, location: bytes | None
) -> None:
    # the system resolver (no lookup happens: the name is refused before one, as getaddrinfo would)
    policy = FetchPolicy(
        resolver=lambda host, port: [PUBLIC] if host == "cdn.example.com" else system_resolver(host, port)
    )
    routing = Routing(lambda r: httpx.Response(302, headers=[(b"Location", location or b"")]))
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, policy, url, routing)
    assert (caught.value.medium, caught.value.rule) == ("media[0]", "url")
    assert len(routing.attempts) == (0 if location is None else 1)


# -- the connection goes where the check looked ---------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_the_connection_is_made_to_the_checked_address_and_the_name_is_not_looked_up_again(mode: str) -> None:
    calls: list[str] = []
    answers = iter([[PUBLIC], ["127.0.0.1"]])  # a rebinding DNS: public first, loopback after

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    routing = Routing()
    response, body = fetch(
        mode, FetchPolicy(resolver=rebinding), "https://cdn.example.com/v/clip.mp4?sig=1", routing
    )
    assert (response.status_code, body) == (200, VIDEO)
    assert calls == ["cdn.example.com"]
    (sent,) = routing.attempts
    assert str(sent.url) == f"https://{PUBLIC}/v/clip.mp4?sig=1"
    assert sent.headers["host"] == "cdn.example.com"
    assert sent.extensions["sni_hostname"] == "cdn.example.com"  # TLS checks the name's certificate
    assert "authorization" not in sent.headers


@pytest.mark.parametrize("mode", MODES)
def test_an_allowed_internal_host_is_reached_at_its_checked_address_only(
    internal: InternalService, mode: str
) -> None:
    # "media.test" exists in no DNS: the fetch can only succeed by connecting to the address checked
    policy = FetchPolicy(
        schemes={"http"}, allow_hosts={"media.test"}, resolver=resolver({"media.test": ["127.0.0.1"]})
    )
    response, body = fetch(mode, policy, f"http://media.test:{internal.port}/clip.mp4", Routing())
    assert (response.status_code, body) == (200, VIDEO)
    assert internal.hits == [("/clip.mp4", f"media.test:{internal.port}")]


@pytest.mark.parametrize("mode", MODES)
def test_allow_private_is_an_explicit_opt_out(internal: InternalService, mode: str) -> None:
    policy = FetchPolicy(schemes={"http"}, allow_private=True)
    _, body = fetch(mode, policy, f"{internal.origin}/clip.mp4", Routing())
    assert body == VIDEO
    assert len(internal.hits) == 1


def test_an_allowed_host_is_exempt_by_name_and_port_only() -> None:
    policy = FetchPolicy(schemes={"http"}, allow_hosts={"127.0.0.1:8001", "[::1]:8001"})
    assert policy.pin("http://127.0.0.1:8001/a.mp4", "media[0]").url.port == 8001
    assert policy.pin("http://[::1]:8001/a.mp4", "media[0]").host_header == "[::1]:8001"
    with pytest.raises(FetchRefusedError, match="loopback"):
        policy.pin("http://127.0.0.1:8002/a.mp4", "media[0]")


# -- redirects, size and type ---------------------------------------------------------------


def _redirect(location: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location}, content=b"<html>moved</html>")


def _video() -> httpx.Response:
    return httpx.Response(200, content=VIDEO, headers={"Content-Type": "video/mp4"})


def _allowed(internal: InternalService, **kwargs: object) -> FetchPolicy:
    return FetchPolicy(schemes={"http"}, allow_hosts={f"127.0.0.1:{internal.port}"}, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
def test_five_redirects_are_followed_and_a_sixth_is_refused(internal: InternalService, mode: str) -> None:
    for n in range(1, 7):
        internal.routes[f"/r{n}"] = Answer(302, {"Location": f"/r{n - 1}" if n > 1 else "/clip.mp4"}, b"")
    _, body = fetch(mode, _allowed(internal), f"{internal.origin}/r5", Routing())
    assert body == VIDEO
    assert len(internal.hits) == 6
    internal.hits.clear()
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, _allowed(internal), f"{internal.origin}/r6", Routing())
    assert (caught.value.rule, str(caught.value).count("more than 5 redirects")) == ("redirects", 1)
    assert [path for path, _ in internal.hits] == ["/r6", "/r5", "/r4", "/r3", "/r2", "/r1"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_body_over_the_cap_is_refused(internal: InternalService, mode: str, declared: bool) -> None:
    internal.routes["/big.mp4"] = Answer(body=b"\x00" * 50_000, length=declared)
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, _allowed(internal, max_bytes=10_000), f"{internal.origin}/big.mp4", Routing())
    assert caught.value.rule == "size"
    assert "10000-byte limit" in str(caught.value)


LIMIT = 100_000


@functools.cache
def _bomb(inflated: int, layers: int) -> bytes:
    """``inflated`` zero bytes, gzipped ``layers`` times: a few hundred bytes on the wire."""
    body = bytes(inflated)
    for _ in range(layers):
        body = gzip.compress(body, compresslevel=9)
    return body


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("layers", [1, 2], ids=["gzip", "gzip-gzip"])
@pytest.mark.parametrize("status", [200, 404], ids=["media", "error-page"])
def test_a_compressed_bomb_never_inflates_past_the_cap_in_memory(
    internal: InternalService, mode: str, layers: int, status: int
) -> None:
    bomb = _bomb(64 * MiB, layers)
    assert len(bomb) < LIMIT  # so its Content-Length does not refuse it up front
    encoding = ", ".join(["gzip"] * layers)
    internal.routes["/bomb.mp4"] = Answer(
        status, {"Content-Type": "video/mp4", "Content-Encoding": encoding}, bomb
    )
    tracemalloc.start()
    try:
        with pytest.raises((FetchRefusedError, ProviderError)) as caught:
            fetch(mode, _allowed(internal, max_bytes=LIMIT), f"{internal.origin}/bomb.mp4", Routing())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB  # httpx alone inflated each network read whole: 64 MiB and more at once
    if status == 200:
        assert isinstance(caught.value, FetchRefusedError)
        assert caught.value.rule == "size"
        received = int(re.search(r"\((\d+) bytes received\)", str(caught.value)).group(1))  # type: ignore[union-attr]
        assert received <= LIMIT + 64 * 1024


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("identity", lambda b: b),
    ],
    ids=["gzip", "x-gzip", "gzip-gzip", "deflate", "raw-deflate", "identity"],
)
def test_an_encoded_body_is_decoded(
    internal: InternalService, mode: str, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    payload = VIDEO * 5000
    internal.routes["/m.mp4"] = Answer(
        headers={"Content-Type": "video/mp4", "Content-Encoding": encoding}, body=encode(payload)
    )
    _, body = fetch(mode, _allowed(internal), f"{internal.origin}/m.mp4", Routing())
    assert body == payload


@pytest.mark.parametrize("mode", MODES)
def test_a_download_asks_for_no_content_encoding(mode: str) -> None:
    routing = Routing()
    fetch(mode, FetchPolicy(resolver=DNS), "https://cdn.example.com/clip.mp4", routing)
    assert routing.attempts[-1].headers["accept-encoding"] == "identity"


@pytest.mark.parametrize("mode", MODES)
def test_an_encoding_that_cannot_be_bounded_is_refused(internal: InternalService, mode: str) -> None:
    internal.routes["/m.mp4"] = Answer(headers={"Content-Type": "video/mp4", "Content-Encoding": "br"})
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, _allowed(internal), f"{internal.origin}/m.mp4", Routing())
    assert caught.value.rule == "content-encoding"
    assert "br-encoded" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("content_type", "kind", "allowed"),
    [
        ("text/html; charset=utf-8", MediaKind.VIDEO, False),
        ("application/json", MediaKind.PHOTO, False),
        ("image/jpeg", MediaKind.VIDEO, False),
        ("video/mp4", MediaKind.PHOTO, False),
        ("video/mp4", MediaKind.VIDEO, True),
        ("image/webp", MediaKind.PHOTO, True),
        ("application/octet-stream", MediaKind.VIDEO, True),
        ("binary/octet-stream", MediaKind.PHOTO, True),
    ],
)
def test_the_content_type_must_fit_the_medium(
    internal: InternalService, mode: str, content_type: str, kind: MediaKind, allowed: bool
) -> None:
    internal.routes["/m"] = Answer(headers={"Content-Type": content_type})
    url = f"{internal.origin}/m"
    if allowed:
        assert fetch(mode, _allowed(internal), url, Routing(), kind=kind)[1] == VIDEO
        return
    with pytest.raises(FetchRefusedError) as caught:
        fetch(mode, _allowed(internal), url, Routing(), kind=kind)
    assert caught.value.rule == "content-type"
    assert content_type.split(";")[0] in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_octet_stream_can_be_refused_too(internal: InternalService, mode: str) -> None:
    internal.routes["/m"] = Answer(headers={"Content-Type": "application/octet-stream"})
    with pytest.raises(FetchRefusedError, match="content-type"):
        fetch(mode, _allowed(internal, allow_octet_stream=False), f"{internal.origin}/m", Routing())


@pytest.mark.parametrize("mode", MODES)
def test_an_error_answer_is_a_provider_error_naming_the_host_not_its_address(mode: str) -> None:
    routing = Routing(lambda r: httpx.Response(404, text="gone"))
    with pytest.raises(ProviderError, match=r"cdn\.example\.com answered HTTP 404"):
        fetch(mode, FetchPolicy(resolver=DNS), "https://cdn.example.com/clip.mp4", routing)


def test_the_size_cap_is_the_platforms_unless_set_lower() -> None:
    assert size_limit(MediaKind.PHOTO, ["instagram"]) == 8 * MiB
    assert size_limit(MediaKind.PHOTO, ["instagram", "tiktok"]) == 20 * MiB  # one download serves both
    assert size_limit(MediaKind.VIDEO, ["instagram"]) == 300 * MiB
    assert size_limit(MediaKind.VIDEO, ["tiktok", "threads"]) == 4 * GiB
    assert FetchPolicy(max_bytes=MiB).limited(MediaKind.VIDEO, ["tiktok"]) == MiB
    assert FetchPolicy(max_bytes=64 * GiB).limited(MediaKind.VIDEO, ["tiktok"]) == 4 * GiB


def test_refusals_never_quote_a_query_string() -> None:
    with pytest.raises(FetchRefusedError) as caught:
        FetchPolicy().pin("http://cdn.example.com/a.mp4?X-Signature=s3cr3t", "media[0]")
    assert "s3cr3t" not in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_network_failure_names_the_host_not_the_pinned_address(mode: str) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(TransportError) as caught:
        fetch(mode, FetchPolicy(resolver=DNS), "https://cdn.example.com/clip.mp4?sig=secret", Routing(refuse))
    assert "GET https://cdn.example.com/clip.mp4 failed" in str(caught.value)
    assert PUBLIC not in str(caught.value)
    assert "secret" not in str(caught.value)
