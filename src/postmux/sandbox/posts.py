"""Posts that fan out: one request, one post id, a record per target account.

Some vendors answer a publish request with one post and follow each target
under it: the post has one status word made of its targets' words (all
``published``; some ``published`` and some ``failed``: a mixed word), is
listed, and its scheduled targets are cancelled or moved together. An
emulator of such a vendor keeps its posts in :class:`Posts` and says only its
words; a vendor with one publication per request needs only its records.
Nothing here knows a vendor or a web framework (a refusal is a
:class:`~postmux.sandbox.kit.Rejected`, answered in the vendor's shape)::

    self.posts = Posts(self.records, WORDS, busy=("publishing", "pending"), mixed="partial")
    post = self.posts.add(Post(id=post_id, created=self.clock.now(), body=body))
    post.records.append(self.new_record(request, ..., group=post.id))
    self.posts.status(post)                      # "published", "partial"…
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from .kit import Rejected
from .lifecycle import Phase, Record, Records

__all__ = ["Post", "Posts"]


@attrs.define(slots=True, kw_only=True)
class Post:
    """One post: its body as sent, its records, and the targets refused when it was made.

    ``refused`` holds ``(platform, reason)`` of each target that got no record
    (an account whose token had expired): it counts as failed from the start.
    """

    id: str
    created: float
    body: dict[str, Any] = attrs.field(factory=dict)
    records: list[Record] = attrs.field(factory=list)
    refused: list[tuple[str, str]] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict)

    @property
    def platforms(self) -> set[str]:
        """Every platform the post was sent to, refused targets included."""
        return {r.platform for r in self.records} | {platform for platform, _ in self.refused}

    @property
    def scheduled_at(self) -> float | None:
        """When its records wait for (``None``: the post was published at once, or made no record)."""
        first = self.records[0] if self.records else None
        return first.start if first is not None and first.scheduled else None


class Posts(Mapping[str, "Post"]):
    """An emulator's posts by id (a read-only mapping), oldest first, each one's status in the vendor's words.

    ``words`` gives each phase's word (:func:`~postmux.sandbox.kit.phase_words`).
    A post's status is the word all its targets share; else the first of
    ``busy`` (words of targets still on their way, most telling first) that
    one has; else ``mixed``. The messages are the vendor's refusals of a
    cancel or a move: ``missing`` (404: no such scheduled post), ``gone``
    (409: cancelled or started already), ``started`` (409: too late to cancel).
    """

    def __init__(
        self,
        records: Records,
        words: Mapping[Phase, str],
        *,
        busy: Sequence[str] = (),
        mixed: str,
        missing: str = "Scheduled post not found",
        gone: str = "Post is no longer scheduled",
        started: str = "Post has already started",
    ) -> None:
        self.records, self.words, self.busy, self.mixed = records, words, tuple(busy), mixed
        self.missing, self.gone, self.started = missing, gone, started
        self._items: dict[str, Post] = {}
        self._lock = threading.Lock()

    def add(self, post: Post) -> Post:
        """Keep a new post."""
        with self._lock:
            self._items[post.id] = post
        return post

    def __getitem__(self, post_id: str) -> Post:
        with self._lock:
            return self._items[post_id]

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            ids = list(self._items)
        return iter(ids)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def status(self, post: Post) -> str:
        """The post's word: its targets' one word, else the first ``busy`` word among them, else ``mixed``."""
        failed = self.words[Phase.FAILED]
        words = [self.words[self.records.phase(r)] for r in post.records] + [failed for _ in post.refused]
        if len(set(words)) == 1:
            return words[0]
        return next((w for w in self.busy if w in words), self.mixed)

    def waiting(self) -> list[Post]:
        """The posts all of whose records wait for their time, soonest first."""
        ahead = {r.id for r in self.records.waiting()}
        found = [p for p in self.values() if p.records and all(r.id in ahead for r in p.records)]
        return sorted(found, key=lambda p: p.records[0].start)

    def scheduled(self, post_id: str) -> Post:
        """The scheduled post a cancel or a move names; a 404 (``missing``) when there is none."""
        post = self.get(post_id)
        if post is None or post.scheduled_at is None:
            raise Rejected(404, self.missing)
        return post

    def cancel(self, post: Post) -> None:
        """Cancel every record of a scheduled post; a 409 when it was cancelled or has started."""
        if any(self.records.phase(r) is Phase.CANCELLED for r in post.records):
            raise Rejected(409, self.gone)
        if not all(self.records.cancel(r) for r in post.records):
            raise Rejected(409, self.started)

    def reschedule(self, post: Post, when: float) -> None:
        """Move every record of a scheduled post to ``when``; a 409 (``gone``) when one no longer waits."""
        if any(self.records.phase(r) is not Phase.SCHEDULED for r in post.records):
            raise Rejected(409, self.gone)
        for record in post.records:
            record.start = when
