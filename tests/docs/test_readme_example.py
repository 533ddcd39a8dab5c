"""The README's example runs exactly as written against a sandbox, through ``POSTMUX_SANDBOX``.

The test starts the emulator of the README's provider on loopback, points
``POSTMUX_SANDBOX`` at it, removes every real key and base URL from the
environment, and runs the Example section's code verbatim in a fresh
interpreter: every target must end ``published``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from postmux.sandbox import Sandbox, Timing

from .examples import README, python_blocks


def readme_example() -> str:
    (code,) = python_blocks(README, section="Example")
    return code


def test_the_readme_example_publishes_against_a_sandbox_unchanged() -> None:
    code = readme_example()
    provider = re.search(r'postmux\.publisher\("([^"]+)"\)', code)
    assert provider, "the README's example names no provider"
    with Sandbox([provider.group(1)], timing=Timing(queued=0.2, processing=0.5)) as sandbox:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.endswith(("_API_KEY", "_BASE_URL")) and k != "POSTMUX_PROVIDER"
        }
        env["POSTMUX_SANDBOX"] = sandbox.base_url
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        emulator = sandbox.emulator(provider.group(1))
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        targets = re.findall(r'Target\("(\w+)", "([^"]+)"\)', code)
        assert len(lines) == len(targets) >= 2
        for line, (platform, account) in zip(lines, targets, strict=True):
            assert line.startswith(f"{platform}:{account} published https://"), line
        assert emulator.published() == len(targets)
