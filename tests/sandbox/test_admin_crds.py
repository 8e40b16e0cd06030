"""The admin-tier kinds in the API emulation: discovery, CRD validation (422), kubectl.

Validation comes from the vendored CRDs (tests/sandbox/crds/, network-policy-api v0.2.0 and
v0.1.7); the expected messages are apiextensions-apiserver's (kubeOpenAPIResultToFieldErrors
over kube-openapi's messages) and the CEL rule messages of the CRDs.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.sandbox import crds
from tests.sandbox.conftest import README_SCENARIO
from tests.sandbox.fixture import start_sandbox
from tests.sandbox.resources import (
    ADMIN_NETWORK_POLICIES,
    BASELINE_ADMIN_NETWORK_POLICIES,
    CLUSTER_NETWORK_POLICIES,
)
from tests.sandbox.status import ApiError

GOOD_CNP: dict[str, Any] = {
    "apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
    "metadata": {"name": "deny-ops"},
    "spec": {"tier": "Admin", "priority": 10,
             "subject": {"namespaces": {"matchLabels": {"team": "shop"}}},
             "ingress": [{"name": "no-ops", "action": "Deny",
                          "from": [{"namespaces": {"matchLabels": {"team": "ops"}}}],
                          "protocols": [{"tcp": {"destinationPort": {"number": 80}}}]}],
             "egress": [{"action": "Accept", "to": [{"networks": ["10.0.0.0/8"]}]}]}}


def _cnp(**spec_changes: Any) -> dict[str, Any]:
    obj = copy.deepcopy(GOOD_CNP)
    for path, value in spec_changes.items():
        node = obj["spec"]
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        node[keys[-1]] = value
    return obj


def _causes(rt: Any, obj: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ApiError) as exc:
        crds.prepare(rt, obj, None)
    assert exc.value.code == 422
    return [(c["field"], c["message"]) for c in exc.value.status["details"]["causes"]]


# (case, object, expected causes): each row is one rule of the CRD schema or its CEL rules.
CNP_INVALID = [
    ("priority above 1000", _cnp(priority=1001),
     [("spec.priority", "Invalid value: 1001: spec.priority in body should be less than or "
                        "equal to 1000")]),
    ("priority below 0", _cnp(priority=-1),
     [("spec.priority", "Invalid value: -1: spec.priority in body should be greater than or "
                        "equal to 0")]),
    ("tier enum", _cnp(tier="Developer"),
     [("spec.tier", 'Unsupported value: "Developer": supported values: "Admin", "Baseline"')]),
    ("priority is an int", _cnp(priority="10"),
     [("spec.priority", 'Invalid value: "10": spec.priority in body must be of type integer: '
                        '"string"')]),
    ("subject has exactly one field", _cnp(subject={
        "namespaces": {}, "pods": {"podSelector": {}}}),
     [("spec.subject", "Too many: 2: must have at most 1 items")]),
    ("empty subject", _cnp(subject={}),
     [("spec.subject", "Invalid value: 0: spec.subject in body should have at least 1 "
                       "properties")]),
    ("action enum (v1alpha1 Allow is not v1alpha2)", _cnp(ingress__0__action="Allow"),
     [("spec.ingress[0].action",
       'Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass"')]),
    ("from is required", _cnp(ingress=[{"action": "Deny"}]),
     [("spec.ingress[0].from", "Required value")]),
    ("from needs one peer", _cnp(ingress__0__from=[]),
     [("spec.ingress[0].from", "Invalid value: 0: spec.ingress[0].from in body should have at "
                               "least 1 items")]),
    ("rule name at most 100", _cnp(ingress__0__name="n" * 101),
     [("spec.ingress[0].name", "Too long: may not be more than 100 bytes")]),
    ("at most 25 ingress rules", _cnp(ingress=[GOOD_CNP["spec"]["ingress"][0]] * 26),
     [("spec.ingress", "Too many: 26: must have at most 25 items")]),
    ("range start < end (CEL)", _cnp(ingress__0__protocols=[
        {"tcp": {"destinationPort": {"range": {"start": 80, "end": 80}}}}]),
     [("spec.ingress[0].protocols[0].tcp.destinationPort.range",
       'Invalid value: "object": Start port must be less than End port')]),
    ("tcp needs destinationPort", _cnp(ingress__0__protocols=[{"tcp": {}}]),
     [("spec.ingress[0].protocols[0].tcp", "Invalid value: 0: "
       "spec.ingress[0].protocols[0].tcp in body should have at least 1 properties")]),
    ("isCIDR (CEL)", _cnp(egress__0__to=[{"networks": ["10.0.0.0/33"]}]),
     [("spec.egress[0].to[0].networks[0]", 'Invalid value: "string": Invalid CIDR format '
                                           "provided")]),
    ("networks is a set", _cnp(egress__0__to=[{"networks": ["10.0.0.0/8", "10.0.0.0/8"]}]),
     [("spec.egress[0].to[0].networks[1]", 'Duplicate value: "10.0.0.0/8"')]),
    ("named port with a networks peer (CEL)", _cnp(egress__0__protocols=[
        {"destinationNamedPort": "http"}]),
     [("spec.egress[0]", 'Invalid value: "object": networks/nodes/domainNames peer cannot be '
                         "set with namedPorts since there are no namedPorts for "
                         "networks/nodes/domainNames")]),
    ("ingress peers have no networks: pruned, then empty", _cnp(ingress__0__from=[
        {"networks": ["10.0.0.0/8"]}]),
     [("spec.ingress[0].from[0]", "Invalid value: 0: spec.ingress[0].from[0] in body should "
                                  "have at least 1 properties")]),
    ("tier and priority are required", {**GOOD_CNP, "spec": {"subject": {"namespaces": {}}}},
     [("spec.priority", "Required value"), ("spec.tier", "Required value")]),
]


@pytest.mark.parametrize(("case", "obj", "expected"), CNP_INVALID,
                         ids=[c[0] for c in CNP_INVALID])
def test_cnp_validation(case: str, obj: dict[str, Any], expected: list[tuple[str, str]]
                        ) -> None:
    assert sorted(_causes(CLUSTER_NETWORK_POLICIES, obj)) == sorted(expected), case


def test_valid_cnp_is_pruned_and_keeps_its_spec() -> None:
    obj = copy.deepcopy(GOOD_CNP)
    obj["spec"]["unknownField"] = 1
    obj["status"] = {"conditions": []}
    crds.prepare(CLUSTER_NETWORK_POLICIES, obj, None)
    assert "unknownField" not in obj["spec"] and "status" not in obj
    assert obj["metadata"]["generation"] == 1
    assert obj["spec"]["ingress"] == GOOD_CNP["spec"]["ingress"]


def test_v1alpha1_defaults_and_rules() -> None:
    anp = {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
           "metadata": {"name": "a"},
           "spec": {"priority": 5, "subject": {"namespaces": {}},
                    "ingress": [{"action": "Allow", "from": [{"namespaces": {}}],
                                 "ports": [{"portNumber": {"port": 53}}]}]}}
    crds.prepare(ADMIN_NETWORK_POLICIES, anp, None)
    # the CRD defaults protocol to TCP
    assert anp["spec"]["ingress"][0]["ports"][0]["portNumber"] == {"port": 53, "protocol": "TCP"}
    banp = {"apiVersion": "policy.networking.k8s.io/v1alpha1",
            "kind": "BaselineAdminNetworkPolicy", "metadata": {"name": "mine"},
            "spec": {"subject": {"namespaces": {}},
                     "ingress": [{"action": "Pass", "from": [{"namespaces": {}}]}]}}
    assert sorted(_causes(BASELINE_ADMIN_NETWORK_POLICIES, banp)) == [
        ("<nil>", 'Invalid value: "object": Only one baseline admin network policy with '
                  'metadata.name="default" can be created in the cluster'),
        ("spec.ingress[0].action", 'Unsupported value: "Pass": supported values: "Allow", '
                                   '"Deny"')]


@pytest.fixture(scope="module")
def fake_sb():
    with start_sandbox(README_SCENARIO, network="fake") as sb:
        yield sb


def test_discovery_serves_the_three_kinds(fake_sb: Any) -> None:
    groups = {g["name"]: g for g in fake_sb.get("/apis")["groups"]}
    policy = groups["policy.networking.k8s.io"]
    assert [v["version"] for v in policy["versions"]] == ["v1alpha2", "v1alpha1"]
    assert policy["preferredVersion"]["version"] == "v1alpha2"
    v2 = fake_sb.get("/apis/policy.networking.k8s.io/v1alpha2")["resources"]
    v1 = fake_sb.get("/apis/policy.networking.k8s.io/v1alpha1")["resources"]
    assert {(r["name"], r["namespaced"]) for r in v2 if "/" not in r["name"]} == {
        ("clusternetworkpolicies", False)}
    assert {r["name"] for r in v1 if "/" not in r["name"]} == {
        "adminnetworkpolicies", "baselineadminnetworkpolicies"}


def test_create_invalid_is_422_valid_is_stored(fake_sb: Any) -> None:
    base = "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies"
    code, body = fake_sb.request("POST", base, _cnp(priority=1001))
    assert (code, body["reason"]) == (422, "Invalid")
    assert body["message"] == ('ClusterNetworkPolicy.policy.networking.k8s.io "deny-ops" is '
                               "invalid: spec.priority: Invalid value: 1001: spec.priority in "
                               "body should be less than or equal to 1000")
    code, body = fake_sb.request("POST", base, GOOD_CNP)
    assert code == 201, body
    assert body["metadata"]["generation"] == 1 and "namespace" not in body["metadata"]
    code, body = fake_sb.request("GET", f"{base}/deny-ops")
    assert (code, body["spec"]["tier"]) == (200, "Admin")
    code, _ = fake_sb.request("DELETE", f"{base}/deny-ops")
    assert code == 200


def test_kubectl_apply_and_get_cnp(fake_sb: Any) -> None:
    import json

    applied = fake_sb.kubectl("apply", "-f", "-", input=json.dumps(
        {**GOOD_CNP, "metadata": {"name": "via-kubectl"}}))
    assert applied.returncode == 0, applied.stderr
    got = fake_sb.kubectl("get", "clusternetworkpolicies.policy.networking.k8s.io", "-o",
                          "name")
    assert got.stdout.strip() == "clusternetworkpolicy.policy.networking.k8s.io/via-kubectl"
    table = fake_sb.kubectl("get", "cnp")  # short name from discovery, CRD printer columns
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.splitlines()[:2]
    assert header.split() == ["NAME", "TIER", "PRIORITY", "AGE"]
    assert row.split()[:3] == ["via-kubectl", "Admin", "10"]
    bad = fake_sb.kubectl("apply", "-f", "-", input=json.dumps(
        _cnp(tier="Developer") | {"metadata": {"name": "bad"}}))
    assert bad.returncode != 0
    assert 'spec.tier: Unsupported value: "Developer"' in bad.stderr


def test_kubectl_strict_validation_refuses_unknown_fields(fake_sb: Any) -> None:
    """kubectl sends fieldValidation=Strict: a typo such as `ingres` is a 400, not pruned."""
    import json

    typo = copy.deepcopy(GOOD_CNP)
    typo["metadata"]["name"] = "typo"
    typo["spec"]["ingres"] = typo["spec"].pop("ingress")
    bad = fake_sb.kubectl("apply", "-f", "-", input=json.dumps(typo))
    assert bad.returncode != 0
    assert ('ClusterNetworkPolicy in version "v1alpha2" cannot be handled as a '
            'ClusterNetworkPolicy: strict decoding error: unknown field "spec.ingres"'
            in bad.stderr), bad.stderr
    lax = fake_sb.kubectl("apply", "--validate=false", "-f", "-", input=json.dumps(typo))
    assert lax.returncode == 0, lax.stderr  # then the field is pruned, as without Strict
    got = fake_sb.get("/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies/typo")
    assert "ingres" not in got["spec"] and "ingress" not in got["spec"]
