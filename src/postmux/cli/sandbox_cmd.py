"""``postmux sandbox``: serve the emulators until stopped, and tell other commands where they are."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from ..environment import SANDBOX_ENV
from ..errors import ConfigurationError
from . import exits
from .base import cli, guarded, json_option
from .output import Output
from .state import remove_sandbox_state, sandbox_state_path, write_sandbox_state

__all__: list[str] = []


def fault_option(f: Any) -> Any:
    """``--faults RULE`` (repeatable), in the rule syntax of :mod:`postmux.sandbox.faults`."""
    return click.option(
        "--faults",
        "faults",
        multiple=True,
        metavar="RULE",
        help="Fault rule, e.g. 'wahdx:POST /api/content/post=drop-after', '429:retry-after=2', "
        "'latency=200ms±50'. Repeat or separate with ';'.",
    )(f)


@cli.command("sandbox")
@fault_option
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for ids, jitter and fault draws.")
@click.option(
    "--port", type=int, help="Media host on PORT, emulators on the ports after it (default: free ports)."
)
@click.option(
    "--queued", type=float, default=1.0, show_default=True, help="Seconds a publication stays queued."
)
@click.option(
    "--processing", type=float, default=3.0, show_default=True, help="Seconds it then stays processing."
)
@click.option(
    "--samples", type=click.Path(file_okay=False, path_type=Path), help="Also write the sample media here."
)
@click.option("--duration", type=float, help="Stop after this many seconds (default: until Ctrl-C).")
@json_option
def sandbox_command(
    faults: tuple[str, ...],
    seed: int,
    port: int | None,
    queued: float,
    processing: float,
    samples: Path | None,
    duration: float | None,
    as_json: bool,
) -> None:
    """Serve every installed vendor's emulator on 127.0.0.1 and print base URLs, keys and accounts.

    While it runs, any command given --sandbox talks to these emulators, and
    `postmux faults add|list|clear` changes its faults.
    """
    out = Output(as_json)

    def body() -> int:
        from ..sandbox import Sandbox, Timing
        from ..sandbox.samples import write_samples

        sandbox = Sandbox(
            seed=seed, port=port, timing=Timing(queued=queued, processing=processing), faults=faults
        )
        with sandbox:
            description = sandbox.describe()
            control = {"url": f"{sandbox.media.base_url}/_postmux/", "token": sandbox.control_token}
            path = write_sandbox_state({**description, "control": control})
            try:
                if samples is not None:
                    try:
                        description["sample_files"] = [str(p) for p in write_samples(samples)]
                    except OSError as exc:
                        raise ConfigurationError(
                            f"--samples: cannot write the sample files to {samples}: {exc.strerror or exc}"
                        ) from None
                _show(out, description, path, sandbox)
                deadline = time.monotonic() + duration if duration is not None else None
                try:
                    while deadline is None or time.monotonic() < deadline:
                        time.sleep(
                            0.1 if deadline is None else min(0.1, max(0.0, deadline - time.monotonic()))
                        )
                except KeyboardInterrupt:
                    out.note("stopping the sandbox")
            finally:
                remove_sandbox_state()
        return exits.OK

    raise click.exceptions.Exit(guarded(out, None, body))


def _show(out: Output, description: dict[str, Any], path: Path, sandbox: Any) -> None:
    if out.as_json:
        out.emit({**description, "state_file": str(path), "pid": os.getpid()})
        return
    providers = description["providers"]
    rows = [[name, p["base_url"], p["auth_header"], p["api_key"]] for name, p in providers.items()]
    out.print(
        out.table(
            "Vendor emulators (loopback only)", ["provider", "base URL", "auth header", "API key"], rows
        )
    )
    accounts = [
        [name, a["platform"], a["id"], f"@{a['username']}", a["status"]]
        for name, p in providers.items()
        for a in p["accounts"]
    ]
    out.print(out.table("Seeded accounts", ["provider", "platform", "id", "username", "status"], accounts))
    out.print(out.table("Sample media", ["file", "URL"], list(description["samples"].items())))
    faults = [str(f) for e in sandbox.emulators.values() for f in e.faults]
    if faults:
        out.print(out.table("Faults", ["rule"], [[f] for f in faults]))
    out.print(f"State file: {path}")
    out.print("Faults can be changed while it runs: postmux faults add '*:publish=503:times=1'")
    out.print(
        f"For your own code:  export {SANDBOX_ENV}={description['url']}   (every publisher then uses it)"
    )
    out.print(
        "Try:  postmux post --sandbox -p NAME "
        + description["samples"]["clip.mp4"]
        + " --to tiktok:@sandbox_tiktok --wait"
    )
    out.note("serving until Ctrl-C …")


def state_file() -> Path:
    """Where the state file goes (for tests and docs)."""
    return sandbox_state_path()
