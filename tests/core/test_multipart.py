"""The core's streamed multipart body: httpx's bytes, in 1 MiB chunks, for sync and async clients."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.fakes import FakeAdapter
from postmux.flow import CHUNK_SIZE, MultipartStream, file_parts, multipart_request


def _files(tmp_path: Path, *contents: tuple[str, bytes]) -> list[tuple[str, Any]]:
    files: list[tuple[str, Any]] = []
    for i, (name, data) in enumerate(contents):
        path = tmp_path / f"f{i}"
        path.write_bytes(data)
        files.append((f"file{i}", (name, path.open("rb"), "video/mp4")))
    return files


def _same_boundary(ours: httpx.Request, reference: httpx.Request) -> None:
    assert isinstance(ours.stream, MultipartStream)
    boundary = reference.headers["content-type"].split("boundary=")[1]
    ours.stream.boundary = boundary.encode()
    ours.headers["Content-Type"] = ours.stream.content_type = reference.headers["content-type"]


def test_the_body_and_headers_are_httpx_own_byte_for_byte(tmp_path: Path) -> None:
    big = bytes(range(256)) * 12_000  # ~3 MiB: several chunks
    files = _files(tmp_path, ("clip.mp4", big), ('we"ird\\\x01.jpg', b""), ("c.png", b"xyz"))
    reference = httpx.Request("POST", "https://vendor.example/upload", files=files)
    reference.read()
    parts = file_parts(files)
    assert parts is not None
    ours = multipart_request("POST", "https://vendor.example/upload", parts)
    _same_boundary(ours, reference)
    chunks = list(ours.stream)  # type: ignore[arg-type]
    assert b"".join(chunks) == reference.content
    assert max(len(c) for c in chunks) == CHUNK_SIZE
    assert list(ours.headers.items()) == list(reference.headers.items())
    assert b"".join(ours.stream) == reference.content  # type: ignore[arg-type]  # a retry sends it whole again


def test_the_async_body_is_the_same(tmp_path: Path) -> None:
    parts = file_parts(_files(tmp_path, ("a.mp4", b"a" * 5000)))
    assert parts is not None
    stream = MultipartStream(parts, boundary=b"b0")

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in stream])

    assert asyncio.run(collect()) == b"".join(stream)


@pytest.mark.parametrize(
    "value",
    [
        ("a.mp4", b"bytes in memory", "video/mp4"),
        ("a.mp4", io.BytesIO(b"no file descriptor"), "video/mp4"),
        ("", None, "video/mp4"),
        ("a.mp4", None),
    ],
)
def test_what_is_not_an_open_file_is_left_to_httpx(value: tuple[Any, ...]) -> None:
    assert file_parts([("file", value)]) is None


def test_the_adapter_streams_files_in_large_chunks(tmp_path: Path) -> None:
    adapter = FakeAdapter()
    files = _files(tmp_path, ("clip.mp4", b"v" * (CHUNK_SIZE + 10)))
    request = adapter.request("POST", "/upload", files=files)
    assert isinstance(request.stream, MultipartStream)
    assert int(request.headers["content-length"]) == request.stream.size
    assert sum(len(c) for c in request.stream) == request.stream.size
    in_memory = adapter.request("POST", "/upload", files=[("file", ("a.txt", b"x", "text/plain"))])
    assert not isinstance(in_memory.stream, MultipartStream)
    assert b"x" in in_memory.read()
