"""engine.admintiers: what explain/execute get from the live reads or the manifests."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_netpoltest.cluster.adminreads import AdminTiers, ServedKind
from kubectl_netpoltest.core.policy import Code, Verdict, parse, pod_endpoint
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.engine.admintiers import Tiers, from_documents, from_live
from kubectl_netpoltest.errors import ClusterError

CNP: dict[str, Any] = {
    "apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
    "metadata": {"name": "deny-b"},
    "spec": {"tier": "Admin", "priority": 1, "subject": {"namespaces": {}},
             "ingress": [{"action": "Deny", "from": [{"pods": {"podSelector": {
                 "matchLabels": {"app": "b"}}}}]}]}}
PODS = [{"metadata": {"name": n, "namespace": "x", "labels": {"app": n}},
         "status": {"podIP": f"10.0.0.{i}"}} for i, n in enumerate("ab", start=1)]
SNAP = Snapshot(pods=tuple(parse.pod(p) for p in PODS), live=True)


def _verdict(tiers_: Tiers, src: str, dst: str) -> tuple[Verdict, list[str]]:
    pred = tiers_.predictor(SNAP)
    pods = {p.name: p for p in SNAP.pods}
    p = pred.connection(source=pod_endpoint(pods[src]), destination=pod_endpoint(pods[dst]),
                        port=80, protocol="TCP")
    return p.verdict, [s.reason for s in p.because]


def test_live_objects_decide_and_are_described() -> None:
    served = (ServedKind("ClusterNetworkPolicy", "v1alpha2", "clusternetworkpolicies", True, 1),)
    tiers = from_live(AdminTiers(served=served, objects=(CNP,)), warn=pytest.fail)
    assert tiers.considered == ("admin tiers considered: ClusterNetworkPolicy "
                                "policy.networking.k8s.io/v1alpha2: 1 object(s)")
    verdict, reasons = _verdict(tiers, "b", "a")
    assert verdict is Verdict.DENIED
    assert reasons[-1] == "[Admin] Deny (cnp/deny-b ingress[0])"  # the ingress side
    assert _verdict(tiers, "a", "b")[0] is Verdict.ALLOWED


def test_unreadable_kinds_warn_once_and_make_predictions_undefined() -> None:
    warned: list[str] = []
    served = (ServedKind("AdminNetworkPolicy", "v1alpha1", "adminnetworkpolicies", False),)
    tiers = from_live(AdminTiers(served=served), warn=warned.append)
    assert warned == ["cannot list adminnetworkpolicies.policy.networking.k8s.io: predictions "
                      "are undefined (tiers-unreadable); grant list on them (kubectl "
                      "netpoltest rbac --cluster-wide)"]
    pred = tiers.predictor(SNAP)
    pods = {p.name: p for p in SNAP.pods}
    p = pred.connection(source=pod_endpoint(pods["a"]), destination=pod_endpoint(pods["b"]),
                        port=80, protocol="TCP")
    assert p.verdict is Verdict.UNDEFINED
    assert {s.code for s in p.because} == {Code.TIERS_UNREADABLE}


def test_none_served() -> None:
    tiers = from_live(AdminTiers(), warn=pytest.fail)
    assert tiers.considered.startswith("admin tiers: none served")
    assert _verdict(tiers, "b", "a")[0] is Verdict.ALLOWED


def test_unreadable_object_is_a_cluster_error() -> None:
    bad = {**CNP, "spec": {**CNP["spec"], "ingress": [{"action": "Reject", "from": []}]}}
    with pytest.raises(ClusterError, match=r"cnp/deny-b\.spec\.ingress\[0\]\.action"):
        from_live(AdminTiers(objects=(bad,)), warn=pytest.fail)


def test_manifests() -> None:
    other = {"apiVersion": "crd.antrea.io/v1beta1", "kind": "ClusterNetworkPolicy",
             "metadata": {"name": "antrea-own"}, "spec": {}}
    tiers = from_documents([CNP, other, PODS[0]])
    assert [p.ref for p in tiers.policies] == ["cnp/deny-b"]  # never Antrea's own kind
    assert tiers.considered == ("admin tiers considered (manifests): ClusterNetworkPolicy: "
                                "1 object(s)")
