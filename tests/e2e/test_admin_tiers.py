"""Cases only admin tiers create, end to end: real packets through `execute`, and the tier chain.

The sandbox (tests/e2e/scenarios/tiers, reject mode) serves ClusterNetworkPolicy v1alpha2 and
enforces it and the v1alpha1 kinds in nftables. For each case (the admin-tier issue's
cases (a)-(g) as X-a .. X-g, and one for AdminNetworkPolicy + BaselineAdminNetworkPolicy) the test
creates the case's objects through the API, runs `kubectl netpoltest execute` on a spec whose
expectations are the case's prediction, and checks:

* every probe PASSes, and an admin Deny is seen as a drop (`timeout`) although the CNI rejects
  NetworkPolicy denials (`refused`): T18;
* `execute` and `kubectl netpoltest explain` (live) say which tiers they considered and name
  the tier and object that decided each probe (the chain), as does the tier evaluator fed
  directly with what the live reader (cluster/adminreads.py) finds. Case X-g (same priority,
  different actions) must be `undefined` there (explain exits 5), whatever the packet did.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubectl_netpoltest.cluster.adminreads import AdminTierReader
from kubectl_netpoltest.core.policy import Verdict, parse, pod_endpoint
from kubectl_netpoltest.core.policy.admin_model import admin_policy
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.tiers import TieredPredictor
from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest, verdicts
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "tiers"
FAST = ("--probe-timeout", "1", "--attempts", "1", "--cni-mode", "reject")
CNP_PATH = "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies"
SPEC = {
    "pods": [{"name": "web", "namespace": "shop", "selector": "app=web"},
             {"name": "tool", "namespace": "ops", "selector": "app=tool"},
             {"name": "db", "namespace": "shop", "selector": "app=db"}],
    "connections": [{"name": "pg", "pods": ["db"], "ports": [{"port": 5432}]},
                    {"name": "alt", "pods": ["db"], "ports": [{"port": 5433}]}],
}
SHOP = {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}}}
DB = {"pods": {"namespaceSelector": SHOP["namespaces"],
               "podSelector": {"matchLabels": {"app": "db"}}}}
WEB = {"pods": {"podSelector": {"matchLabels": {"app": "web"}}}}
OPS = {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}}}
PATHS = {"NetworkPolicy": "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies",
         "ClusterNetworkPolicy": "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies",
         "AdminNetworkPolicy": "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies",
         "BaselineAdminNetworkPolicy":
             "/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies"}


def cnp(name: str, *, priority: int = 10, tier: str = "Admin", subject: dict[str, Any] = DB,
        **rules: Any) -> dict[str, Any]:
    return {"apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
            "metadata": {"name": name},
            "spec": {"tier": tier, "priority": priority, "subject": subject, **rules}}


def netpol(name: str, ingress: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": {"matchLabels": {"app": "db"}},
                            "policyTypes": ["Ingress"]}
    if ingress is not None:
        spec["ingress"] = ingress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "shop"}, "spec": spec}


NP_WEB_TO_DB = netpol("db-in", [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                                 "ports": [{"port": 5432}]}])
NP_DB_DENY = netpol("db-deny")

# id, objects, {probe id: (verdict, observation)} with the spec expectation implied by the
# verdict, {probe id: expected start of the deciding side's chain}
CASES: list[tuple[str, list[dict[str, Any]], dict[str, str], dict[str, str]]] = [
    ("X-a", [NP_WEB_TO_DB, cnp("deny-shop", ingress=[
        {"action": "Deny", "from": [SHOP]}])],
     {"web->pod/db:5432/tcp": "denied:timeout"},
     {"web->pod/db:5432/tcp": "[Admin] Deny (cnp/deny-shop ingress[0])"}),
    ("X-b", [NP_DB_DENY, cnp("accept-web", ingress=[
        {"action": "Accept", "from": [WEB],
         "protocols": [{"tcp": {"destinationPort": {"number": 5432}}}]}])],
     {"web->pod/db:5432/tcp": "allowed:connected", "web->pod/db:5433/tcp": "denied:refused"},
     {"web->pod/db:5432/tcp": "[Admin] Accept (cnp/accept-web ingress[0])"}),
    ("X-c", [NP_WEB_TO_DB, cnp("pass-shop", ingress=[{"action": "Pass", "from": [SHOP]}]),
             cnp("deny-all", priority=20, ingress=[
                 {"action": "Deny", "from": [{"namespaces": {}}]}])],
     {"web->pod/db:5432/tcp": "allowed:connected", "tool->pod/db:5432/tcp": "denied:timeout"},
     {"web->pod/db:5432/tcp": "[Admin] Pass (cnp/pass-shop ingress[0]) → [NetworkPolicy] "
                              "allowed (shop/db-in ingress[0]",
      "tool->pod/db:5432/tcp": "[Admin] Deny (cnp/deny-all ingress[0])"}),
    ("X-d", [cnp("base-ops", tier="Baseline", subject=SHOP, ingress=[
        {"action": "Deny", "from": [{"namespaces": {"matchLabels": {
            "kubernetes.io/metadata.name": "ops"}}}]}])],
     {"tool->pod/db:5432/tcp": "denied:timeout", "web->pod/db:5432/tcp": "allowed:connected"},
     {"tool->pod/db:5432/tcp": "[Baseline] Deny (cnp/base-ops ingress[0])"}),
    ("X-d2", [cnp("base-ops", tier="Baseline", subject=SHOP, ingress=[
        {"action": "Deny", "from": [{"namespaces": {"matchLabels": {
            "kubernetes.io/metadata.name": "ops"}}}]}]),
        netpol("db-from-ops", [{"from": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "ops"}}}]}])],
     {"tool->pod/db:5432/tcp": "allowed:connected"},
     {"tool->pod/db:5432/tcp": "[NetworkPolicy] allowed (shop/db-from-ops ingress[0]"}),
    ("X-e", [cnp("deny-db-ip", subject=WEB, egress=[
        {"action": "Deny", "to": [{"networks": ["{ip:db}/32"]}]}])],
     {"web->pod/db:5432/tcp": "denied:timeout", "tool->pod/db:5432/tcp": "allowed:connected"},
     {"web->pod/db:5432/tcp": "[Admin] Deny (cnp/deny-db-ip egress[0])"}),
    ("X-f", [NP_DB_DENY, cnp("web-out", subject=WEB, egress=[
        {"action": "Accept", "to": [{"pods": {"podSelector": {"matchLabels": {
            "app": "db"}}}}]}])],
     {"web->pod/db:5432/tcp": "denied:refused"},
     {"web->pod/db:5432/tcp": "[Admin] Accept (cnp/web-out egress[0])"}),
    ("L2", [{"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
             "metadata": {"name": "ops-pg"}, "spec": {"priority": 10, "subject": SHOP, "ingress": [
                 {"action": "Allow", "from": [OPS], "ports": [{"portNumber": {"port": 5432}}]},
                 {"action": "Pass", "from": [OPS]}]}},
            {"apiVersion": "policy.networking.k8s.io/v1alpha1",
             "kind": "BaselineAdminNetworkPolicy", "metadata": {"name": "default"},
             "spec": {"subject": SHOP, "ingress": [{"action": "Deny", "from": [OPS]}]}}],
     {"tool->pod/db:5432/tcp": "allowed:connected", "tool->pod/db:5433/tcp": "denied:timeout"},
     {"tool->pod/db:5432/tcp": "[Admin] Accept (anp/ops-pg ingress[0])",
      "tool->pod/db:5433/tcp": "[Admin] Pass (anp/ops-pg ingress[1]) → [Baseline] Deny "
                               "(banp/default ingress[0])"}),
    ("X-g", [cnp("a-accept", ingress=[{"action": "Accept", "from": [SHOP]}]),
             cnp("b-deny", ingress=[{"action": "Deny", "from": [SHOP]}])],
     {"web->pod/db:5432/tcp": "allowed:connected"},
     {"web->pod/db:5432/tcp": "[Admin] undefined: same priority 10"}),
]


@pytest.fixture(scope="module")
def tiers_lab() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as sb:
        yield sb


def _spec(tmp: Path, case: dict[str, str]) -> Path:
    rules: dict[str, dict[str, list[str]]] = {}
    names = {"5432": "pg", "5433": "alt"}
    for probe, outcome in case.items():
        found = re.fullmatch(r"(\w+)->pod/\w+:(\d+)/tcp", probe)
        assert found is not None, probe
        src, port = found.group(1), found.group(2)
        expect = outcome.split(":")[0]
        rules.setdefault(src, {"allowed": [], "denied": []})[expect].append(names[port])
    spec = {**SPEC, "rules": [{"name": src, "from": [src], **{k: v for k, v in r.items() if v}}
                              for src, r in rules.items()]}
    path = tmp / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def _fill(obj: Any, ip: str) -> Any:
    return yaml.safe_load(yaml.safe_dump(obj).replace("'{ip:db}/32'", f"{ip}/32"))


def _predictor(sb: Sandbox) -> TieredPredictor:
    """What `explain` reads live: namespaces, pods, NetworkPolicies and the admin tiers."""
    ns = sb.get("/api/v1/namespaces")["items"]
    pods = sb.get("/api/v1/pods")["items"]
    nps = sb.get("/apis/networking.k8s.io/v1/networkpolicies")["items"]
    tiers = AdminTierReader(api_client=sb.api_client(), context=None,
                            request_timeout=10).read()
    snap = Snapshot(namespaces=tuple(parse.namespace(n) for n in ns),
                    pods=tuple(parse.pod(p) for p in pods),
                    policies=tuple(parse.policy(p) for p in nps), live=True)
    return TieredPredictor(snap, [admin_policy(o) for o in tiers.objects])


def _chain(pred: TieredPredictor, probe: str) -> tuple[Verdict, list[str]]:
    found = re.fullmatch(r"(\w+)->pod/(\w+):(\d+)/tcp", probe)
    assert found is not None, probe
    src, dst, port = found.group(1), found.group(2), int(found.group(3))
    pods = {p.name.split("-")[0]: p for p in pred.snapshot.pods
            if p.namespace in ("shop", "ops")}
    p = pred.connection(source=pod_endpoint(pods[src]), destination=pod_endpoint(pods[dst]),
                        port=port, protocol="TCP")
    return p.verdict, [s.reason for s in p.because]


def test_prepare(tiers_lab: Sandbox, tmp_path: Path) -> None:
    spec = _spec(tmp_path, {"web->pod/db:5432/tcp": "allowed", "tool->pod/db:5432/tcp":
                            "allowed"})
    run = netpoltest(tiers_lab, "prepare", str(spec))
    assert run.code == ExitCode.OK, run.err


@pytest.mark.parametrize(("case", "objs", "expected", "chains"), CASES,
                         ids=[c[0] for c in CASES])
def test_case(tiers_lab: Sandbox, tmp_path: Path, case: str, objs: list[dict[str, Any]],
              expected: dict[str, str], chains: dict[str, str]) -> None:
    sb = tiers_lab
    db_ip = next(p for p in sb.get("/api/v1/namespaces/shop/pods")["items"]
                 if p["metadata"]["labels"].get("app") == "db")["status"]["podIP"]
    created = []
    try:
        for obj in objs:
            path = PATHS[obj["kind"]]
            code, body = sb.request("POST", path, _fill(obj, db_ip))
            assert code == 201, body
            created.append(f"{path}/{obj['metadata']['name']}")
        run = netpoltest(sb, "execute", str(_spec(tmp_path, expected)), "-o", "json", *FAST)
        got = verdicts(run)
        assert {k: got[k] for k in expected} == {
            k: ("PASS", v.split(":")[1]) for k, v in expected.items()}, (case, run.err)
        # execute's own predictions: same tier chain, and it says which tiers it considered
        assert "admin tiers considered: " in run.err, run.err
        results = {r["id"]: r for r in run.json()["results"]}
        for probe, chain in chains.items():
            result = results[probe]
            want = "undefined" if case == "X-g" else expected[probe].split(":")[0]
            assert result["predicted"] == want, (case, result)
            assert any(s["reason"].startswith(chain) for s in result["because"]), (case, result)
            assert "discrepancy" not in result, (case, result)
        pred = _predictor(sb)
        for probe, chain in chains.items():
            verdict, reasons = _chain(pred, probe)
            want = expected[probe].split(":")[0]
            assert verdict.value == ("undefined" if case == "X-g" else want), (case, reasons)
            assert any(r.startswith(chain) for r in reasons), (case, probe, reasons)
        explained = netpoltest(sb, "explain", str(_spec(tmp_path, expected)), "-o", "json")
        doc = explained.json()
        assert "admin tiers considered: ClusterNetworkPolicy policy.networking.k8s.io/" \
               "v1alpha2" in doc["policiesFrom"]
        for obj in objs:
            if obj["kind"] != "NetworkPolicy":
                assert f"{obj['kind']} {obj['apiVersion']}: " in doc["policiesFrom"]
        by_id = {p["id"]: p for p in doc["probes"]}
        for probe, chain in chains.items():
            item = by_id[probe]
            want = "undefined" if case == "X-g" else expected[probe].split(":")[0]
            assert item["predicted"] == want, (case, item)
            assert any(s["reason"].startswith(chain) for s in item["because"]), (case, item)
        assert explained.code == (5 if case == "X-g" else 0), (case, explained.err)
    finally:
        for path in created:
            sb.request("DELETE", path)


def test_tiers_unreadable_without_permission(tiers_lab: Sandbox) -> None:
    code, _ = tiers_lab.request("POST", CNP_PATH, cnp("seen", ingress=[
        {"action": "Deny", "from": [SHOP]}]))
    assert code == 201
    try:
        admin = AdminTierReader(api_client=tiers_lab.api_client(), context=None,
                                request_timeout=10).read()
        assert [(s.kind, s.readable, s.count) for s in admin.served] == [
            ("ClusterNetworkPolicy", True, 1), ("AdminNetworkPolicy", True, 0),
            ("BaselineAdminNetworkPolicy", True, 0)]
        assert admin.describe().startswith("admin tiers considered: ClusterNetworkPolicy "
                                           "policy.networking.k8s.io/v1alpha2: 1 object(s)")
        denied = AdminTierReader(api_client=tiers_lab.api_client("notiers"), context=None,
                                 request_timeout=10).read()
        assert [s.readable for s in denied.served] == [False, False, False]
        assert "not readable (403)" in denied.describe()
    finally:
        tiers_lab.request("DELETE", f"{CNP_PATH}/seen")


def test_cleanup(tiers_lab: Sandbox, tmp_path: Path) -> None:
    spec = _spec(tmp_path, {"web->pod/db:5432/tcp": "allowed"})
    assert netpoltest(tiers_lab, "cleanup", str(spec), "--force", "-A").code in (
        ExitCode.OK, ExitCode.PODS_LEFT)
