"""Per-node enforcement with real packets: three worker nodes, one of which stops enforcing
NetworkPolicy (a crashed CNI agent), caught only by probing from every node (`spread: nodes`)
and into every replica (`targets: all`). Scenario tests/e2e/scenarios/nodes.

The node switched off is one that neither the single source pod (`spread: one`: the first web
pod by name) nor the single target pod (`targets: one`: the first server pod by name) runs on,
so the one-pod probes PASS while the spread ones FAIL naming the node.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "nodes"
SPEC = str(ROOT / "tests" / "e2e" / "specs" / "nodes.yaml")
LAG_SPEC = str(ROOT / "tests" / "e2e" / "specs" / "nodes-lag.yaml")
FAST = ("--probe-timeout", "1", "--attempts", "1", "--junit", "")
KNOB = "sandbox.netpoltest.test/enforcement"


def _first_node(sb: Sandbox, selector: str) -> str:
    pods = sorted(sb.pods("shop", selector), key=lambda p: p["metadata"]["name"])
    return str(pods[0]["spec"]["nodeName"])


@pytest.fixture(scope="module")
def lab() -> Iterator[tuple[Sandbox, str]]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as sb:
        prepared = netpoltest(sb, "prepare", SPEC)
        assert prepared.code == ExitCode.OK, prepared.out + prepared.err
        spared = {_first_node(sb, "app=web"), _first_node(sb, "app=server")}
        off = sorted({"node-1", "node-2", "node-3"} - spared)[0]
        yield sb, off


def test_pods_spread_one_replica_per_node(lab: tuple[Sandbox, str]) -> None:
    sb, _ = lab
    for app in ("web", "server"):
        nodes = sorted(p["spec"]["nodeName"] for p in sb.pods("shop", f"app={app}"))
        assert nodes == ["node-1", "node-2", "node-3"]


def _run(sb: Sandbox) -> tuple[int, dict[str, Any]]:
    run = netpoltest(sb, "execute", SPEC, "-o", "json", *FAST)
    return run.code, {r["id"]: r for r in run.json()["results"]}


def test_all_nodes_enforcing_everything_passes(lab: tuple[Sandbox, str]) -> None:
    sb, _ = lab
    code, results = _run(sb)
    assert code == ExitCode.OK, {k: v["reason"] for k, v in results.items()}
    spread = results["web-nodes->pod/db:8080/tcp"]
    assert [row["node"] for row in spread["perNode"]] == ["node-1", "node-2", "node-3"]
    assert {row["verdict"] for row in spread["perNode"]} == {"PASS"}
    assert spread["reason"].startswith("PASS from all 3 source pods (node-1, node-2, node-3)")


def test_a_node_that_stops_enforcing_is_caught_only_by_spread(lab: tuple[Sandbox, str]) -> None:
    sb, off = lab
    annotated = sb.kubectl("annotate", "node", off, f"{KNOB}=off")
    assert annotated.returncode == 0, annotated.stderr
    try:
        code, results = _run(sb)
    finally:
        sb.kubectl("annotate", "node", off, f"{KNOB}-")
    assert code == ExitCode.TEST_FAILURES
    # one source pod: on an enforcing node, so the leak is invisible
    assert results["web-one->pod/db:8080/tcp"]["verdict"] == "PASS"
    # one pod per node: the node that stopped enforcing is named, with the per-node matrix
    spread = results["web-nodes->pod/db:8080/tcp"]
    assert spread["verdict"] == "FAIL"
    assert spread["reason"].startswith(f"FAIL on {off} of 3: ")
    assert spread["observation"] == "connected"
    rows = {row["node"]: (row["verdict"], row["observation"]) for row in spread["perNode"]}
    assert rows[off] == ("FAIL", "connected")
    assert [v for n, v in rows.items() if n != off] == [("PASS", "timeout")] * 2
    assert spread["sourceNode"] == off
    # allowed traffic still passes from every node
    assert results["web-nodes->pod/db:80/tcp"]["verdict"] == "PASS"
    # targets: the replica on that node admits what the policy denies
    one = results["client->pod/server-one:8080/tcp"]
    assert one["verdict"] == "PASS" and len(one["addresses"]) == 1
    first_server = sorted(sb.pods("shop", "app=server"), key=lambda p: p["metadata"]["name"])[0]
    assert one["targetNode"] == first_server["spec"]["nodeName"]
    every = results["client->pod/server:8080/tcp"]
    assert every["verdict"] == "FAIL"
    assert every["reason"].startswith("blocked as expected on 2/3 replicas; not on shop/server-")
    assert f"({off})" in every["reason"].split(";")[1]


def test_the_console_groups_the_split_into_one_line(lab: tuple[Sandbox, str]) -> None:
    sb, off = lab
    sb.kubectl("annotate", "node", off, f"{KNOB}=off")
    try:
        run = netpoltest(sb, "execute", SPEC, *FAST)
    finally:
        sb.kubectl("annotate", "node", off, f"{KNOB}-")
    lines = [line for line in run.out.splitlines() if f"FAIL on {off} of 3" in line]
    assert len(lines) == 1, run.out


CHANGED = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-out, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to: [{podSelector: {matchLabels: {app: db}}}]
      ports: [{port: PORT}]
"""
LAG = "sandbox.netpoltest.test/enforcement-lag"


def test_a_node_with_stale_rules_is_caught_only_by_spread(
    lab: tuple[Sandbox, str], tmp_path: Path
) -> None:
    """One node's agent lags 120 s: a policy change (web may reach db on 81, no longer 80) is
    in force everywhere but there, where the old rule still lets web reach db on 80."""
    sb, stale = lab
    policy = tmp_path / "web-out.yaml"
    assert sb.kubectl("annotate", "node", stale, f"{LAG}=120").returncode == 0
    try:
        policy.write_text(CHANGED.replace("PORT", "81"))
        applied = sb.kubectl("apply", "-f", str(policy))
        assert applied.returncode == 0, applied.stderr
        run = netpoltest(sb, "execute", LAG_SPEC, "-o", "json", *FAST)
        results = {r["id"]: r for r in run.json()["results"]}
    finally:
        sb.kubectl("annotate", "node", stale, f"{LAG}-")
        policy.write_text(CHANGED.replace("PORT", "80"))
        sb.kubectl("apply", "-f", str(policy))
    assert results["web-one->pod/db:80/tcp"]["verdict"] == "PASS"
    spread = results["web-nodes->pod/db:80/tcp"]
    assert spread["verdict"] == "FAIL"
    assert spread["reason"].startswith(f"FAIL on {stale} of 3: ")
    rows = {row["node"]: row["observation"] for row in spread["perNode"]}
    assert rows[stale] == "connected"
    assert sorted(o for n, o in rows.items() if n != stale) == ["timeout", "timeout"]
