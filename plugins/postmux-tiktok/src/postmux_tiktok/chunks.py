"""TikTok's chunk rules (the media transfer guide), each chunk a ``Content-Range`` PUT from the core.

Chunks of 5 to 64 MB (read both ways: 5 MiB to 64,000,000 bytes), the last one taking the trailing
bytes (up to 128 MB), a file under 5 MB whole and one over 64 MB in two chunks at least, at most
1,000, ``total_chunk_count = size // chunk``.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import httpx

from postmux import Post, PostmuxError, Publication, Status
from postmux.errors import nothing_done
from postmux.ranges import range_request
from postmux.reconcile import Attempt
from postmux.results import error_facts

__all__ = ["MAX_CHUNKS", "ChunkPlan", "in_doubt", "plan", "put_chunk"]

MIN_CHUNK, MAX_CHUNK, MAX_CHUNKS = 5 * 1024 * 1024, 64_000_000, 1000
CHUNK = 32 * 1024 * 1024
"""The chunk size postmux picks: inside the rules, and the final chunk stays under 64 MiB."""


@attrs.frozen(slots=True)
class ChunkPlan:
    """``video_size``, ``chunk_size`` and ``total_chunk_count`` as TikTok's init takes them."""

    size: int
    chunk_size: int
    count: int

    def ranges(self) -> Iterator[tuple[int, int]]:
        """(offset, length) of each chunk, the last taking the trailing bytes."""
        for i in range(self.count):
            offset = i * self.chunk_size
            yield offset, (self.size - offset if i == self.count - 1 else self.chunk_size)

    def source_info(self) -> dict[str, object]:
        sizes = {"video_size": self.size, "chunk_size": self.chunk_size, "total_chunk_count": self.count}
        return {"source": "FILE_UPLOAD", **sizes}


def plan(size: int, chunk: int = CHUNK) -> ChunkPlan:
    """The chunks of a file of ``size`` bytes; ``ValueError`` where TikTok's rules cannot be met."""
    if size <= 0 or not MIN_CHUNK <= chunk <= MAX_CHUNK:
        raise ValueError(f"no chunks for {size} bytes in chunks of {chunk} (5 MiB to 64 MB)")
    if size < MIN_CHUNK or size <= min(chunk, MAX_CHUNK):
        return ChunkPlan(size, size, 1)  # whole: under 5 MB it must be, up to one chunk it may be
    if size // chunk < 2 and size > MAX_CHUNK:  # "over 64 MB must be uploaded in multiple chunks"
        chunk = size // 2  # two halves (32 to 64 MB each), the second taking the odd byte
    if size // chunk > MAX_CHUNKS:
        raise ValueError(f"{size} bytes need more than {MAX_CHUNKS} chunks")
    return ChunkPlan(size, chunk, size // chunk)


def put_chunk(url: str, path: str, offset: int, length: int, total: int, mime: str) -> httpx.Request:
    """One chunk's ``PUT`` to the upload URL the init returned, streamed from disk by the core."""
    return range_request("PUT", url, path, offset, length, total=total, content_type=mime)


def in_doubt(sent: Publication, post: Post, exc: PostmuxError) -> Publication:
    """``sent`` (its ``publish_id`` known) after a chunk failed: ``unknown``, with the error and an
    attempt, so reconcile asks ``status/fetch`` by the id (the whole file may have arrived). A refusal
    (nothing done) is raised: TikTok publishes no incomplete upload, so the target is ``failed``."""
    if nothing_done(exc):
        raise exc
    attempt = Attempt.of(post, sent.account_id or "")
    return attrs.evolve(
        sent, status=Status.UNKNOWN, error=str(exc), exception=exc, attempt=attempt, **error_facts(exc)
    )
