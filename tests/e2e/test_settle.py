"""Eventual consistency: a policy applied just before execute, on a CNI that programs it 3 s late.

The lag scenario's sandbox applies NetworkPolicy changes 3 s after the API accepts them
(timing.enforcementLag), like a CNI agent that is slow to program rules, with real packets.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest, verdicts
from tests.e2e.sandboxctl import ROOT, product_command
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "lag"
SPEC = str(ROOT / "tests" / "e2e" / "specs" / "lag.yaml")
FAST = ("--probe-timeout", "1", "--attempts", "1", "--junit", "")
LAG = 3.0
POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 80}]
"""
ADMIN = "web->pod/server:8080/tcp"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as sb:
        assert netpoltest(sb, "prepare", SPEC).code == ExitCode.OK
        yield sb


def _apply(sb: Sandbox, tmp: Path) -> None:
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY)
    applied = sb.kubectl("apply", "-f", str(policy))
    assert applied.returncode == 0, applied.stderr


def _remove(sb: Sandbox) -> None:
    deleted = sb.kubectl("delete", "networkpolicy", "-n", "shop", "server-in")
    assert deleted.returncode == 0, deleted.stderr
    time.sleep(LAG + 0.5)  # until the deletion is in force too


def test_without_settle_a_lagging_policy_fails(cluster: Sandbox, tmp_path: Path) -> None:
    _apply(cluster, tmp_path)
    run = netpoltest(cluster, "execute", SPEC, "-o", "json", *FAST)
    assert verdicts(run)[ADMIN] == ("FAIL", "connected")
    _remove(cluster)


def test_settle_waits_for_a_policy_applied_two_seconds_before(
    cluster: Sandbox, tmp_path: Path
) -> None:
    _apply(cluster, tmp_path)
    time.sleep(2.0)
    run = netpoltest(cluster, "execute", SPEC, "-o", "json", "--settle", "30s", *FAST)
    assert run.code == ExitCode.OK, run.out + run.err
    results = {r["id"]: r for r in run.json()["results"]}
    assert (results[ADMIN]["verdict"], results[ADMIN]["observation"]) == ("PASS", "timeout")
    assert results[ADMIN]["settledSeconds"] > 0
    _remove(cluster)


def test_settle_retries_until_the_observation_agrees_stably(
    cluster: Sandbox, tmp_path: Path
) -> None:
    """Applied right before execute: the first observations still get through (the lag is
    longer than execute's start), so the verdict comes from the retries."""
    _apply(cluster, tmp_path)
    run = netpoltest(cluster, "execute", SPEC, "-o", "json", "--settle", "30s", *FAST)
    assert run.code == ExitCode.OK, run.out + run.err
    result = next(r for r in run.json()["results"] if r["id"] == ADMIN)
    assert (result["verdict"], result["observation"]) == ("PASS", "timeout")
    assert "settled: agreed 3 times in a row" in result["reason"]
    _remove(cluster)


def test_settle_gives_up_on_a_policy_that_never_comes(cluster: Sandbox) -> None:
    run = netpoltest(cluster, "execute", SPEC, "-o", "json", "--settle", "3s", *FAST)
    assert run.code == ExitCode.TEST_FAILURES
    result = next(r for r in run.json()["results"] if r["id"] == ADMIN)
    assert result["verdict"] == "FAIL" and "not settled within 3s" in result["reason"]
    assert "settledSeconds" not in result


def test_enforce_time_measures_the_lag(cluster: Sandbox, tmp_path: Path) -> None:
    """enforce-time applies nothing: it sees our apply on its watch and times the packets."""
    proc = subprocess.Popen(
        [*product_command(), "enforce-time", SPEC, "-o", "json", "--timeout", "60s"],
        env=cluster.env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = ""
        while "watching NetworkPolicies in shop" not in line:
            line = proc.stderr.readline()
            assert line, "enforce-time ended before watching"
        _apply(cluster, tmp_path)
        out, err = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == ExitCode.OK, err
    times = json.loads(out)
    assert times["change"] == {"type": "ADDED", "policy": "shop/server-in"}
    by_id = {p["id"]: p for p in times["probes"]}
    # The deny cannot be in force before the lag has passed; the allow held all along.
    assert by_id[ADMIN]["seconds"] >= LAG - 0.5
    assert by_id["web->pod/server:80/tcp"]["seconds"] < by_id[ADMIN]["seconds"]
    assert times["summary"]["max"] == by_id[ADMIN]["seconds"]
    _remove(cluster)
