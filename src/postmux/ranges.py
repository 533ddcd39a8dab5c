"""Byte ranges of a local file, for chunked uploads: the request of one chunk, and its ``Content-Range``.

A vendor that takes a large file in chunks (each a ``PUT`` of ``bytes FIRST-LAST/TOTAL``)
yields one :func:`range_request` per chunk. Its body is a :class:`~postmux.flow.FileStream`
over the range: read from disk 1 MiB at a time on the sync and the async client alike, the
file re-opened on every send (so a retried chunk is sent whole again), never the chunk in
memory. How a vendor cuts a file into chunks is its own rule (sizes, counts, where the trailing
bytes go); an emulator reads the header back with :func:`parse_content_range`.
"""

from __future__ import annotations

import os
import re

import httpx

from .flow import file_request

__all__ = ["content_range", "parse_content_range", "range_request"]

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


def content_range(offset: int, length: int, total: int) -> str:
    """``Content-Range`` of ``length`` bytes from ``offset`` in a file of ``total``: ``bytes 0-1023/4096``."""
    if offset < 0 or length <= 0 or offset + length > total:
        raise ValueError(f"no range of {length} bytes from {offset} in a file of {total} bytes")
    return f"bytes {offset}-{offset + length - 1}/{total}"


def parse_content_range(value: str) -> tuple[int, int, int] | None:
    """``(first, last, total)`` of a ``bytes FIRST-LAST/TOTAL`` header; ``None`` for anything else."""
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if match is None:
        return None
    first, last, total = (int(n) for n in match.groups())
    return (first, last, total) if first <= last < total else None


def range_request(
    method: str,
    url: str,
    path: str | os.PathLike[str],
    offset: int,
    length: int,
    *,
    total: int | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    """A request whose body is ``length`` bytes of ``path`` from ``offset``, with its ``Content-Range``.

    ``total`` is the whole file's size the header names (default: the file's size on disk).
    ``Host``, ``Content-Length`` and ``Content-Type`` are set as :func:`~postmux.flow.file_request`
    sets them; a range outside the file is a ``ValueError``, before anything is sent.
    """
    span = content_range(offset, length, os.path.getsize(path) if total is None else total)
    request = file_request(
        method, url, path, content_type=content_type, headers=headers, offset=offset, length=length
    )
    request.headers["Content-Range"] = span
    return request
