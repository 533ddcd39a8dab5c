"""Driving a generator from outside: the one loop behind every driver and publisher, sync and async.

An adapter's flow yields requests and a publisher's plan (:mod:`postmux.plan`)
yields steps; both are carried out the same way: perform what was yielded,
send the result back in, throw an error in at the ``yield`` (so the generator
decides what it means), until the generator returns. :func:`drive` is that
loop for a plain call, :func:`adrive` for a coroutine; Python cannot write one
loop for both, so this is where the two copies live.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

__all__ = ["adrive", "asleep", "drive"]

Y = TypeVar("Y")
S = TypeVar("S")
T = TypeVar("T")

Errors = type[BaseException] | tuple[type[BaseException], ...]


def drive(steps: Generator[Y, S, T], perform: Callable[[Y], S], errors: Errors = BaseException) -> T:
    """Run ``steps`` to its end, each step performed by ``perform``; ``errors`` are thrown back in."""
    try:
        step = next(steps)
        while True:
            try:
                result = perform(step)
            except errors as exc:
                step = steps.throw(exc)
            else:
                step = steps.send(result)
    except StopIteration as stop:
        value: T = stop.value
        return value


async def adrive(
    steps: Generator[Y, S, T], perform: Callable[[Y], Awaitable[Any]], errors: Errors = BaseException
) -> T:
    """:func:`drive` with a ``perform`` that is awaited."""
    try:
        step = next(steps)
        while True:
            try:
                result = await perform(step)
            except errors as exc:
                step = steps.throw(exc)
            else:
                step = steps.send(result)
    except StopIteration as stop:
        value: T = stop.value
        return value


async def asleep(seconds: float) -> None:
    """``asyncio.sleep``, with asyncio imported only by programs that use it (it is slow to import)."""
    import asyncio

    await asyncio.sleep(seconds)
