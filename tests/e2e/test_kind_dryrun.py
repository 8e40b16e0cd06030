"""A dry run of the e2e-kind workflow's cluster steps against the sandbox.

Why: kind cannot run on this machine, and a workflow that is only linted rots. The steps whose
id starts with `cluster-` (apply the real-image scenarios, prepare -> execute -> cleanup each
spec, check the verdicts) are taken from .github/workflows/e2e-kind.yml and run here with bash,
as the runner would, against a sandbox that stands in for each matrix entry: a dropping CNI for
Calico, a rejecting one for kube-router. Only the cluster differs; the scripts are the same text.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.kindrun import real_manifests
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
WORKFLOW = ROOT / ".github" / "workflows" / "e2e-kind.yml"
SCENARIOS = (
    ROOT / "tests" / "e2e" / "scenarios" / "verdicts",
    ROOT / "examples" / "sandbox-scenario",
    ROOT / "examples" / "sandbox-scenario-richer",
)


def _job() -> dict[str, Any]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = workflow["jobs"]["kind"]
    assert isinstance(job, dict)
    return job


def _cluster_steps() -> list[tuple[str, str]]:
    steps = [(s["id"], s["run"]) for s in _job()["steps"] if s.get("id", "").startswith("cluster-")]
    assert [name for name, _ in steps] == ["cluster-scenarios", "cluster-probes", "cluster-checks"]
    return steps


def _sandbox_config(deny_mode: str) -> dict[str, Any]:
    """The scenarios' external hosts in one SandboxConfig; the workloads come from the steps."""
    hosts: list[Any] = []
    for directory in SCENARIOS:
        for path in sorted(directory.glob("*.yaml")):
            for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if document and document.get("kind") == "SandboxConfig":
                    hosts += document.get("externalHosts") or []
    return {
        "apiVersion": "sandbox.netpoltest.test/v1",
        "kind": "SandboxConfig",
        "denyMode": deny_mode,
        "externalHosts": hosts,
        "timing": {"ephemeralStartDelay": 0.2, "replaceDelay": 0.2},
    }


def test_manifests_use_only_the_real_probe_image_and_keep_ports() -> None:
    documents = real_manifests(SCENARIOS)
    assert not [d for d in documents if d.get("kind") == "SandboxConfig"]
    images, ports = set(), []
    for document in documents:
        spec = document.get("spec") or {}
        pod = spec if document.get("kind") == "Pod" else (spec.get("template") or {}).get("spec")
        for container in (pod or {}).get("containers") or []:
            images.add(container["image"])
            ports += [
                (p["containerPort"], p.get("protocol", "TCP")) for p in container.get("ports") or []
            ]
    assert images == {"registry.k8s.io/e2e-test-images/agnhost:2.53"}
    assert (5353, "UDP") in ports and (80, "TCP") in ports and (8125, "UDP") in ports


@pytest.mark.parametrize(("cni", "mode"), [("calico", "drop"), ("kube-router", "reject")])
def test_the_workflow_cluster_steps_pass_against_the_sandbox(
    tmp_path: Path, cni: str, mode: str
) -> None:
    require_root_sandbox()
    scenario = tmp_path / "scenario"
    scenario.mkdir()
    (scenario / "sandbox.yaml").write_text(yaml.safe_dump(_sandbox_config(mode)))
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    results = tmp_path / "results"
    with start_sandbox(scenario) as sb:
        env = {
            **os.environ,
            "KUBECONFIG": str(sb.kubeconfig),
            "RUNNER_TEMP": str(runner_temp),
            "CNI": cni,
            "CNI_MODE": mode,
            "RESULTS": str(results),
            "NETPOLTEST_BINARY": "",  # the CLI from this tree instead of the frozen binary
        }
        for step, script in _cluster_steps():
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900,
            )  # fmt: skip
            assert done.returncode == 0, f"{step}:\n{done.stdout}\n{done.stderr}"
    codes = json.loads((results / "verdicts.exitcodes.json").read_text())
    assert codes == {"prepare": 0, "execute": 1, "cleanup": 0}
    assert {p.name for p in results.iterdir()} >= {"verdicts.json", "verdicts.junit.xml"}
