"""Ctrl-C while a thread pool waits on a frozen API server: the command must stop at once.

Found by sending SIGINT/SIGTERM to `enforce-time` (and `execute`'s --cni-mode auto) against a
frozen API server: `with ThreadPoolExecutor()` in detect_cni joined the blocked readers on
the way out, so the process hung until every request timed out (forever with
--request-timeout 0). The same pattern was in doctor. A child interpreter gets the signal;
the fake read blocks far longer than the child may take.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    import os, signal, threading, time
    from kubectl_netpoltest import interrupts
    from kubectl_netpoltest.engine import cnidetect, doctor

    from kubectl_netpoltest.cluster.inspector import ServerVersion

    class Frozen:
        def server_version(self):
            return ServerVersion(1, 32, "v1.32.0")

        def served_resources(self, **kwargs):
            return frozenset({"pods", "pods/exec", "pods/ephemeralcontainers"})

        def __getattr__(self, name):
            def call(*args, **kwargs):
                time.sleep(120)
            return call

    interrupts.install()
    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    try:
        if WHICH == "cni":
            cnidetect.detect_cni(Frozen())
        else:
            doctor.run_doctor(inspector=Frozen(), gateway=Frozen(), probes=[],
                              options=doctor.DoctorOptions(image="x"), namespaces=["shop"])
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        os._exit(130)
    """
)


@pytest.mark.parametrize("which", ["cni", "doctor"])
def test_an_interrupt_does_not_wait_for_blocked_readers(which: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", f"WHICH = {which!r}\n" + CHILD],
        check=False, capture_output=True, text=True, timeout=60,
    )
    assert child.stdout.strip() == "interrupted", child.stderr[-2000:]
