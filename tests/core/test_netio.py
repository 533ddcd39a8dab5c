"""postmux's asyncio network backend for httpcore: real loopback sockets, and every failure read exactly.

What postmux reads as "never sent" (``ConnectError``, ``ConnectTimeout``) must
come only from connecting or the TLS handshake: a connection lost once a
request was written is a read or protocol error, so a publish is never
retried as if it had not been sent.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpcore
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from postmux import drivers, netio
from postmux.pool import ShardedAsyncTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"


async def _head_and_body(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-len")),
        0,
    )
    return head + await reader.readexactly(length)


async def _serve(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> asyncio.Server:
    return await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ssl_context)


def _url(server: asyncio.Server, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"


def _client(verify: ssl.SSLContext | bool = True, **kwargs: object) -> httpx.AsyncClient:
    context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context()

    def pool(size: int) -> httpx.AsyncBaseTransport:
        from postmux.pool import _http_transport

        return _http_transport(size, context=context)

    return httpx.AsyncClient(transport=ShardedAsyncTransport(8, factory=pool), **kwargs)  # type: ignore[arg-type]


async def test_the_async_publishers_pools_use_postmuxs_backend() -> None:
    transport = ShardedAsyncTransport(8)
    pool = transport.shards[0]._pool  # type: ignore[attr-defined]
    assert isinstance(pool, httpcore.AsyncConnectionPool)
    assert isinstance(pool._network_backend, netio.AsyncioBackend)
    await transport.aclose()


async def test_requests_round_trip_and_the_connection_is_kept_alive() -> None:
    heads: list[bytes] = []
    connections = 0

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                heads.append(await _head_and_body(reader))
                writer.write(OK)
        except asyncio.IncompleteReadError:
            writer.close()

    server = await _serve(answer)
    async with server, _client() as client:
        for i in range(5):
            response = await client.post(_url(server), json={"n": i})
            assert response.json() == {}
        response = await client.get(_url(server))  # no body: the held head goes out on the read
        assert response.status_code == 200
    assert connections == 1
    assert heads[0].endswith(b'{"n":0}')
    assert heads[-1].startswith(b"GET /x")


async def test_a_refused_connection_is_a_connect_error_nothing_sent() -> None:
    server = await _serve(lambda r, w: asyncio.sleep(0))
    url = _url(server)
    server.close()
    await server.wait_closed()
    async with _client() as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.post(url, json={})
    assert isinstance(caught.value, drivers._NOT_SENT)


@pytest.mark.parametrize("how", ["close", "reset"])
async def test_a_disconnect_after_the_request_was_read_never_reads_as_not_sent(how: str) -> None:
    received: list[bytes] = []

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await _head_and_body(reader))
        if how == "reset":
            writer.transport.abort()
        else:
            writer.close()

    server = await _serve(hang_up)
    async with server, _client() as client:
        with pytest.raises(httpx.TransportError) as caught:
            await client.post(_url(server), json={"text": "hello"})
    assert received
    assert received[0].endswith(b'{"text":"hello"}')
    assert isinstance(caught.value, httpx.RemoteProtocolError | httpx.ReadError)
    assert not isinstance(caught.value, drivers._NOT_SENT)


async def test_a_silent_server_is_a_read_timeout_and_a_silent_handshake_a_connect_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    server = await _serve(silent)
    async with server, _client(timeout=httpx.Timeout(0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(_url(server), json={})
        with pytest.raises(httpx.ConnectTimeout):  # no TLS answer: still connecting, nothing sent
            await client.get(_url(server, "https"))


async def test_an_upload_cut_short_by_the_server_is_not_read_as_not_sent() -> None:
    async def take_some(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(100_000)
        writer.transport.abort()

    async def body() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"\0" * (1 << 20)

    server = await _serve(take_some)
    async with server, _client() as client:
        with pytest.raises(httpx.TransportError) as caught:
            await client.put(_url(server), content=body(), headers={"Content-Length": str(64 << 20)})
    assert not isinstance(caught.value, drivers._NOT_SENT)


async def test_a_large_download_read_slowly_never_piles_up_in_memory() -> None:
    size = 16 << 20

    async def send_much(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _head_and_body(reader)
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
        for _ in range(size >> 20):
            writer.write(b"\0" * (1 << 20))
            await writer.drain()
        writer.close()

    server = await _serve(send_much)
    most = received = 0
    async with server, _client() as client, client.stream("GET", _url(server)) as response:
        stream = response.extensions["network_stream"]
        assert isinstance(stream, netio.AsyncioStream)
        async for chunk in response.aiter_raw():
            received += len(chunk)
            most = max(most, stream._protocol.buffered)
            await asyncio.sleep(0.001)
    assert received == size
    assert most <= netio.READ_HIGH_WATER + (256 << 10)  # paused at the mark (one socket read past it)


def _certificate(tmp: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting it) for a self-signed certificate of ``name``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_tls_checks_the_sni_hostname_the_pinned_download_gives(tmp_path: Path) -> None:
    """The media download connects to a pinned address and names the host for TLS (``sni_hostname``)."""
    server_context, client_context = _certificate(tmp_path, "cdn.example.com")
    named: list[str | None] = []
    server_context.sni_callback = lambda sock, name, ctx: named.append(name)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await _head_and_body(reader)
            writer.write(OK)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        writer.close()

    server = await _serve(answer, server_context)
    url = _url(server, "https")
    assert ipaddress.ip_address(httpx.URL(url).host).is_loopback
    async with server, _client(client_context) as client:
        pinned = client.build_request("GET", url, extensions={"sni_hostname": "cdn.example.com"})
        response = await client.send(pinned)
        assert response.status_code == 200
        assert response.extensions["network_stream"].get_extra_info("ssl_object") is not None
        with pytest.raises(httpx.ConnectError):  # without the name the address's certificate check fails
            await client.get(url)
    assert named[0] == "cdn.example.com"
