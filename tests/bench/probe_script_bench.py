"""Benchmark: the probe script alone, 20 concurrent batches of 50 TCP probes (half dropped).

    sudo .venv/bin/python -m tests.bench.probe_script_bench [--runs 5] [--script-file F ...]

Why: execute_bench measures the whole product against the sandbox (CLI start, API, exec
streams); this isolates what issue 9's profile found to be the bottleneck, the CPU the probe
processes themselves burn inside the source pods. It runs the batch argv for real in the
throwaway namespaces of tests/netns (as a non-root uid), 20 batches at once like 20 source
pods sharing the machine, and prints the wall time of the slowest batch (what execute waits
for), the floor (attempts x timeout) and the CPU all probe processes used. `--script-file`
runs other candidate scripts in the same session, alternating, so a comparison sees the same
machine load. Asserts nothing (timings are benchmarks, never tests).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

from kubectl_netpoltest.core.model import Protocol
from kubectl_netpoltest.core.probe.batch import assemble_batch
from kubectl_netpoltest.core.probe.command import build_batch_command
from kubectl_netpoltest.core.probe.script import SCRIPT
from kubectl_netpoltest.core.probe.task import ProbeTask
from tests.netns.test_probe_script import UID, Lab, open_lab

SOURCES = 20
PROBES = 50
OPEN, DROPPED = 8080, 8082


def _tasks(order: str) -> list[ProbeTask]:
    """Half open, half dropped, in the given order (`open-first` is what execute_bench's spec
    gives: its allowed connection is listed before the denied one)."""
    ports = {"open-first": [OPEN] * (PROBES // 2) + [DROPPED] * (PROBES - PROBES // 2),
             "dropped-first": [DROPPED] * (PROBES - PROBES // 2) + [OPEN] * (PROBES // 2),
             "mixed": [OPEN, DROPPED] * (PROBES // 2)}[order]
    return [ProbeTask(probe_id=f"p{i:02d}", host="10.231.0.2", port=port, protocol=Protocol.TCP)
            for i, port in enumerate(ports)]


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_round(lab: Lab, script: str, *, timeout: int, attempts: int, parallelism: int,
              order: str) -> tuple[float, float, int]:
    """Wall time of the slowest batch, CPU seconds of all probe processes, wrong results."""
    tasks = _tasks(order)
    argv = build_batch_command(tasks=tasks, timeout_seconds=timeout, attempts=attempts,
                               parallelism=parallelism, dns_timeout_seconds=3)
    argv = [script if item == SCRIPT else item for item in argv]
    command = ["ip", "netns", "exec", lab.client, "setpriv", f"--reuid={UID}",
               f"--regid={UID}", "--clear-groups", *argv]
    cpu0 = _cpu_children()
    started = time.monotonic()
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
             for _ in range(SOURCES)]
    outputs = [proc.communicate()[0] for proc in procs]
    wall = time.monotonic() - started
    cpu = _cpu_children() - cpu0
    wrong = 0
    for out in outputs:
        batch = assemble_batch(tasks=tasks, lines=out.splitlines(), timeout_seconds=timeout,
                               dns_timeout_seconds=3)
        for task in tasks:
            want = "connected" if task.port == OPEN else "timeout"
            seen = [o.outcome.observation.value for o in batch.outcomes.get(task.probe_id, ())]
            if seen != [want]:
                wrong += 1
    return wall, cpu, wrong


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.probe_script_bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=int, default=1)
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--parallelism", type=int, default=32)
    parser.add_argument("--order", action="append", default=[],
                        choices=("open-first", "dropped-first", "mixed"),
                        help="task order inside each batch (repeatable; default open-first)")
    parser.add_argument("--script-file", action="append", default=[], type=Path,
                        help="another script to compare (repeatable)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root: it creates network namespaces (run it with sudo)")
    scripts = {"product": SCRIPT} | {str(p): p.read_text() for p in args.script_file}
    orders = args.order or ["open-first"]
    cases = [(name, order) for name in scripts for order in orders]
    results: dict[tuple[str, str], list[tuple[float, float, int]]] = {c: [] for c in cases}
    load_before = os.getloadavg()[0]
    with open_lab() as lab:
        for _ in range(args.runs):
            for name, order in cases:
                results[name, order].append(one_round(
                    lab, scripts[name], timeout=args.timeout, attempts=args.attempts,
                    parallelism=args.parallelism, order=order))
    floor = args.attempts * args.timeout
    print(f"{SOURCES} batches x {PROBES} TCP probes (half dropped), timeout {args.timeout}s x "
          f"{args.attempts} attempts, parallelism {args.parallelism}; floor {floor}s; load "
          f"average before / after {load_before:.1f} / {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs (the batches' own processes raise it)")
    for (name, order), rows in results.items():
        walls = [w for w, _, _ in rows]
        cpus = [c for _, c, _ in rows]
        wrong = sum(x for _, _, x in rows)
        print(f"  {name}, {order}: wall median {statistics.median(walls):.2f}s "
              f"(min {min(walls):.2f}, max {max(walls):.2f}) = "
              f"{statistics.median(walls) / floor:.2f}x floor; probe CPU median "
              f"{statistics.median(cpus):.2f}s; wrong results {wrong}")


if __name__ == "__main__":
    main()
