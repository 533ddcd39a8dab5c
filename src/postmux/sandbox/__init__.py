"""The sandbox: every installed vendor's emulator, served on loopback, with fault injection.

    from postmux.sandbox import Sandbox

    with Sandbox(faults="wahdx:POST /api/content/post=drop-after") as sandbox:
        pub = sandbox.publisher("wahdx")
        report = pub.publish(post)                     # → unknown
        sandbox.settle()                               # finish the emulated processing now
        assert sandbox.emulator("wahdx").published() == 1

    sandbox = Sandbox(faults="*:publish=drop-after")   # not started: in-process, no socket
    pub = sandbox.publisher("wonda")                   # its client uses sandbox.transport("wonda")

Each plugin registers an emulator of its own vendor through the
``postmux_register_emulators`` hook; this package runs them with no vendor
knowledge. It needs the ``sandbox`` extra (``pip install 'postmux[sandbox]'``:
Starlette and uvicorn); :mod:`postmux.sandbox.faults` and
:mod:`postmux.sandbox.lifecycle` need nothing beyond the core.
"""

from __future__ import annotations

from .faults import ROLES, Fault, FaultKind, FaultPlan, FaultSyntaxError, parse_faults
from .hosting import SandboxMediaHost
from .inprocess import InProcessTransport
from .lifecycle import Clock, Phase, Record, SandboxAccount, Timing

try:
    from .emulator import Emulator, EmulatorFactory
    from .media import MediaHost
    from .server import Sandbox
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    _missing = exc

    def __getattr__(name: str) -> object:
        if name in {"Emulator", "EmulatorFactory", "MediaHost", "Sandbox"}:
            raise ImportError(
                f"postmux.sandbox.{name} needs the sandbox extra: pip install 'postmux[sandbox]' ({_missing})"
            )
        raise AttributeError(name)


__all__ = [
    "ROLES",
    "Clock",
    "Emulator",
    "EmulatorFactory",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "FaultSyntaxError",
    "InProcessTransport",
    "MediaHost",
    "Phase",
    "Record",
    "Sandbox",
    "SandboxAccount",
    "SandboxMediaHost",
    "Timing",
    "parse_faults",
]
