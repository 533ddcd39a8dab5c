"""Fixtures for the PostPeer suite: cassettes, the spec, a scripted PostPeer and publishers.

Every request a test sends is held against the plugin's schema (from PostPeer's OpenAPI spec): through
the :class:`~.fake.FakePostPeer` behind ``httpx.MockTransport`` (``fake``), and,
for cassette tests, by :func:`cassette_checked` over every recorded request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import postmux
import postmux_postpeer
from postmux import RetryPolicy
from postmux.plugins import PluginManager

from .fake import FakePostPeer
from .spec import Spec, load_spec
from .support import Either

CASSETTE_DIR = Path(__file__).resolve().parents[3] / "cassettes" / "postpeer"
KEY = "pp_TEST_9f3b7a1c5e2d4086"
"""A distinctive key: a test that finds it in an error, repr, log or cassette fails."""

PLUGINS = PluginManager(load_entry_points=False)
PLUGINS.register(postmux_postpeer)

NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTE_DIR)


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec()


@pytest.fixture
def fake(spec: Spec) -> Iterator[FakePostPeer]:
    """A scripted PostPeer; the test fails if any request it got breaks the spec."""
    vendor = FakePostPeer(spec)
    yield vendor
    assert not vendor.violations, "\n".join(vendor.violations)


def sync_pub(fake: FakePostPeer, **options: Any) -> postmux.Publisher:
    """A sync publisher over the fake that never sleeps."""
    client = httpx.Client(transport=fake.transport())
    options.setdefault("sleep", lambda _: None)
    return postmux.publisher("postpeer", api_key=KEY, plugins=PLUGINS, client=client, **options)


def async_pub(fake: FakePostPeer, **options: Any) -> postmux.AsyncPublisher:
    """An async publisher over the fake; retries are off (its driver would really sleep)."""
    client = httpx.AsyncClient(transport=fake.transport())
    options.setdefault("retry", NO_RETRY)
    return postmux.async_publisher("postpeer", api_key=KEY, plugins=PLUGINS, client=client, **options)


@pytest.fixture
def pub(fake: FakePostPeer) -> Iterator[postmux.Publisher]:
    with sync_pub(fake) as p:
        yield p


@pytest.fixture
async def apub(fake: FakePostPeer) -> AsyncIterator[postmux.AsyncPublisher]:
    async with async_pub(fake) as p:
        yield p


@pytest.fixture
def cassette_checked(vcr: Any, spec: Spec) -> Iterator[Any]:
    """For vcr-marked tests: every cassette request valid, keyless, and every answer used."""
    yield vcr
    requests = list(vcr.requests)
    assert requests, "the cassette is empty"
    spec.assert_valid((r.method, r.uri, r.body) for r in requests)
    for r in requests:
        assert "x-access-key" not in {k.lower() for k in r.headers}
        if r.body:
            assert r.headers.get("Content-Type") == "application/json" or r.method == "PUT"
    assert vcr.all_played, "an interaction of the cassette was never replayed"


@pytest.fixture(params=["sync", "async"])
async def either(request: pytest.FixtureRequest, fake: FakePostPeer) -> AsyncIterator[Either]:
    """The sync or the async publisher over the fake, called alike."""
    if request.param == "sync":
        with sync_pub(fake) as p:
            yield Either(p)
    else:
        async with async_pub(fake) as ap:
            yield Either(ap)
