"""Fixtures for the Wahdx suite: where its cassettes live, and publishers that never sleep.

The cassettes are hand-written from the Wahdx documents (see
``cassettes/wahdx/README.md``) and replay with record mode ``none``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

import postmux

from .support import KEY, PLUGINS, no_async_sleep, no_sleep

CASSETTE_DIR = Path(__file__).resolve().parents[3] / "cassettes" / "wahdx"

Make = Callable[[str], Any]
"""Makes a publisher (sync or async, per the test's parameter) for a base URL."""


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTE_DIR)


@pytest.fixture(params=["sync", "async"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[Make]:
    """A factory of publishers, sync or async, all closed after the test."""
    async with AsyncExitStack() as stack:

        def build(base_url: str) -> Any:
            if request.param == "sync":
                pub = postmux.publisher(
                    "wahdx", api_key=KEY, base_url=base_url, plugins=PLUGINS, sleep=no_sleep
                )
                stack.callback(pub.close)
                return pub
            apub = postmux.async_publisher(
                "wahdx", api_key=KEY, base_url=base_url, plugins=PLUGINS, sleep=no_async_sleep
            )
            stack.push_async_callback(apub.aclose)
            return apub

        yield build
