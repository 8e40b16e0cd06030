"""Benchmark: batched execute vs the naive way, on 20 source pods x 50 probes (half dropped).

    sudo .venv/bin/python -m tests.bench.execute_bench [--naive-limit N]

Prints figures and ratios; asserts nothing (timings are benchmarks, never tests). What it shows
(where the time goes, phase by phase: tests/bench/execute_profile.py):
- prepare of 20 pods takes about one container start (they start in parallel), not twenty;
- execute makes one exec call per source pod and finishes in about attempts x probe timeout,
  although 500 of the 1,000 probes are dropped and have to time out;
- the naive way (one exec per probe, one after another, like the tool this replaces) on the same
  probes, and the ratio. `--naive-limit` runs the naive way on N evenly spaced probes only and
  extrapolates, clearly labelled, when you do not want to wait ~10 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tests.e2e.sandboxctl import ROOT, product_command
from tests.sandbox.fixture import start_sandbox

SOURCES = 20
TARGETS = 5
OPEN_PORTS = (8000, 8001, 8002, 8003, 8004)
DROPPED_PORTS = (9000, 9001, 9002, 9003, 9004)
START_DELAY = 0.5
ATTEMPTS = 3


def write_scenario(directory: Path) -> None:
    docs: list[dict] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}]
    for i in range(SOURCES):
        docs.append({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": f"src-{i:02d}", "namespace": "bench",
                                  "labels": {"role": "source"}},
                     "spec": {"containers": [{"name": "app", "image": "example/app:1"}]}})
    ports = [{"containerPort": p} for p in OPEN_PORTS + DROPPED_PORTS]
    for i in range(TARGETS):
        docs.append({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": f"dst-{i}", "namespace": "bench",
                                  "labels": {"role": "target"}},
                     "spec": {"containers": [{"name": "app", "image": "example/app:1",
                                              "ports": ports}]}})
    docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                 "metadata": {"name": "targets", "namespace": "bench"},
                 "spec": {"podSelector": {"matchLabels": {"role": "target"}},
                          "policyTypes": ["Ingress"],
                          "ingress": [{"ports": [{"port": p} for p in OPEN_PORTS]}]}})
    (directory / "bench.yaml").write_text(yaml.safe_dump_all(docs))
    (directory / "sandbox.yaml").write_text(yaml.safe_dump({
        "apiVersion": "sandbox.netpoltest.test/v1", "kind": "SandboxConfig", "denyMode": "drop",
        "timing": {"ephemeralStartDelay": START_DELAY}}))


def write_spec(path: Path) -> None:
    pods = [{"name": f"src-{i:02d}", "namespace": "bench", "podname": f"src-{i:02d}"}
            for i in range(SOURCES)]
    pods += [{"name": f"dst-{i}", "namespace": "bench", "podname": f"dst-{i}"}
             for i in range(TARGETS)]
    pods.append({"name": "sources", "pods": [f"src-{i:02d}" for i in range(SOURCES)]})
    pods.append({"name": "targets", "pods": [f"dst-{i}" for i in range(TARGETS)]})
    spec = {
        "pods": pods,
        "connections": [
            {"name": "open", "pods": ["targets"], "ports": [{"port": p} for p in OPEN_PORTS]},
            {"name": "dropped", "pods": ["targets"],
             "ports": [{"port": p} for p in DROPPED_PORTS]},
        ],
        "rules": [{"name": "bench", "from": ["sources"], "allowed": ["open"],
                   "denied": ["dropped"]}],
    }
    path.write_text(yaml.safe_dump(spec))


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    return time.monotonic() - started, proc


def naive(kubeconfig: Path, results: list[dict], limit: int | None) -> tuple[float, int]:
    """One exec per probe, sequentially, `nc -z -w 1` — what the replaced tool did."""
    from kubectl_netpoltest.cluster.kube import connect
    from kubectl_netpoltest.cluster.kubeconfig import resolve

    settings = resolve(kubeconfig=str(kubeconfig), context=None, namespace=None,
                       environ=os.environ, require=True)
    gateway = connect(settings=settings, request_timeout=30)
    containers = {}
    for pod in gateway.list_pods(namespace="bench", label_selector="netpoltest.io/instrumented"):
        running = [c.name for c in pod.ephemeral if c.state == "running"]
        containers[pod.name] = running[-1]
    # A sample with the run's mix of observations (half connected, half dropped): an evenly
    # spaced one would pick the same position of every source pod, i.e. only open ports.
    if limit is None:
        chosen = list(results)
    else:
        by_kind: dict[str, list[dict]] = {}
        for result in results:
            by_kind.setdefault(result["observation"], []).append(result)
        chosen = []
        for kind in by_kind.values():
            share = max(1, round(limit * len(kind) / len(results)))
            chosen += kind[:: max(1, len(kind) // share)][:share]
    started = time.monotonic()
    for result in chosen:
        pod = result["sourcePod"].split("/", 1)[1]
        address = result["addresses"][0]["address"]
        gateway.exec_lines(namespace="bench", pod=pod, container=containers[pod],
                           argv=["nc", "-z", "-w", "1", address, str(result["port"])],
                           timeout_seconds=30, on_line=lambda _line: None)
    return time.monotonic() - started, len(chosen)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.execute_bench")
    parser.add_argument("--naive-limit", type=int, default=None)
    parser.add_argument("--probe-timeout", type=int, default=1)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (the sandbox cluster)", file=sys.stderr)
        return 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="netpoltest-bench-") as tmp:
        scenario = Path(tmp) / "scenario"
        scenario.mkdir()
        write_scenario(scenario)
        spec = Path(tmp) / "spec.yaml"
        write_spec(spec)
        with start_sandbox(scenario) as sb:
            env = sb.env()
            cli = product_command()
            prepare_s, proc = timed([*cli, "prepare", str(spec), "--timeout", "2m"], env)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            runs = []
            for _ in range(3):
                seconds, proc = timed([*cli, "execute", str(spec), "-o", "json",
                                       "--probe-timeout", str(args.probe_timeout),
                                       "--attempts", str(ATTEMPTS),
                                       "--junit", str(Path(tmp) / "junit.xml")], env)
                runs.append((seconds, json.loads(proc.stdout)))
            execute_s = statistics.median(s for s, _ in runs)
            data = runs[0][1]
            summary = data["summary"]
            observed = {}
            for result in data["results"]:
                observed[result["observation"]] = observed.get(result["observation"], 0) + 1
            naive_s, naive_n = naive(sb.kubeconfig, data["results"], args.naive_limit)
    total = summary["total"]
    naive_full = naive_s * total / naive_n
    floor = ATTEMPTS * args.probe_timeout
    print(f"source pods: {SOURCES}, probes: {total} ({observed})")
    print(f"prepare: {prepare_s:.2f} s for {SOURCES} pods; one container start takes "
          f"{START_DELAY:.2f} s in the sandbox, twenty in a row would take "
          f"{SOURCES * START_DELAY:.1f} s (ratio {SOURCES * START_DELAY / prepare_s:.1f}x)")
    print(f"execute (batched): median {execute_s:.2f} s of 3 runs "
          f"({', '.join(f'{s:.2f}' for s, _ in runs)}), {summary['execCalls']} exec calls, "
          f"verdicts {summary['passed']} pass / {summary['failed']} fail / "
          f"{summary['errors']} error")
    print(f"floor: attempts x timeout = {ATTEMPTS} x {args.probe_timeout} s = {floor} s (plus one "
          f"exec round trip); execute / floor = {execute_s / floor:.2f}x (target <= 1.5x on a "
          "quiet machine)")
    label = "" if naive_n == total else f" (measured on {naive_n} probes, extrapolated)"
    print(f"naive (one exec per probe, sequential, nc -z -w 1): {naive_full:.1f} s{label}, "
          f"{total} exec calls")
    print(f"speed-up over the naive way: {naive_full / execute_s:.0f}x (target >= 100x)")
    print(f"load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs: figures from a busy machine overstate every time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
