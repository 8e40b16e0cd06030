"""doctor and --cni-mode auto end to end, on a sandbox whose CNI is kube-router (reject mode).

The scenario (tests/e2e/scenarios/doctor) runs kube-router's agent pod in kube-system, a source
with an istio-proxy sidecar, a restricted namespace with a compliant source, and a namespace
whose pod is compliant only until the namespace is labelled restricted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest, verdicts
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "doctor"
SPEC = str(ROOT / "tests" / "e2e" / "specs" / "doctor.yaml")
FAST = ("--probe-timeout", "1", "--attempts", "2")
# Everything prepare/execute/cleanup need except adding the debug container.
NO_EPHEMERAL = {
    "name": "noeph",
    "allow": [
        "get,list,watch,patch,delete pods",
        "create,get pods/exec",
        "get replicasets,deployments,statefulsets,daemonsets",
        {
            "verbs": ["get", "list", "watch"],
            "resources": ["networkpolicies"],
            "apiGroups": ["networking.k8s.io"],
        },
    ],
}
WEB_ONLY = """
pods:
  - {name: web, namespace: shop, selector: {app: web}}
  - {name: server, namespace: shop, selector: {app: server}}
connections:
  - {name: http, pods: [server], ports: [80]}
  - {name: admin, pods: [server], ports: [8080]}
rules:
  - {name: web-to-server, from: [web], allowed: [http], denied: [admin]}
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(SCENARIO, users=[NO_EPHEMERAL]) as sb:
        yield sb


def _checks(run: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["area"], c["subject"]): c for c in run.json()["checks"]}


def test_doctor_passes_and_reads_the_cni(cluster: Sandbox) -> None:
    run = netpoltest(cluster, "doctor", SPEC, "-o", "json")
    assert run.code == ExitCode.OK, run.out + run.err
    checks = _checks(run)
    cni = checks[("cni", "kube-router")]
    assert cni["status"] == "PASS"
    assert "kube-system/kube-router-x7k2p" in cni["message"]
    assert "--cni-mode auto will use reject" in cni["message"]
    assert checks[("server", "ephemeral containers")]["status"] == "PASS"
    assert all(
        checks[("permissions", f"namespace {ns}")]["status"] == "PASS"
        for ns in ("shop", "mesh", "secure", "legacy")
    )


def test_doctor_names_the_mesh_sidecar(cluster: Sandbox) -> None:
    checks = _checks(netpoltest(cluster, "doctor", SPEC, "-o", "json"))
    meshed = checks[("sources", "source meshed (mesh/[app=meshed])")]
    assert meshed["status"] == "WARN"
    assert "istio-proxy" in meshed["message"] and "inconclusive" in meshed["message"]
    assert checks[("sources", "source web (shop/[app=web])")]["status"] == "PASS"


def test_doctor_on_a_restricted_namespace(cluster: Sandbox) -> None:
    checks = _checks(netpoltest(cluster, "doctor", SPEC, "-o", "json"))
    secure = checks[("pod-security", "namespace secure")]
    assert secure["status"] == "PASS"
    assert "enforce level: restricted" in secure["message"]
    assert "server-side dry-run" in secure["message"]


def test_doctor_fails_on_a_missing_permission_with_the_rbac_fix(cluster: Sandbox) -> None:
    run = netpoltest(cluster, "doctor", SPEC, user="noeph")
    assert run.code == ExitCode.CLUSTER_ERROR, run.out + run.err
    line = next(x for x in run.out.splitlines() if "namespace shop" in x and "permissions" in x)
    assert line.startswith("FAIL") and "patch pods/ephemeralcontainers" in line
    assert "kubectl netpoltest rbac -n shop" in run.out
    # The refused dry-run is a permission problem, reported once, not a Pod Security verdict.
    security = next(x for x in run.out.splitlines() if "pod-security" in x and "shop" in x)
    assert security.startswith("WARN")


def test_auto_mode_chooses_reject_on_kube_router(cluster: Sandbox, tmp_path: Path) -> None:
    spec = tmp_path / "web.yaml"
    spec.write_text(WEB_ONLY)
    assert netpoltest(cluster, "prepare", str(spec)).code == ExitCode.OK
    junit = str(tmp_path / "j.xml")
    auto = netpoltest(cluster, "execute", str(spec), "--junit", junit, *FAST)
    assert auto.code == ExitCode.OK, auto.out + auto.err
    assert auto.out.splitlines()[0].startswith("cni-mode: reject (auto: kube-router")
    as_json = netpoltest(cluster, "execute", str(spec), "-o", "json", "--junit", junit, *FAST)
    assert verdicts(as_json)["web->pod/server:8080/tcp"] == ("PASS", "refused")
    assert "cni-mode: reject" in as_json.err
    forced = netpoltest(
        cluster, "execute", str(spec), "-o", "json", "--cni-mode", "drop", "--junit", junit, *FAST
    )
    assert verdicts(forced)["web->pod/server:8080/tcp"] == ("FAIL", "refused")


def test_doctor_without_a_spec_checks_the_namespace(cluster: Sandbox) -> None:
    run = netpoltest(cluster, "doctor", "-n", "secure", "-o", "json")
    assert run.code == ExitCode.OK, run.out + run.err
    checks = _checks(run)
    assert set(checks) >= {("permissions", "namespace secure"), ("cni", "kube-router")}
    security = checks[("pod-security", "namespace secure")]
    assert security["status"] == "PASS" and "secure/locked-" in security["message"]


def test_doctor_fails_when_pod_security_would_refuse_the_debug_container(
    cluster: Sandbox,
) -> None:
    """Labelled restricted after its pod was created: the whole pod is judged, so even our
    compliant container is refused. Last in the file: it changes the namespace."""
    label = cluster.kubectl(
        "label", "namespace", "legacy", "pod-security.kubernetes.io/enforce=restricted"
    )
    assert label.returncode == 0, label.stderr
    run = netpoltest(cluster, "doctor", SPEC, "-o", "json")
    assert run.code == ExitCode.CLUSTER_ERROR
    legacy = _checks(run)[("pod-security", "namespace legacy")]
    assert legacy["status"] == "FAIL"
    assert "enforce level: restricted" in legacy["message"]
    assert 'violates PodSecurity "restricted:latest"' in legacy["message"]
    assert legacy["fix"]
