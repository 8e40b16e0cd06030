"""Service targets with real packets: each ready backend on its resolved targetPort, plus the
ClusterIP and DNS name applications use (scenario tests/e2e/scenarios/services).

The api Service has a stable backend (named targetPort http = 8080, admitted by the policy)
and a canary (http = 8081, not admitted): an `allowed` probe must FAIL naming the canary,
whichever backend the ClusterIP happened to pick.
"""

from __future__ import annotations

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
SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "services"
SPEC = str(ROOT / "tests" / "e2e" / "specs" / "services.yaml")
FAST = ("--probe-timeout", "1", "--attempts", "1", "--junit", "")


@pytest.fixture(scope="module")
def results() -> Iterator[tuple[Sandbox, dict[str, Any]]]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as sb:
        down = sb.kubectl(
            "annotate",
            "pods",
            "-n",
            "shop-back",
            "-l",
            "state=down",
            "sandbox.netpoltest.test/readiness=not-ready",
        )
        assert down.returncode == 0, down.stderr
        sb.wait_for(lambda: not _ready(sb.pods("shop-back", "state=down")[0]))
        prepared = netpoltest(sb, "prepare", SPEC)
        assert prepared.code == ExitCode.OK, prepared.out + prepared.err
        run = netpoltest(sb, "execute", SPEC, "-o", "json", *FAST)
        assert run.code == ExitCode.TEST_FAILURES, run.out + run.err
        yield sb, {r["id"]: r for r in run.json()["results"]}


def _ready(pod: dict[str, Any]) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def _addresses(result: dict[str, Any]) -> dict[str, str]:
    return {a["address"]: a["observation"] for a in result["addresses"]}


def test_backends_that_differ_in_labels_fail_naming_the_blocked_one(
    results: tuple[Sandbox, dict[str, Any]],
) -> None:
    sb, by_id = results
    result = by_id["web->svc/api:80/tcp"]
    stable = sb.pods("shop-back", "track=stable")[0]["metadata"]["name"]
    canary = sb.pods("shop-back", "track=canary")[0]["metadata"]["name"]
    seen = _addresses(result)
    # each backend on the number its own pod gives the named targetPort
    backend_stable = next(a for a in seen if a.startswith(f"shop-back/{stable} "))
    backend_canary = next(a for a in seen if a.startswith(f"shop-back/{canary} "))
    assert backend_stable.endswith(":8080") and seen[backend_stable] == "connected"
    assert backend_canary.endswith(":8081") and seen[backend_canary] == "timeout"
    assert any(a.startswith("ClusterIP ") and a.endswith(":80") for a in seen)
    assert any(a.startswith("DNS api.shop-back.svc:80") for a in seen)
    assert result["verdict"] == "FAIL"
    assert result["reason"].startswith("allowed as expected on 1/2 backends; not on ")
    assert f"shop-back/{canary}" in result["reason"].split(";")[1]


def test_a_service_whose_backends_all_pass(results: tuple[Sandbox, dict[str, Any]]) -> None:
    _, by_id = results
    result = by_id["web->svc/stable:80/tcp"]
    assert result["verdict"] == "PASS", result["reason"]
    assert result["reason"].startswith("allowed as expected on 1/1 backends")
    assert set(_addresses(result).values()) == {"connected"}


def test_denied_passes_only_when_every_backend_is_blocked(
    results: tuple[Sandbox, dict[str, Any]],
) -> None:
    _, by_id = results
    result = by_id["batch->svc/api:80/tcp"]
    assert result["verdict"] == "PASS", result["reason"]
    assert result["reason"].startswith("blocked as expected on 2/2 backends")


def test_no_ready_endpoints_is_an_error_never_a_verdict(
    results: tuple[Sandbox, dict[str, Any]],
) -> None:
    _, by_id = results
    result = by_id["web->svc/ghost:80/tcp"]
    assert result["verdict"] == "ERROR"
    assert "no ready endpoints" in result["reason"]
    assert "kube-proxy refuses the connection" in result["reason"]


def test_headless_service_probes_the_endpoints_only(
    results: tuple[Sandbox, dict[str, Any]],
) -> None:
    _, by_id = results
    result = by_id["web->svc/headless:8080/tcp"]
    seen = _addresses(result)
    assert not any(a.startswith(("ClusterIP", "DNS")) for a in seen)
    assert len(seen) == 2 and all(a.endswith(":8080") for a in seen)
    # the canary serves 8081 only, but the policy decides first: 8080 is admitted, so the
    # canary refuses (nothing listens) -> FAIL for allowed, naming it
    assert result["verdict"] == "FAIL"


def test_a_not_ready_backend_gets_no_probe(results: tuple[Sandbox, dict[str, Any]]) -> None:
    sb, by_id = results
    result = by_id["web->svc/half:90/tcp"]
    down = sb.pods("shop-back", "state=down")[0]["metadata"]["name"]
    seen = _addresses(result)
    assert not any(down in a for a in seen)
    assert result["verdict"] == "PASS", result["reason"]
    assert result["reason"].startswith("allowed as expected on 1/1 backends")


def test_endpoint_slices_carry_readiness_and_the_resolved_ports(
    results: tuple[Sandbox, dict[str, Any]],
) -> None:
    sb, _ = results
    listed = sb.kubectl("get", "endpointslices", "-n", "shop-back", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    slices = [
        s
        for s in json.loads(listed.stdout)["items"]
        if s["metadata"]["labels"]["kubernetes.io/service-name"] == "half"
    ]
    conditions = [e["conditions"]["ready"] for s in slices for e in s["endpoints"]]
    assert sorted(conditions) == [False, True]
    api_ports = sorted(
        p["port"]
        for s in json.loads(listed.stdout)["items"]
        if s["metadata"]["labels"]["kubernetes.io/service-name"] == "api"
        for p in s["ports"]
    )
    assert api_ports == [8080, 8081]
