"""Benchmark: cleanup's availability and cost, one run alone and two runs at once.

    sudo .venv/bin/python -m tests.bench.cleanup_bench [--replace-delay 3] [--replicas 3]

A Deployment whose pods are all instrumented (one source per pod), replacements that take
`--replace-delay` seconds. Prints, for one cleanup and for two concurrent cleanups of the same
spec: wall time, exit codes, the lowest number of Ready pods seen (polled every 50 ms) and how
long the workload had fewer than one Ready pod. Asserts nothing (timings are benchmarks).
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.e2e.sandboxctl import ROOT, product_command
from tests.e2e.test_cleanup_safety import instrumented, ready, write_spec
from tests.sandbox.fixture import Sandbox, start_sandbox

SCENARIO = """
apiVersion: v1
kind: Namespace
metadata: {{name: cl}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: cl}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: app, image: example/app:1}}]}}
"""


def _one_round(sb: Sandbox, spec: str, runs: int) -> None:
    subprocess.run(
        [*product_command(), "prepare", spec],
        env=sb.env(),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    seen: list[tuple[float, int]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.append((time.monotonic(), len(ready(sb, "web"))))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [*product_command(), "cleanup", spec, "--timeout", "120s"],
            env=sb.env(),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(runs)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    took = time.monotonic() - started
    stop.set()
    watcher.join()
    below = sum(later[0] - now[0] for now, later in itertools.pairwise(seen) if now[1] < 1)
    gone = sum(out.count("already cleaned by another run") for out, _ in outs)
    print(
        f"{runs} run(s): {took:.1f} s, exit codes {[p.returncode for p in procs]}, "
        f"lowest Ready {min(n for _, n in seen)}, time with 0 Ready {below:.2f} s, "
        f"'already cleaned by another run' {gone}x, left instrumented {len(instrumented(sb))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replace-delay", type=float, default=3.0)
    parser.add_argument("--replicas", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "scenario"
        scenario.mkdir()
        (scenario / "objects.yaml").write_text(SCENARIO.format(replicas=args.replicas))
        with start_sandbox(scenario, timing={"replaceDelay": args.replace_delay}) as sb:
            for runs in (1, 2):
                names = ready(sb, "web")
                sources = {f"p{i}": f"podname:{name}" for i, name in enumerate(names)}
                spec = write_spec(Path(tmp), f"all{runs}", **sources)
                _one_round(sb, spec, runs)
                sb.wait_for(lambda: len(ready(sb, "web")) == args.replicas, timeout=60)


if __name__ == "__main__":
    main()
