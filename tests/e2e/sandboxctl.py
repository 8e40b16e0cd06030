"""Start and stop a sandbox cluster through its own command line, as a user would.

The product's end-to-end tests, the demo and the benchmark drive the sandbox only through
`python -m tests.sandbox up|down`, so the referee stays independent of the player.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class RunningSandbox:
    state_dir: Path
    kubeconfig: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig), **extra}

    def kubectl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["kubectl", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )


@contextmanager
def sandbox(
    *, scenario: Path, state_dir: Path, extra_args: tuple[str, ...] = ()
) -> Iterator[RunningSandbox]:
    """A running sandbox for the duration of the block; always torn down."""
    up = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.sandbox",
            "up",
            "--scenario",
            str(scenario),
            "--state-dir",
            str(state_dir),
            *extra_args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    try:
        if up.returncode != 0:
            raise RuntimeError(f"sandbox up failed ({up.returncode}):\n{up.stderr}\n{up.stdout}")
        sys.stderr.write(up.stderr)
        match = re.search(r"export KUBECONFIG=(\S+)", up.stdout)
        if not match:
            raise RuntimeError(f"sandbox up printed no kubeconfig:\n{up.stdout}")
        yield RunningSandbox(state_dir=state_dir, kubeconfig=Path(match.group(1)))
    finally:
        subprocess.run(
            [sys.executable, "-m", "tests.sandbox", "down", "--state-dir", str(state_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )


def product_command() -> list[str]:
    """The product under test: the built binary when NETPOLTEST_BINARY is set, else the CLI."""
    binary = os.environ.get("NETPOLTEST_BINARY")
    if binary:
        return [binary]
    return [sys.executable, "-m", "kubectl_netpoltest"]
