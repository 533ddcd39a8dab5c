"""What a worker process runs: one publisher, one ledger, one job; importable by ``spawn`` children.

Kept apart from the tests so a child process imports only this (and postmux),
never pytest's fixtures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import postmux
from postmux import FetchPolicy, Post, RetryPolicy, Target

FAST = RetryPolicy(max_retries=2, backoff=0.01, max_backoff=0.02)


def cross_post(media_url: str, accounts: Sequence[str], platform: str = "tiktok", text: str = "race") -> Post:
    """The same post to every account: rebuilt equal in every process, so its ledger key is equal."""
    return Post(text=text, media=[media_url], targets=[Target(platform, a) for a in accounts])


def publish_job(
    provider: str,
    api_key: str,
    base_url: str,
    ledger: str,
    media_url: str,
    media_fetch: FetchPolicy,
    accounts: Sequence[str],
    start: Any = None,
    targets: Sequence[str] | None = None,
) -> str:
    """Publish the cross-post (or the ``targets`` subset of it) once; the statuses as JSON."""
    if start is not None:
        start.wait()
    post = cross_post(media_url, accounts)
    options: dict[str, Any] = {"ledger": ledger, "retry": FAST, "media_fetch": media_fetch}
    with postmux.publisher(provider, api_key=api_key, base_url=base_url, **options) as pub:
        chosen = [Target("tiktok", t) for t in targets] if targets is not None else None
        report = pub.publish(post, targets=chosen) if chosen is not None else pub.publish(post)
    return json.dumps([[p.target.account, p.status.value, p.error_code] for p in report])


def claim_all(where: str, keys: Sequence[str], start: Any = None) -> list[str]:
    """Open the ledger at ``where`` and try to claim every key once; the keys this process won."""
    from postmux.ledger import Owner, open_ledger

    ledger = open_ledger(where)
    assert ledger is not None
    owner = Owner.here()
    if start is not None:
        start.wait()
    try:
        return [k for k in keys if ledger.claim("post", k, owner=owner)]
    finally:
        ledger.close()


def claim_forever(where: str, progress: Any) -> None:
    """Claim, mark and record keys without end (until killed); ``progress`` counts claims done."""
    from postmux import Publication, Status, Target
    from postmux.ledger import Owner, open_ledger

    ledger = open_ledger(where)
    assert ledger is not None
    owner = Owner.here()
    i = 0
    while True:
        key = f"k{i:06d}"
        ledger.claim("crash", key, owner=owner, lease=600)
        ledger.sending("crash", key, owner)
        if i % 2 == 0:
            done = Publication(target=Target("tiktok", key), provider="fake", status=Status.PUBLISHED, id=key)
            ledger.record("crash", key, done)
        i += 1
        progress.value = i


def report_to(queue: Any, index: int, job: Any, args: Sequence[Any]) -> None:
    """Run ``job(*args)`` in a child and put ``(index, answer or error text)`` on ``queue``."""
    try:
        queue.put((index, job(*args), None))
    except BaseException as exc:
        queue.put((index, None, f"{type(exc).__name__}: {exc}"))
        raise


def run_processes(count: int, job: Any, *args: Any, timeout: float = 120.0) -> list[Any]:
    """``count`` spawned processes running ``job(*args, start)`` together; their answers, in order.

    ``start`` is an event set once every process is up, so they really race.
    """
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    queue = spawn.SimpleQueue()
    start = spawn.Event()
    children = [
        spawn.Process(target=report_to, args=(queue, i, job, (*args, start)), daemon=True)
        for i in range(count)
    ]
    for child in children:
        child.start()
    start.set()
    answers: dict[int, Any] = {}
    errors: list[str] = []
    for _ in range(count):
        index, answer, error = queue.get()
        answers[index] = answer
        if error:
            errors.append(error)
    for child in children:
        child.join(timeout=timeout)
    if errors:
        raise AssertionError("a worker failed: " + "; ".join(errors))
    return [answers[i] for i in range(count)]


def claim_in_batches(where: str, keys: Sequence[str], start: Any = None) -> list[str]:
    """Like :func:`claim_all`, with ``claim_many`` over shuffled batches of 20; the keys won."""
    import random

    from postmux.ledger import Owner, open_ledger

    ledger = open_ledger(where)
    assert ledger is not None
    owner = Owner.here()
    order = list(keys)
    random.shuffle(order)
    if start is not None:
        start.wait()
    try:
        won: list[str] = []
        for i in range(0, len(order), 20):
            won += sorted(ledger.claim_many("post", order[i : i + 20], owner=owner))
        return won
    finally:
        ledger.close()
