"""`up` / `status` / `down` leave nothing behind, even after a crash; start-up speed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sandbox.conftest import README_SCENARIO, REPO
from tests.sandbox.fixture import start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = pytest.mark.sandbox


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.sandbox", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)


def netns_names() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                         check=False).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def leftovers(instance: str, state_dir: Path) -> list[str]:
    found = [f"netns {n}" for n in netns_names() if n.startswith(f"{instance}-")]
    found += [f"dir {p}" for p in (state_dir, Path("/run/netpoltest-sandbox") / instance,
                                   Path("/etc/netns")) if p.exists() and
              (p != Path("/etc/netns") or any(c.name.startswith(instance)
                                              for c in p.iterdir()))]
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True,
                        check=False).stdout
    found += [f"process {line.strip()}" for line in ps.splitlines()
              if str(state_dir) in line or f"{instance}-" in line]
    return found


@pytest.mark.parametrize("crash", [False, True], ids=["clean", "after-crash"])
def test_up_status_down_leaves_nothing(tmp_path, crash):
    require_root_sandbox()
    state = tmp_path / "sb"
    up = cli("up", "--scenario", str(README_SCENARIO), "--state-dir", str(state))
    assert up.returncode == 0, up.stderr
    assert up.stdout.strip() == f"export KUBECONFIG={state / 'kubeconfig'}"
    info = json.loads((state / "state.json").read_text())
    inst = info["instance"]
    assert any(n.startswith(f"{inst}-") for n in netns_names())
    res = subprocess.run(["kubectl", "get", "pods", "-n", "exposure"], capture_output=True,
                         text=True, env={**os.environ, "KUBECONFIG": str(state / "kubeconfig")},
                         check=False)
    assert res.returncode == 0 and "httpd-wamblee-org" in res.stdout
    if crash:
        os.kill(info["pid"], signal.SIGKILL)
        time.sleep(0.2)
    else:
        st = cli("status")
        assert inst in st.stdout or state.name in st.stdout or st.returncode == 0
    down = cli("down", "--state-dir", str(state))
    assert down.returncode == 0, down.stderr
    assert leftovers(inst, state) == []


def test_twenty_pods_start_fast(tmp_path):
    require_root_sandbox()
    docs = ["apiVersion: v1\nkind: Namespace\nmetadata: {name: many}"]
    docs.append("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: many}
spec:
  replicas: 12
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80},
                                                        {containerPort: 53, protocol: UDP}]}]}""")
    docs += [f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: many, labels: "
             f"{{n: '{i}'}}}}\nspec: {{containers: [{{name: c, image: busybox, ports: "
             f"[{{containerPort: 8080}}]}}]}}" for i in range(8)]
    docs.append("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: "
                "{name: deny, namespace: many}\nspec: {podSelector: {}}")
    (tmp_path / "many.yaml").write_text("\n---\n".join(docs))
    t0 = time.monotonic()
    with start_sandbox(tmp_path) as sb:
        wall = time.monotonic() - t0
        pods = sb.pods("many")
        assert len(pods) == 20 and all(p["status"]["phase"] == "Running" for p in pods)
        assert len({p["status"]["podIP"] for p in pods}) == 20
        print(f"\n20-pod scenario: ready in {sb.startup_seconds:.2f}s inside the server, "
              f"{wall:.2f}s wall clock including process start")
