"""The ``postmux_sandbox`` pytest fixture, for postmux's own tests and for apps' tests.

Registered through the ``pytest11`` entry point, so installing postmux makes
it available everywhere; it imports the sandbox (Starlette, uvicorn) only when
a test asks for it, and skips that test when the ``sandbox`` extra is missing,
so pytest itself never breaks. Configure it per test with a marker::

    @pytest.mark.postmux_sandbox(providers=["wahdx"], faults="wahdx:POST /api/content/post=503")
    def test_retry(postmux_sandbox):
        pub = postmux_sandbox.publisher("wahdx")
        ...

By default every emulator runs with tiny timings (``Timing.instant()``) and
seed 0; each test gets fresh emulators on free loopback ports, stopped after it.
``in_process=True`` serves nothing: the sandbox's publishers and
``sandbox.transport(name)`` reach the emulators in the test's own process, with
no socket and no thread (see :mod:`postmux.sandbox.inprocess`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .server import Sandbox

__all__ = ["postmux_sandbox"]

MARKER = "postmux_sandbox"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--postmux-provider NAME``: the providers :mod:`postmux.testing` runs over."""
    parser.addoption(
        "--postmux-provider",
        action="append",
        default=None,
        metavar="NAME",
        dest="postmux_provider",
        help="run postmux's conformance suite (pytest --pyargs postmux.testing) against this "
        "installed provider only; repeat, or separate with commas (default: every installed one)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker, so ``--strict-markers`` accepts it; choose the suite's providers."""
    given = config.getoption("postmux_provider", default=None)
    if given:
        from ..plugins import plugin_manager
        from ..testing.selection import choose

        names = [n.strip() for item in given for n in item.split(",") if n.strip()]
        installed = plugin_manager().providers()
        unknown = [n for n in names if n not in installed]
        if unknown:
            raise pytest.UsageError(
                f"--postmux-provider: {', '.join(unknown)} is not installed; "
                f"installed: {', '.join(sorted(installed)) or 'none'}"
            )
        choose(names)
    config.addinivalue_line(
        "markers",
        f"{MARKER}(providers=None, faults=(), seed=0, timing=None, keys=None, in_process=False): "
        "configure the postmux_sandbox fixture for this test",
    )


@pytest.fixture
def postmux_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """Every installed vendor emulator, served on loopback for one test, then stopped."""
    try:
        from .lifecycle import Timing
        from .server import Sandbox
    except ImportError as exc:
        pytest.skip(f"the postmux sandbox needs its extra: pip install 'postmux[sandbox]' ({exc})")
    marker = request.node.get_closest_marker(MARKER)
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    options.setdefault("timing", Timing.instant())
    in_process = bool(options.pop("in_process", False))
    sandbox = Sandbox(**options)
    if in_process:
        yield sandbox
        return
    with sandbox:
        yield sandbox
