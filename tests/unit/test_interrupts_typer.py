"""SIGTERM in a command without its own interrupt handling (doctor, generate, explain,
validate...): typer turns the KeyboardInterrupt into a silent `Exit(130)`, so the run exited
130 with no word on stderr instead of 143 'terminated' (found by sending SIGTERM to doctor and
generate against a frozen API server). Real signals go to a child interpreter."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from kubectl_netpoltest.exitcodes import ExitCode

CHILD = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from kubectl_netpoltest import interrupts
    from kubectl_netpoltest.__main__ import run
    import kubectl_netpoltest.cli.validate as validate_cli

    def slow_load(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

    validate_cli.load_or_fail = slow_load
    interrupts.install()
    sys.exit(run(["validate", "examples/richer.yaml"]))
    """
)


def test_sigterm_in_a_plain_command_exits_143_and_says_so() -> None:
    child = subprocess.run([sys.executable, "-c", CHILD], check=False, capture_output=True,
                           text=True, timeout=60)
    assert child.returncode == ExitCode.TERMINATED, child.stderr
    assert "terminated" in child.stderr
