"""SIGINT/SIGTERM become KeyboardInterrupts with the right exit code (interrupts.py).

Real signals are sent to a child interpreter, so the test process keeps its own handlers.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from kubectl_netpoltest.exitcodes import ExitCode

CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    from kubectl_netpoltest import interrupts
    interrupts.install()
    caught = []
    try:
        os.kill(os.getpid(), SIGNUM)
        time.sleep(5)
    except KeyboardInterrupt as exc:
        caught.append(type(exc).__name__)
        # a second signal while winding down (PyInstaller double delivery) is ignored
        os.kill(os.getpid(), SIGNUM)
        time.sleep(0.2)
        caught.append("survived-second")
    print(",".join(caught), int(interrupts.exit_code_of(None)), int(interrupts.received()))
    """
)


@pytest.mark.parametrize(
    ("signum", "name", "code"),
    [
        (signal.SIGTERM, "Terminated", ExitCode.TERMINATED),
        (signal.SIGINT, "KeyboardInterrupt", ExitCode.INTERRUPTED),
    ],
)
def test_signal_raises_once_with_its_exit_code(signum: int, name: str, code: ExitCode) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.replace("SIGNUM", str(int(signum)))],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.stdout.split() == [f"{name},survived-second", str(code), str(code)], proc.stderr


def test_a_third_signal_gives_up_at_once_with_the_first_signals_code() -> None:
    child = CHILD.replace("SIGNUM", str(int(signal.SIGTERM))).replace(
        'caught.append("survived-second")',
        'os.kill(os.getpid(), signal.SIGINT); time.sleep(5); caught.append("not reached")',
    )
    proc = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == ExitCode.TERMINATED
    assert "giving up" in proc.stderr


def test_sigterm_wrapped_by_click_abort_still_maps_to_143() -> None:
    from kubectl_netpoltest.interrupts import Terminated, exit_code_of

    try:
        try:
            raise Terminated()
        except KeyboardInterrupt as inner:
            raise RuntimeError("abort") from inner
    except RuntimeError as outer:
        assert exit_code_of(outer) is ExitCode.TERMINATED
