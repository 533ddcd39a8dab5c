"""In-process cost per vendor: validate, build the request, parse the documented answer.

No network and no client: the publish flow is stepped by hand, so the figure
is what postmux and the plugin add on top of what any code sending the same
request must do. The baseline is exactly that least: ``httpx.Request(json=…)``
of the same body plus ``json.loads`` of the same answer. (Media are staged:
Wonda's flow is given its ``mediaId``.)

Each side is timed call by call in a loop of its own (the median call of a
round), but a round takes its samples in alternating blocks of
:data:`BLOCK` calls, postmux's and the baseline's, rather than all of one side
and then all of the other: a load that comes and goes on this shared machine
then falls on both sides alike (with 2,000-call halves, one side of a round
often ran under another job's burst and the other not; the rounds spread by
50-110 %).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import httpx

import postmux
from benchmarks import answers
from benchmarks.measure import Row, ratio_row
from postmux import Route
from postmux.flow import step

__all__ = ["figures"]

GOAL = 1.25
MEDIA = {"wahdx": answers.VIDEO_URL, "wonda": answers.WONDA_UPLOAD["mediaId"], "postpeer": answers.VIDEO_URL}


BLOCK = 100
"""Calls a side makes before the other side's turn within a round: a loop of its own (each side's
code and data stay warm, as in a loop of 2,000), short enough for a load to fall on both."""


def _round(ours: Callable[[], object], bare: Callable[[], object], runs: int) -> tuple[float, float]:
    """The median seconds a call of ``ours`` and of ``bare``, ``runs`` calls each in alternating blocks."""
    clock = time.perf_counter_ns
    mine: list[int] = []
    theirs: list[int] = []
    for i in range(max(1, runs // BLOCK)):
        turns = ((ours, mine), (bare, theirs)) if i % 2 == 0 else ((bare, theirs), (ours, mine))
        for fn, samples in turns:
            for _ in range(BLOCK):
                t0 = clock()
                fn()
                samples.append(clock() - t0)
    return statistics.median(mine) / 1e9, statistics.median(theirs) / 1e9


def one_vendor(vendor: str, rounds: int, runs: int) -> Row:
    """The in-process row for ``vendor``."""
    pub = postmux.publisher(
        vendor, api_key=answers.KEY, client=httpx.Client(transport=httpx.MockTransport(_never))
    )
    adapter = pub.adapter
    post = answers.tiktok_post()
    route = [Route(post.targets[0], "acc-0")]
    media = (MEDIA[vendor],)
    answer_bytes = answers.dumps(answers.PUBLISH_ANSWERS[vendor])
    answered = httpx.Response(200, content=answer_bytes, headers={"Content-Type": "application/json"})

    def ours() -> object:
        pub.prepare(post)
        flow = adapter.publish(post, route, media)
        step(flow)
        try:
            step(flow, answered)
        except StopIteration as stop:
            return stop.value
        raise AssertionError(f"{vendor}: the publish flow asked for a second request")

    first = ours()
    assert isinstance(first, list), f"{vendor}: unexpected result {first!r}"
    assert first[0].id, f"{vendor}: no id in {first!r}"
    request = step(adapter.publish(post, route, media))
    body, url = json.loads(request.content), str(request.url)

    def bare() -> object:
        httpx.Request("POST", url, json=body, headers={"X-API-Key": answers.KEY})
        return json.loads(answer_bytes)

    for _ in range(200):
        ours()
        bare()
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        m, b = _round(ours, bare, runs)
        mine.append(m)
        theirs.append(b)
    ratios = [m / b for m, b in zip(mine, theirs, strict=True)]
    pub.close()
    return ratio_row(
        f"inproc-{vendor}",
        f"validate+build+parse, {vendor}",
        mine,
        theirs,
        ratios,
        unit="us",
        goal=GOAL,
    )


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError("the in-process benchmark sends nothing")


def figures(quick: bool) -> list[Row]:
    """One row per vendor."""
    rounds, runs = (5, 400) if quick else (7, 2000)
    return [one_vendor(v, rounds, runs) for v in ("wahdx", "wonda", "postpeer")]
