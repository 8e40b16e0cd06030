"""Pod targets that could lie (issue 9 items 1 and 2), for real in a sandbox cluster.

- `from: [db]` to `db` (2 replicas): the probe used to go to the source pod's own IP, over its
  own interface, which no NetworkPolicy governs, and PASSed while the other db pod was
  unreachable. Now the other pod is the target, and the probe FAILs as it should.
- a target pod deleted while the probes wait: its stale IP times out, and a deny test PASSed on
  that silence. Now the target is checked again after the exec, and the probe is an ERROR.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest
from tests.e2e.sandboxctl import ROOT, product_command
from tests.sandbox.faultproxy import FaultProxy
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "targets"
SPEC = str(ROOT / "tests" / "e2e" / "specs" / "targets.yaml")
HANG_GUARD = 150  # seconds; only so that a regression fails instead of hanging the suite


@pytest.fixture(scope="module")
def lab() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as sb:
        run = netpoltest(sb, "prepare", SPEC)
        assert run.code == ExitCode.OK, run.err + run.out
        yield sb


def _results(out: str) -> dict[str, Any]:
    import json

    return {r["id"]: r for r in json.loads(out)["results"]}


def test_a_target_is_never_the_probing_pod(lab: Sandbox) -> None:
    run = netpoltest(
        lab, "execute", SPEC, "-o", "json", "--junit", "", "--probe-timeout", "1",
        "--attempts", "1",
    )  # fmt: skip
    results = _results(run.out)
    to_db = results["db->pod/db:5432/tcp"]
    source = to_db["sourcePod"].split("/", 1)[1]
    (address,) = [a["address"] for a in to_db["addresses"]]
    assert address != lab.pod_ip("t", source)
    others = [p["metadata"]["name"] for p in lab.pods("t", "app=db")]
    assert address in {lab.pod_ip("t", name) for name in others if name != source}
    assert (to_db["verdict"], to_db["observation"]) == ("FAIL", "timeout"), to_db
    alone = results["solo->pod/solo:5432/tcp"]
    assert alone["verdict"] == "ERROR"
    assert alone["reason"].startswith("the only pod matching solo (")
    assert "is the source itself" in alone["reason"]
    assert run.code == ExitCode.TEST_FAILURES


def test_a_target_deleted_during_the_probe_is_an_error_not_a_pass(lab: Sandbox) -> None:
    target = sorted(p["metadata"]["name"] for p in lab.pods("t", "app=db"))[0]
    with FaultProxy(mode="pass", sandbox=lab) as api:
        proc = subprocess.Popen(
            [*product_command(), "execute", SPEC, "-o", "json", "--junit", "",
             "--kubeconfig", str(api.kubeconfig), "--probe-timeout", "5", "--attempts", "1"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            api.wait_for_request("/exec", count=2)  # db and web (solo has no target to probe)
            deleted = lab.kubectl("delete", "pod", "-n", "t", target, "--wait=false")
            assert deleted.returncode == 0, deleted.stderr
            out, err = proc.communicate(timeout=HANG_GUARD)
        finally:
            if proc.poll() is None:
                proc.kill()
    to_db = _results(out)["web->pod/db:5433/tcp"]
    assert to_db["verdict"] == "ERROR", (to_db, err)
    assert to_db["reason"].startswith(f"target pod t/{target} "), to_db["reason"]
    assert "during the probe" in to_db["reason"]


def test_an_address_that_is_the_probing_pod_s_own_ip_is_an_error_not_a_pass(
    lab: Sandbox, tmp_path: Any
) -> None:
    """A host written as the source pod's own IP never leaves the pod. In reject mode a closed
    port there used to read as 'rejected by the CNI' and PASS a denied probe."""
    (solo,) = lab.pods("t", "app=solo")
    own_ip = lab.pod_ip("t", solo["metadata"]["name"])
    spec = tmp_path / "own-ip.yaml"
    spec.write_text(
        "pods:\n  - {name: solo, namespace: t, selector: app=solo}\n"
        f"addresses:\n  - {{name: itself, hosts: ['{own_ip}']}}\n"
        "connections:\n  - {name: closed, addresses: [itself], ports: [9]}\n"
        "rules:\n  - {name: solo-to-own-ip, from: [solo], denied: [closed]}\n"
    )
    run = netpoltest(
        lab, "execute", str(spec), "-o", "json", "--junit", "", "--cni-mode", "reject",
        "--probe-timeout", "1", "--attempts", "1",
    )  # fmt: skip
    (result,) = _results(run.out).values()
    assert result["verdict"] == "ERROR", result
    assert "the source pod's own address" in result["reason"]
    assert run.code == ExitCode.INCONCLUSIVE
