"""The RBAC data: exactly the rules the tool needs, and well-formed bindings."""

from __future__ import annotations

import pytest

from kubectl_netpoltest.core.rbac import RULES, Subject, rbac_objects, service_account

EXPECTED_RULES = [
    {
        "apiGroups": [""],
        "resources": ["pods"],
        "verbs": ["get", "list", "watch", "patch", "delete"],
    },
    {"apiGroups": [""], "resources": ["pods/ephemeralcontainers"], "verbs": ["patch"]},
    {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create", "get"]},
    {
        "apiGroups": ["apps"],
        "resources": ["replicasets", "deployments", "statefulsets", "daemonsets"],
        "verbs": ["get"],
    },
    {
        "apiGroups": ["networking.k8s.io"],
        "resources": ["networkpolicies"],
        "verbs": ["get", "list", "watch"],
    },
    {"apiGroups": [""], "resources": ["services"], "verbs": ["list"]},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list"]},
]
CLUSTER_ONLY_RULES = [
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list"]},
    {
        "apiGroups": [""],
        "resources": ["configmaps"],
        "verbs": ["get"],
        "resourceNames": ["cilium-config"],
    },
    {
        "apiGroups": ["crd.projectcalico.org"],
        "resources": ["felixconfigurations"],
        "verbs": ["get"],
        "resourceNames": ["default"],
    },
    {
        "apiGroups": ["policy.networking.k8s.io"],
        "resources": ["clusternetworkpolicies", "adminnetworkpolicies",
                      "baselineadminnetworkpolicies"],
        "verbs": ["list"],
    },
]


def test_rules_are_exactly_the_needed_ones_and_each_says_why() -> None:
    assert [rule.as_policy_rule() for rule in RULES] == EXPECTED_RULES + CLUSTER_ONLY_RULES
    assert all(rule.why for rule in RULES)


def test_namespaced_role_without_subjects_has_no_binding() -> None:
    [role] = rbac_objects(namespace="shop", subjects=[])
    assert role["kind"] == "Role"
    assert role["metadata"] == {"name": "kubectl-netpoltest", "namespace": "shop"}
    assert role["rules"] == EXPECTED_RULES


def test_cluster_wide_role_and_binding() -> None:
    role, binding = rbac_objects(namespace=None, subjects=[Subject(kind="Group", name="qa")])
    assert (role["kind"], binding["kind"]) == ("ClusterRole", "ClusterRoleBinding")
    assert "namespace" not in role["metadata"] and "namespace" not in binding["metadata"]
    assert role["rules"] == EXPECTED_RULES + CLUSTER_ONLY_RULES
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "kubectl-netpoltest",
    }
    assert binding["subjects"] == [
        {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "qa"}
    ]


def test_service_account_parsing() -> None:
    assert service_account("ci:tester") == Subject(
        kind="ServiceAccount", name="tester", namespace="ci"
    )
    assert service_account("ci:tester").as_subject() == {
        "kind": "ServiceAccount",
        "name": "tester",
        "namespace": "ci",
    }
    for bad in ("tester", ":tester", "ci:", "a:b:c"):
        with pytest.raises(ValueError, match="is not NAMESPACE:NAME"):
            service_account(bad)
