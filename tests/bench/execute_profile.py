"""Where execute's time goes, phase by phase, on the benchmark's cluster (20 pods x 50 probes).

    sudo .venv/bin/python -m tests.bench.execute_profile

Prints, never asserts. The phases:
- CLI start: `kubectl-netpoltest --version` (imports: typer, rich, the kubernetes client);
- in-process execute, with every gateway call timed: the pod lists, each exec from request to
  first line (handshake + process start in the pod), to the script's BEGIN, to its END, and to
  the exec's return; the post-exec target re-check; the process's CPU time (user+sys);
- the in-pod pool: the slowest probe's own elapsed time per pod (from RES lines) vs the floor
  (attempts x timeout).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.bench.execute_bench import SOURCES, write_scenario, write_spec
from tests.e2e.sandboxctl import ROOT, product_command
from tests.sandbox.fixture import start_sandbox

ATTEMPTS, TIMEOUT = 3, 1


class TimedGateway:
    """Wraps the real gateway; records (what, start, end, extra) for every call."""

    def __init__(self, inner: Any, log: list[tuple[str, float, float, dict[str, float]]]) -> None:
        self._inner = inner
        self._log = log
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def list_pods(self, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return self._inner.list_pods(**kwargs)
        finally:
            with self._lock:
                self._log.append(("list_pods", started, time.monotonic(), {}))

    def exec_lines(self, *, on_line: Callable[[str], None], **kwargs: Any) -> Any:
        started = time.monotonic()
        marks: dict[str, float] = {}
        slowest = [0]

        def line(text: str) -> None:
            now = time.monotonic()
            marks.setdefault("first", now)
            if "\tBEGIN\t" in text:
                marks["begin"] = now
            if "\tEND\t" in text:
                marks["end"] = now
            if "\tRES\t" in text:
                slowest[0] = max(slowest[0], int(text.split("\t")[6]))
            on_line(text)

        try:
            return self._inner.exec_lines(on_line=line, **kwargs)
        finally:
            marks["slowest_probe"] = slowest[0] / 1000
            with self._lock:
                self._log.append(("exec", started, time.monotonic(), marks))


def sandbox_cpu(state_dir: Path) -> tuple[float, float]:
    """(API server process CPU, CPU of its reaped children = the pods' processes) in seconds.

    Load-independent: on a busy machine wall times say little, CPU seconds still compare."""
    pid = json.loads((state_dir / "state.json").read_text())["pid"]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    own = (int(fields[11]) + int(fields[12])) / ticks
    children = (int(fields[13]) + int(fields[14])) / ticks
    return own, children


def cli_start() -> list[float]:
    times = []
    for _ in range(3):
        started = time.monotonic()
        subprocess.run([*product_command(), "--version"], cwd=ROOT, capture_output=True, check=True)
        times.append(time.monotonic() - started)
    return times


def profile_execute(spec: Path, kubeconfig: Path, state_dir: Path) -> None:
    from kubectl_netpoltest.cli.connect import open_session
    from kubectl_netpoltest.cli.kubeflags import kube_flags
    from kubectl_netpoltest.engine.execute import execute
    from kubectl_netpoltest.engine.options import ExecuteOptions

    log: list[tuple[str, float, float, dict[str, float]]] = []
    server0, pods0 = sandbox_cpu(state_dir)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    session = open_session(
        spec_path=str(spec),
        flags=kube_flags(
            kubeconfig=str(kubeconfig),
            context=None,
            namespace=None,
            request_timeout="30s",
            verbosity=0,
        ),
    )
    t_session = time.monotonic()
    gateway = TimedGateway(session.gateway, log)
    outcome = execute(
        gateway_factory=lambda: gateway,
        probes=session.probes,
        options=ExecuteOptions(probe_timeout_seconds=TIMEOUT, attempts=ATTEMPTS),
        spec_path=str(spec),
    )
    t_end = time.monotonic()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    server1, pods1 = sandbox_cpu(state_dir)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    execs = [e for e in log if e[0] == "exec"]
    lists = [e for e in log if e[0] == "list_pods"]
    first_exec = min(e[1] for e in execs)
    last_exec = max(e[2] for e in execs)

    def rel(values: Sequence[float]) -> str:
        return (
            f"min {min(values):.2f} / median {statistics.median(values):.2f} / "
            f"max {max(values):.2f} s"
        )

    print(f"  spec + kubeconfig (open_session): {t_session - t0:.2f} s")
    before = [e for e in lists if e[2] <= first_exec]
    after = [e for e in lists if e[1] >= first_exec]
    print(
        f"  pod lists before the execs: {len(before)}, until {first_exec - t_session:.2f} s "
        "after the session opened"
    )
    print(f"  execs: {len(execs)}; all ran within {last_exec - first_exec:.2f} s")
    print(f"    request -> first line: {rel([e[3]['first'] - e[1] for e in execs])}")
    print(f"    BEGIN -> END (in-pod pool): {rel([e[3]['end'] - e[3]['begin'] for e in execs])}")
    print(
        f"    slowest probe's own time: {rel([e[3]['slowest_probe'] for e in execs])} "
        f"(floor {ATTEMPTS * TIMEOUT} s)"
    )
    print(f"    END -> exec returned: {rel([e[2] - e[3]['end'] for e in execs])}")
    print(f"  re-check lists after the execs: {len(after)}")
    print(f"  after the last exec until results: {t_end - last_exec:.2f} s")
    print(
        f"  CPU seconds: the pods' processes (bash, nc) {pods1 - pods0:.2f}, the sandbox API "
        f"server {server1 - server0:.2f}, execute itself {cpu:.2f}"
    )
    print(
        f"  execute wall (in-process, no CLI start): {t_end - t0:.2f} s; this process's CPU "
        f"{cpu:.2f} s; {outcome.exec_calls} exec calls, {len(outcome.results)} results"
    )


def main() -> int:
    if os.geteuid() != 0:
        print("needs root (the sandbox cluster)", file=sys.stderr)
        return 1
    print(f"load: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs")
    print(f"CLI start (--version): {', '.join(f'{t:.2f}' for t in cli_start())} s")
    with tempfile.TemporaryDirectory(prefix="netpoltest-profile-") as tmp:
        scenario = Path(tmp) / "scenario"
        scenario.mkdir()
        write_scenario(scenario)
        spec = Path(tmp) / "spec.yaml"
        write_spec(spec)
        with start_sandbox(scenario) as sb:
            proc = subprocess.run(
                [*product_command(), "prepare", str(spec), "--timeout", "2m"],
                env=sb.env(),
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            assert proc.returncode == 0, proc.stdout + proc.stderr
            for run in range(2):
                print(f"run {run + 1} ({SOURCES} source pods):")
                profile_execute(spec, sb.kubeconfig, sb.state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
