"""Benchmark: `spread: all` over 100 source pods on 5 nodes.

    sudo .venv/bin/python -m tests.bench.spread_bench [--pods 100] [--nodes 5]

Prints figures; asserts nothing (timings are benchmarks, never tests). What it shows:
- prepare instruments 100 pods in parallel: its time against one container start (the
  sandbox's ephemeralStartDelay) and against 100 starts in a row;
- execute makes one exec per source pod (100) and finishes in about attempts x probe timeout
  (the floor: a dropped probe has to time out) plus overhead, however many pods there are;
- the per-node matrix: every source pod's row, grouped by node.
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

START_DELAY = 0.5
ATTEMPTS = 2


def write_scenario(directory: Path, *, pods: int, nodes: int) -> None:
    docs: list[dict] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}]
    docs += [{"apiVersion": "v1", "kind": "Node",
              "metadata": {"name": f"node-{i}", "labels": {"kubernetes.io/hostname": f"node-{i}"}},
              "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
             for i in range(1, nodes + 1)]
    docs.append({"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "web", "namespace": "bench"},
                 "spec": {"replicas": pods, "selector": {"matchLabels": {"app": "web"}},
                          "template": {"metadata": {"labels": {"app": "web"}},
                                       "spec": {"containers": [{"name": "app",
                                                                "image": "example/app:1"}]}}}})
    docs.append({"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "db", "namespace": "bench", "labels": {"app": "db"}},
                 "spec": {"containers": [{"name": "app", "image": "example/db:1",
                                          "ports": [{"containerPort": 80},
                                                    {"containerPort": 8080}]}]}})
    docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                 "metadata": {"name": "db-in", "namespace": "bench"},
                 "spec": {"podSelector": {"matchLabels": {"app": "db"}},
                          "policyTypes": ["Ingress"], "ingress": [{"ports": [{"port": 80}]}]}})
    (directory / "bench.yaml").write_text(yaml.safe_dump_all(docs))
    (directory / "sandbox.yaml").write_text(yaml.safe_dump({
        "apiVersion": "sandbox.netpoltest.test/v1", "kind": "SandboxConfig", "denyMode": "drop",
        "timing": {"ephemeralStartDelay": START_DELAY}}))


def write_spec(path: Path) -> None:
    path.write_text(yaml.safe_dump({
        "pods": [{"name": "web", "namespace": "bench", "selector": {"app": "web"},
                  "spread": "all"},
                 {"name": "db", "namespace": "bench", "podname": "db"}],
        "connections": [{"name": "http", "pods": ["db"], "ports": [{"port": 80}]},
                        {"name": "admin", "pods": ["db"], "ports": [{"port": 8080}]}],
        "rules": [{"name": "bench", "from": ["web"], "allowed": ["http"],
                   "denied": ["admin"]}]}))


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    return time.monotonic() - started, proc


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.spread_bench")
    parser.add_argument("--pods", type=int, default=100)
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--probe-timeout", type=int, default=1)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (the sandbox cluster)", file=sys.stderr)
        return 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="netpoltest-spread-bench-") as tmp:
        scenario = Path(tmp) / "scenario"
        scenario.mkdir()
        write_scenario(scenario, pods=args.pods, nodes=args.nodes)
        spec = Path(tmp) / "spec.yaml"
        write_spec(spec)
        up = time.monotonic()
        with start_sandbox(scenario) as sb:
            up_s = time.monotonic() - up
            env = sb.env()
            cli = product_command()
            prepare_s, proc = timed([*cli, "prepare", str(spec), "--timeout", "5m"], env)
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
            runs = []
            for _ in range(3):
                seconds, proc = timed([*cli, "execute", str(spec), "-o", "json",
                                       "--probe-timeout", str(args.probe_timeout),
                                       "--attempts", str(ATTEMPTS), "--junit", ""], env)
                runs.append((seconds, json.loads(proc.stdout)))
    execute_s = statistics.median(s for s, _ in runs)
    results = runs[0][1]["results"]
    floor = ATTEMPTS * args.probe_timeout
    per_node: dict[str, int] = {}
    for row in results[0].get("perNode", []):
        per_node[row["node"]] = per_node.get(row["node"], 0) + 1
    verdicts = {r["id"]: (r["verdict"], len(r.get("perNode", []))) for r in results}
    print(f"sandbox with {args.pods} source pods on {args.nodes} nodes up in {up_s:.1f} s")
    print(f"probes: {verdicts} (verdict, source pods)")
    print(f"source pods per node: {dict(sorted(per_node.items()))}")
    print(f"prepare: {prepare_s:.2f} s for {args.pods} pods; one container start takes "
          f"{START_DELAY:.2f} s, {args.pods} in a row would take {args.pods * START_DELAY:.0f} s "
          f"(ratio {args.pods * START_DELAY / prepare_s:.1f}x)")
    print(f"execute: median {execute_s:.2f} s of 3 runs ({args.pods} execs, one per source pod); "
          f"floor {floor} s ({ATTEMPTS} attempts x {args.probe_timeout} s for the dropped "
          f"probe), overhead {execute_s - floor:.2f} s")
    print(f"load average before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f} "
          "(2 shared cores: figures vary with what else runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
