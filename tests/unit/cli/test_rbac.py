"""`kubectl netpoltest rbac`: YAML that kubectl can apply, for the right subjects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.exitcodes import ExitCode

RULES = [
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


@pytest.fixture(autouse=True)
def _isolated_environ(tmp_path: Path) -> Iterator[None]:
    ENV.environ_override = {"HOME": str(tmp_path)}
    yield
    ENV.environ_override = None


def _documents(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert run(["rbac", *argv]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("# Least-privilege RBAC for kubectl netpoltest")
    return list(yaml.safe_load_all(out))


def test_namespaced_role_and_binding(capsys: pytest.CaptureFixture[str]) -> None:
    role, binding = _documents(
        ["-n", "shop", "--user", "alice", "--group", "qa", "--serviceaccount", "ci:tester"],
        capsys,
    )
    assert role["kind"] == "Role" and role["metadata"]["namespace"] == "shop"
    assert role["rules"] == RULES
    assert binding["kind"] == "RoleBinding" and binding["metadata"]["namespace"] == "shop"
    assert binding["roleRef"]["kind"] == "Role"
    assert binding["subjects"] == [
        {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"},
        {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "qa"},
        {"kind": "ServiceAccount", "name": "tester", "namespace": "ci"},
    ]


def test_namespace_defaults_like_kubectl(capsys: pytest.CaptureFixture[str]) -> None:
    [role] = _documents([], capsys)
    assert role["metadata"]["namespace"] == "default"


def test_cluster_wide(capsys: pytest.CaptureFixture[str]) -> None:
    role, binding = _documents(["--cluster-wide", "--group", "qa", "--name", "np"], capsys)
    assert (role["kind"], binding["kind"]) == ("ClusterRole", "ClusterRoleBinding")
    assert role["metadata"] == {"name": "np"} and binding["roleRef"]["name"] == "np"
    assert role["rules"] == RULES + CLUSTER_ONLY_RULES


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cluster-wide", "-n", "x"], "--cluster-wide and -n/--namespace exclude each other"),
        (["--serviceaccount", "tester"], "--serviceaccount 'tester' is not NAMESPACE:NAME"),
    ],
)
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rbac", *argv]) == ExitCode.USAGE
    assert message in capsys.readouterr().err
