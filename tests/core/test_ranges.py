"""The core's ranged file stream: one chunk of a file, streamed from disk, for sync and async clients."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from postmux.flow import CHUNK_SIZE, FileStream
from postmux.ranges import content_range, parse_content_range, range_request

MiB = 1024 * 1024


def _file(tmp_path: Path, size: int) -> tuple[Path, bytes]:
    path = tmp_path / "clip.mp4"
    data = os.urandom(size)
    path.write_bytes(data)
    return path, data


async def _collect(stream: FileStream) -> list[bytes]:
    return [piece async for piece in stream]


def test_a_range_is_its_bytes_of_the_file_sync_async_and_again(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 3 * MiB + 17)
    stream = FileStream(path, offset=MiB, length=MiB + 17)
    want = data[MiB : 2 * MiB + 17]
    assert stream.size == MiB + 17
    assert b"".join(stream) == want
    assert b"".join(stream) == want  # re-read from disk, as a retry sends it
    assert b"".join(asyncio.run(_collect(stream))) == want


def test_a_range_is_read_in_bounded_chunks(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 5 * MiB)
    pieces = list(FileStream(path, offset=7, length=4 * MiB))
    assert max(len(p) for p in pieces) <= CHUNK_SIZE
    assert [len(p) for p in pieces] == [CHUNK_SIZE] * 4
    small = list(FileStream(path, chunk_size=1000, offset=10, length=2500))
    assert [len(p) for p in small] == [1000, 1000, 500]
    assert b"".join(small) == data[10:2510]
    assert [len(p) for p in asyncio.run(_collect(FileStream(path, chunk_size=1000, length=2500)))] == [
        1000,
        1000,
        500,
    ]


def test_without_a_length_the_stream_runs_to_the_end_of_the_file(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 2 * MiB + 3)
    assert b"".join(FileStream(path)) == data
    tail = FileStream(path, offset=MiB)
    assert tail.size == MiB + 3
    assert b"".join(tail) == data[MiB:]


def test_a_range_past_the_end_of_the_file_stops_where_the_file_does(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 100)
    assert b"".join(FileStream(path, offset=90, length=50)) == data[90:]


def test_a_negative_offset_or_length_is_refused() -> None:
    with pytest.raises(ValueError, match="offset and length of 0 or more"):
        FileStream("clip.mp4", offset=-1)
    with pytest.raises(ValueError, match="offset and length of 0 or more"):
        FileStream("clip.mp4", length=-5)


def test_the_request_carries_its_range_and_streams_the_chunk(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 3 * MiB + 17)
    request = range_request(
        "PUT", "https://upload.example/video/?upload_id=1", path, MiB, MiB + 17, content_type="video/mp4"
    )
    assert request.headers["Content-Range"] == f"bytes {MiB}-{2 * MiB + 16}/{len(data)}"
    assert request.headers["Content-Length"] == str(MiB + 17)
    assert request.headers["Content-Type"] == "video/mp4"
    assert request.headers["Host"] == "upload.example"
    assert isinstance(request.stream, FileStream)
    assert b"".join(request.stream) == data[MiB : 2 * MiB + 17]
    named = range_request("PUT", "https://upload.example/u", str(path), 0, 10, total=999)
    assert named.headers["Content-Range"] == "bytes 0-9/999"


def test_a_range_outside_the_file_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    path, _ = _file(tmp_path, 100)
    with pytest.raises(ValueError, match="no range of 11 bytes from 90 in a file of 100 bytes"):
        range_request("PUT", "https://upload.example/u", path, 90, 11)
    with pytest.raises(ValueError, match="no range of 0 bytes"):
        content_range(0, 0, 100)


def test_the_chunks_reach_a_server_whole_on_the_sync_and_async_clients(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 2 * MiB + 5)
    spans = [(0, MiB), (MiB, MiB + 5)]
    received: list[tuple[str, bytes]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        received.append((request.headers["content-range"], request.read()))
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        for offset, length in spans:
            client.send(range_request("PUT", "https://upload.example/u", path, offset, length))

    async def send_async() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            for offset, length in spans:
                await client.send(range_request("PUT", "https://upload.example/u", path, offset, length))

    asyncio.run(send_async())
    first = (f"bytes 0-{MiB - 1}/{len(data)}", data[:MiB])
    second = (f"bytes {MiB}-{2 * MiB + 4}/{len(data)}", data[MiB:])
    assert received == [first, second, first, second]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes 0-1023/4096", (0, 1023, 4096)),
        (" bytes 5-5/6 ", (5, 5, 6)),
        ("bytes 10-9/100", None),
        ("bytes 0-100/100", None),
        ("bytes */100", None),
        ("bytes 0-1/x", None),
        ("items 0-1/2", None),
        ("", None),
    ],
)
def test_an_emulator_reads_the_header_back(header: str, expected: tuple[int, int, int] | None) -> None:
    assert parse_content_range(header) == expected
    if expected is not None:
        first, last, total = expected
        assert content_range(first, last - first + 1, total) == f"bytes {first}-{last}/{total}"
