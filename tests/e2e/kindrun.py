"""The real-cluster run (kind), step by step: the e2e-kind workflow calls these, and so does
tests/e2e/test_kind_dryrun.py against the sandbox, so the workflow's steps are exercised here
even though kind cannot run on this machine.

    python -m tests.e2e.kindrun manifests DIR... [--image IMAGE]   > manifests.yaml
    python -m tests.e2e.kindrun run NAME SPEC --out DIR [--cni-mode drop|reject]
    python -m tests.e2e.kindrun check NAME --out DIR --expect EXPECTATION
    python -m tests.e2e.kindrun nothing-left

`manifests` turns sandbox scenarios into manifests for a real cluster: SandboxConfig documents
are dropped, and every workload container becomes the real agnhost image serving exactly the
ports it declares (the sandbox's pods serve their declared ports the same way):
* TCP ports: `agnhost porter` with SERVE_PORT_<port> (HTTP on each port);
* each UDP port: a container `agnhost serve-hostname --udp --http=false --port <port>`, which
  answers every datagram (porter gained UDP only after 2.53, kubernetes/kubernetes#135911);
* no ports: `agnhost pause`.
Each container keeps its name, ports and securityContext, so restricted namespaces still admit it.

`run` is prepare -> execute -o json -> cleanup with the product (NETPOLTEST_BINARY, else the
CLI), keeping every JSON result and exit code in DIR. `check` compares the in-cluster probes with
what the sandbox lab proves (tests/e2e/test_verdicts.py); probes to the sandbox's made-up
external hosts (web.example) cannot match a real network and are only printed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.sandboxctl import ROOT, product_command

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.53"
LABEL = "netpoltest.io/instrumented"
OUTSIDE_ONLY = ("web.example",)
"""Hosts that exist only in the sandbox (its externalHosts): not asserted on a real cluster."""


def _verdict_expectations() -> dict[str, dict[str, str]]:
    from tests.e2e.test_verdicts import DROP_MODE, REJECT_MODE

    def verdicts(table: Mapping[str, tuple[str, str]]) -> dict[str, str]:
        return {
            probe: verdict
            for probe, (verdict, _) in table.items()
            if not any(host in probe for host in OUTSIDE_ONLY)
        }

    return {"verdicts-drop": verdicts(DROP_MODE), "verdicts-reject": verdicts(REJECT_MODE)}


# ---- manifests -------------------------------------------------------------------------------


def _serving(container: Mapping[str, Any], image: str) -> list[dict[str, Any]]:
    ports = list(container.get("ports") or [])
    tcp = [p for p in ports if str(p.get("protocol", "TCP")).upper() == "TCP"]
    udp = [p for p in ports if str(p.get("protocol", "TCP")).upper() == "UDP"]
    keep = {k: container[k] for k in ("securityContext",) if k in container}
    name = str(container["name"])
    main: dict[str, Any] = {"name": name, "image": image, **keep}
    if tcp:
        main["args"] = ["porter"]
        main["env"] = [
            {"name": f"SERVE_PORT_{p['containerPort']}", "value": "netpoltest"} for p in tcp
        ]
        main["ports"] = tcp
    elif not udp:
        main["args"] = ["pause"]
    out = [main] if tcp or not udp else []
    for index, port in enumerate(udp):
        number = port["containerPort"]
        out.append(
            {
                "name": name if not out and index == 0 else f"{name}-udp-{number}",
                "image": image,
                "args": ["serve-hostname", "--udp", "--http=false", "--port", str(number)],
                "ports": [port],
                **keep,
            }
        )
    return out


def _pod_spec(document: dict[str, Any]) -> dict[str, Any] | None:
    if document.get("kind") == "Pod":
        spec = document.get("spec")
    else:
        spec = ((document.get("spec") or {}).get("template") or {}).get("spec")
    return spec if isinstance(spec, dict) else None


def real_manifests(directories: Iterable[Path], *, image: str = AGNHOST) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for directory in directories:
        for path in sorted(Path(directory).glob("*.yaml")):
            for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if not document or document.get("kind") == "SandboxConfig":
                    continue
                spec = _pod_spec(document)
                if spec is not None:
                    spec["containers"] = [
                        c
                        for container in spec.get("containers") or []
                        for c in _serving(container, image)
                    ]
                documents.append(document)
    return documents


# ---- run and check ---------------------------------------------------------------------------


def _product(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*product_command(), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def run(name: str, spec: str, out: Path, *, cni_mode: str, image: str) -> int:
    """prepare -> execute -> cleanup; every output kept in `out`. Non-zero if prepare failed."""
    out.mkdir(parents=True, exist_ok=True)
    codes: dict[str, int] = {}
    prepared = _product("prepare", spec, "--image", image, "-o", "json")
    (out / f"{name}.prepare.json").write_text(prepared.stdout)
    codes["prepare"] = prepared.returncode
    sys.stderr.write(prepared.stderr)
    executed = _product(
        "execute", spec, "-o", "json", "--cni-mode", cni_mode,
        "--junit", str(out / f"{name}.junit.xml"),
    )  # fmt: skip
    (out / f"{name}.json").write_text(executed.stdout)
    codes["execute"] = executed.returncode
    sys.stderr.write(executed.stderr)
    cleaned = _product("cleanup", spec, "--force")
    codes["cleanup"] = cleaned.returncode
    sys.stderr.write(cleaned.stdout + cleaned.stderr)
    (out / f"{name}.exitcodes.json").write_text(json.dumps(codes, indent=2) + "\n")
    print(f"{name}: exit codes {codes}")
    return 1 if codes["prepare"] != 0 else 0


def check(name: str, out: Path, *, expect: str) -> list[str]:
    """What differs from the expectation (printing every result); [] when it holds."""
    results = json.loads((out / f"{name}.json").read_text())["results"]
    seen = {r["id"]: r["verdict"] for r in results}
    for r in results:
        print(f"  {r['id']}: {r['verdict']} ({r['observation']}: {r['reason']})")
    if expect == "internet-denied":
        return [
            f"{probe}: {verdict}, expected PASS (the internet must be denied)"
            for probe, verdict in seen.items()
            if any(host in probe for host in ("github.com", "google.com")) and verdict != "PASS"
        ]
    if expect == "ran":
        return [] if results else ["no results"]
    wanted = _verdict_expectations()[expect]
    return [
        f"{probe}: {seen.get(probe, 'missing')}, expected {verdict}"
        for probe, verdict in wanted.items()
        if seen.get(probe) != verdict
    ]


def nothing_left() -> list[str]:
    listed = subprocess.run(
        ["kubectl", "get", "pods", "-A", "-l", LABEL, "-o", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [
        f"{p['metadata']['namespace']}/{p['metadata']['name']}"
        for p in json.loads(listed.stdout)["items"]
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.kindrun")
    sub = parser.add_subparsers(dest="command", required=True)
    manifests = sub.add_parser("manifests")
    manifests.add_argument("directories", nargs="+", type=Path)
    manifests.add_argument("--image", default=AGNHOST)
    running = sub.add_parser("run")
    running.add_argument("name")
    running.add_argument("spec")
    running.add_argument("--out", type=Path, required=True)
    running.add_argument("--cni-mode", default="drop", choices=("drop", "reject"))
    running.add_argument("--image", default=AGNHOST)
    checking = sub.add_parser("check")
    checking.add_argument("name")
    checking.add_argument("--out", type=Path, required=True)
    checking.add_argument(
        "--expect",
        required=True,
        choices=("verdicts-drop", "verdicts-reject", "internet-denied", "ran"),
    )
    sub.add_parser("nothing-left")
    args = parser.parse_args(argv)
    if args.command == "manifests":
        print(yaml.safe_dump_all(real_manifests(args.directories, image=args.image)), end="")
        return 0
    if args.command == "run":
        return run(args.name, args.spec, args.out, cni_mode=args.cni_mode, image=args.image)
    if args.command == "check":
        problems = check(args.name, args.out, expect=args.expect)
    else:
        problems = [f"still labelled {LABEL}: {pod}" for pod in nothing_left()]
    for problem in problems:
        print(f"MISMATCH {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
