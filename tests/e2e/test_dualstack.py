"""Both IP families with real packets: dual-stack pods (status.podIPs), IPv6 policy
enforcement in the data plane, and a pod whose IPv6 path is open while IPv4 is blocked
(scenario tests/e2e/scenarios/dualstack: db admits ipBlock ::/0 and nothing else).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from typing import Any

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "dualstack"
SPEC = str(ROOT / "tests" / "e2e" / "specs" / "dualstack.yaml")
FAST = ("--probe-timeout", "1", "--attempts", "1", "--junit", "")
DB = "web->pod/db:5432/tcp"


@pytest.fixture(scope="module")
def lab() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as sb:
        prepared = netpoltest(sb, "prepare", SPEC)
        assert prepared.code == ExitCode.OK, prepared.out + prepared.err
        yield sb


def _results(sb: Sandbox, *args: str) -> tuple[int, dict[str, Any]]:
    run = netpoltest(sb, "execute", SPEC, "-o", "json", *FAST, *args)
    return run.code, {r["id"]: r for r in run.json()["results"]}


def _by_family(result: dict[str, Any]) -> dict[int, str]:
    return {
        ipaddress.ip_address(a["address"]).version: a["observation"] for a in result["addresses"]
    }


def test_pods_are_dual_stack(lab: Sandbox) -> None:
    for pod in lab.pods("shop"):
        families = [ipaddress.ip_address(p["ip"]).version for p in pod["status"]["podIPs"]]
        assert families == [4, 6]


def test_an_open_ipv6_path_next_to_a_blocked_ipv4_one_fails(lab: Sandbox) -> None:
    code, results = _results(lab)
    assert code == ExitCode.TEST_FAILURES
    db = results[DB]
    assert _by_family(db) == {4: "timeout", 6: "connected"}
    assert (db["verdict"], db["observation"]) == ("FAIL", "connected")
    # a pod peer covers both families: allowed on both, the other port blocked on both
    assert _by_family(results["web->pod/api:8080/tcp"]) == {4: "connected", 6: "connected"}
    assert results["web->pod/api:8080/tcp"]["verdict"] == "PASS"
    assert _by_family(results["web->pod/api:9090/tcp"]) == {4: "timeout", 6: "timeout"}
    assert results["web->pod/api:9090/tcp"]["verdict"] == "PASS"


def test_ip_family_narrows_the_run_to_one_family(lab: Sandbox) -> None:
    code4, only4 = _results(lab, "--ip-family", "4")
    # an IPv6 literal has no IPv4 address: ERROR (nothing tested), never PASS
    assert code4 == ExitCode.INCONCLUSIVE
    errors = {k: r["reason"] for k, r in only4.items() if r["verdict"] == "ERROR"}
    assert list(errors) == ["batch->2001:db8::80:443/tcp"]
    assert "has no IPv4 address" in errors["batch->2001:db8::80:443/tcp"]
    assert _by_family(only4[DB]) == {4: "timeout"}
    code6, only6 = _results(lab, "--ip-family", "6")
    assert code6 == ExitCode.TEST_FAILURES
    assert _by_family(only6[DB]) == {6: "connected"}
    code_both, both = _results(lab, "--ip-family", "both")
    assert code_both == ExitCode.TEST_FAILURES
    # every pod and Service has both families; a single-family literal cannot satisfy `both`
    assert sorted(k for k, r in both.items() if r["verdict"] == "ERROR") == [
        "batch->2001:db8::80:443/tcp",
        "batch->203.0.113.80:443/tcp",
    ]


def test_a_dual_stack_service_is_probed_on_both_cluster_ips_names_and_backends(
    lab: Sandbox,
) -> None:
    _, results = _results(lab)
    svc = results["web->svc/db-svc:5432/tcp"]
    seen = {a["address"]: a["observation"] for a in svc["addresses"]}
    assert seen["ClusterIP 10.96.0.20:5432"] == "timeout"
    assert seen["ClusterIP [fd00:10:96::14]:5432"] == "connected"
    assert seen["DNS db.shop.svc:5432 -> fd00:10:96::14"] == "connected"  # the AAAA record
    backends = {a: o for a, o in seen.items() if a.startswith("shop/db-")}
    assert sorted(backends.values()) == ["connected", "timeout"]
    assert svc["verdict"] == "FAIL"
    assert svc["reason"].startswith("blocked as expected on 1/2 backends; not on shop/db-")
    assert "[fd00:10:244::" in svc["reason"].split(";")[1]
    api = results["web->svc/api-svc:80/tcp"]
    assert api["verdict"] == "PASS", api["reason"]
    assert len(api["addresses"]) == 6  # 2 ClusterIPs, the name's A and AAAA, 2 backends


def test_dual_stack_endpoint_slices(lab: Sandbox) -> None:
    listed = lab.kubectl("get", "endpointslices", "-n", "shop", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    families = sorted(
        s["addressType"]
        for s in json.loads(listed.stdout)["items"]
        if s["metadata"]["labels"]["kubernetes.io/service-name"] == "db"
    )
    assert families == ["IPv4", "IPv6"]


def test_an_ipv6_ipblock_is_enforced_towards_an_ipv6_host(lab: Sandbox) -> None:
    _, results = _results(lab)
    v6 = results["batch->2001:db8::80:443/tcp"]
    v4 = results["batch->203.0.113.80:443/tcp"]
    assert (v6["verdict"], v6["observation"]) == ("PASS", "connected")
    assert (v4["verdict"], v4["observation"]) == ("PASS", "timeout")
