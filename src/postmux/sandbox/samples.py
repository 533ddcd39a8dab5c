"""Small sample media made in code, so the sandbox never needs the internet.

The bytes only have to *look* like their format (the right magic numbers and
extensions): the emulators check extensions and MIME types as the vendors do,
never decode a frame. The PNG writer also draws the sandbox's QR images.
"""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

__all__ = ["SAMPLES", "png", "qr_png", "write_samples"]


def png(pixels: list[list[int]], scale: int = 1) -> bytes:
    """A greyscale PNG from rows of 0/1 values (1 is black), each pixel ``scale`` wide."""
    rows = [[v for v in row for _ in range(scale)] for row in pixels for _ in range(scale)]
    height, width = len(rows), len(rows[0]) if rows else 0
    raw = b"".join(b"\x00" + bytes(0 if v else 255 for v in row) for row in rows)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def qr_png(token: str, size: int = 25, scale: int = 6) -> bytes:
    """A QR-looking PNG for ``token`` (three finder squares and seeded noise; not scannable)."""
    rng = random.Random(token)
    grid = [[rng.random() < 0.45 for _ in range(size)] for _ in range(size)]

    def finder(r0: int, c0: int) -> None:
        for r in range(-1, 8):
            for c in range(-1, 8):
                rr, cc = r0 + r, c0 + c
                if 0 <= rr < size and 0 <= cc < size:
                    ring = max(abs(r - 3), abs(c - 3))
                    grid[rr][cc] = ring in (3, 1, 0) and 0 <= r < 7 and 0 <= c < 7

    finder(0, 0)
    finder(0, size - 7)
    finder(size - 7, 0)
    quiet = [[0] * (size + 4)] * 2
    body = [[0, 0, *(1 if v else 0 for v in row), 0, 0] for row in grid]
    return png([*quiet, *body, *quiet], scale)


_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00C\x00" + bytes(range(1, 65)) + b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    b"\xff\xc4\x00\x14\x00\x01" + b"\x00" * 15 + b"\x00\xff\xda\x00\x08\x01\x01\x00\x00?\x00\xd2\xcf \xff\xd9"
)


def _mp4(seconds: int) -> bytes:
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    payload = f"postmux sample video, {seconds} s, 1080x1920".encode()
    return ftyp + struct.pack(">I", 8 + len(payload)) + b"free" + payload


def _jpeg(label: str) -> bytes:
    comment = label.encode()
    return _JPEG[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + _JPEG[2:]


SAMPLES: dict[str, tuple[str, bytes]] = {
    "clip.mp4": ("video/mp4", _mp4(12)),
    "photo-1.jpg": ("image/jpeg", _jpeg("postmux sample photo 1")),
    "photo-2.jpg": ("image/jpeg", _jpeg("postmux sample photo 2")),
    "photo-3.jpg": ("image/jpeg", _jpeg("postmux sample photo 3")),
}
"""File name → (MIME type, bytes) of the media the sandbox serves."""


def write_samples(directory: str | Path) -> list[Path]:
    """Write the sample files into ``directory`` (for trying ``postmux post`` with local files)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (_, data) in SAMPLES.items():
        path = target / name
        path.write_bytes(data)
        written.append(path)
    return written
