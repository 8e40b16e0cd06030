"""The demo: local sandbox clusters, then prepare -> execute -> cleanup, as a user would type it.

    sudo make demo

For each example, starts the sandbox cluster with its scenario (pods in network namespaces, real
nftables NetworkPolicies, a real DNS server, "internet" hosts in documentation address ranges),
runs the product against it with real packets, shows the report, and removes everything. The
richer example contains two deliberate findings, so the demo shows real FAILs as well as PASSes.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.e2e.sandboxctl import ROOT, product_command, sandbox

DEMOS: list[tuple[Path, Path, tuple[str, ...]]] = [
    (ROOT / "examples" / "sandbox-scenario", ROOT / "examples" / "original-internet-access.yaml",
     ()),
    (ROOT / "examples" / "sandbox-scenario-richer", ROOT / "examples" / "richer.yaml",
     ("--cni-mode", "reject")),
]


def _step(title: str, args: list[str], env: dict[str, str]) -> int:
    shown = " ".join(shlex.quote(a) for a in ["kubectl", "netpoltest", *args])
    print(f"\n\033[1m$ {shown}\033[0m   # {title}", flush=True)
    return subprocess.run([*product_command(), *args], env=env, cwd=ROOT, check=False).returncode


def _demo(scenario: Path, spec: Path, extra: tuple[str, ...]) -> int:
    rel = str(spec.relative_to(ROOT)) if spec.is_relative_to(ROOT) else str(spec)
    print(f"\n\033[1m=== {rel} on a sandbox cluster running {scenario.name} ===\033[0m",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="netpoltest-demo-") as tmp, \
            sandbox(scenario=scenario, state_dir=Path(tmp) / "state") as cluster:
        env = cluster.env()
        print(f"export KUBECONFIG={cluster.kubeconfig}")
        subprocess.run(["kubectl", "get", "pods", "-A", "-o", "wide"], env=env, check=False)
        _step("the probes execute will run", ["plan", rel], env)
        _step("instrument one pod per source", ["prepare", rel], env)
        code = _step("run every probe from inside those pods",
                     ["execute", rel, *extra, "--junit", str(Path(tmp) / "junit.xml")], env)
        _step("restore the cluster", ["cleanup", rel], env)
    print("Sandbox cluster stopped; nothing is left behind.")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.demo")
    parser.add_argument("--scenario", type=Path, help="run only this scenario ...")
    parser.add_argument("--spec", type=Path, help="... with this spec")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("the sandbox cluster needs root (network namespaces, nftables): run "
              "`sudo make demo`", file=sys.stderr)
        return 1
    runs = DEMOS if args.scenario is None else [(args.scenario.resolve(),
                                                  args.spec.resolve(), ())]
    codes = [_demo(scenario, spec, extra) for scenario, spec, extra in runs]
    # FAILs are part of the show; an ERROR run or a cluster error means the demo is broken.
    return max(codes) if max(codes) > 1 else 0


if __name__ == "__main__":
    sys.exit(main())
