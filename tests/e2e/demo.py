"""The demo: a local sandbox cluster, then prepare -> execute -> cleanup, as a user would type it.

    sudo make demo

Starts the sandbox cluster with the example scenario (pods in network namespaces, real
nftables NetworkPolicies, a real DNS server, "internet" hosts in documentation address ranges),
runs the product against it with real packets, shows the report, and removes everything.
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


def _step(title: str, argv: list[str], env: dict[str, str]) -> int:
    shown = " ".join(
        shlex.quote(a) for a in ["kubectl", "netpoltest", *argv[len(product_command()) :]]
    )
    print(f"\n\033[1m$ {shown}\033[0m   # {title}", flush=True)
    return subprocess.run(argv, env=env, cwd=ROOT, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.demo")
    parser.add_argument("--scenario", type=Path, default=ROOT / "examples" / "sandbox-scenario")
    parser.add_argument("--spec", type=Path, action="append")
    args = parser.parse_args(argv)
    specs = args.spec or [ROOT / "examples" / "original-internet-access.yaml"]
    if os.geteuid() != 0:
        print(
            "the sandbox cluster needs root (network namespaces, nftables): run `sudo make demo`",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory(prefix="netpoltest-demo-") as tmp:
        print("Starting the sandbox cluster ...", flush=True)
        with sandbox(scenario=args.scenario, state_dir=Path(tmp) / "state") as cluster:
            env = cluster.env()
            print(f"export KUBECONFIG={cluster.kubeconfig}")
            subprocess.run(["kubectl", "get", "pods", "-A", "-o", "wide"], env=env, check=False)
            cli = product_command()
            worst = 0
            for spec in specs:
                rel = str(spec.relative_to(ROOT)) if spec.is_absolute() else str(spec)
                _step("show the probes", [*cli, "plan", rel], env)
                _step("instrument one pod per source", [*cli, "prepare", rel], env)
                code = _step(
                    "run every probe from inside those pods",
                    [*cli, "execute", rel, "--junit", str(Path(tmp) / "junit.xml")],
                    env,
                )
                worst = max(worst, code)
                _step("restore the cluster", [*cli, "cleanup", rel], env)
            print("\nStopping the sandbox cluster; nothing is left behind.")
    return 0 if worst in (0, 1) else worst


if __name__ == "__main__":
    sys.exit(main())
