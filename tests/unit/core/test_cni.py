"""CNI detection: which agent runs, whether it enforces, and drop vs reject (reference R2-R4)."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_netpoltest.core.cni import detect
from kubectl_netpoltest.core.verdict import CniMode


def pod(
    name: str,
    labels: dict[str, str] | None = None,
    ns: str = "kube-system",
    containers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
        "spec": {"containers": containers or [{"name": "agent"}]},
    }


def felix(**spec: str) -> dict[str, Any]:
    return {"metadata": {"name": "default"}, "spec": spec}


CALICO = pod("calico-node-abcde", {"k8s-app": "calico-node"}, ns="calico-system")


@pytest.mark.parametrize(
    ("pods", "config_maps", "felix_config", "cni", "enforces", "mode"),
    [
        ([CALICO], {}, felix(iptablesFilterDenyAction="Reject"), "calico", True, CniMode.REJECT),
        (
            [CALICO],
            {},
            felix(nftablesFilterDenyAction="reject", nftablesMode="Enabled"),
            "calico",
            True,
            CniMode.REJECT,
        ),
        ([CALICO], {}, felix(iptablesFilterDenyAction="Drop"), "calico", True, CniMode.DROP),
        ([CALICO], {}, None, "calico", True, CniMode.DROP),
        (
            [pod("cilium-x2k9p", {"k8s-app": "cilium"})],
            {"cilium-config": {"data": {"policy-deny-response": "icmp"}}},
            None,
            "cilium",
            True,
            CniMode.DROP,
        ),
        (
            [pod("cilium-x2k9p", {"k8s-app": "cilium"})],
            {"cilium-config": {"data": {"enable-policy": "never"}}},
            None,
            "cilium",
            False,
            CniMode.DROP,
        ),
        (
            [
                pod(
                    "kube-router-q8z2m",
                    {"k8s-app": "kube-router"},
                    containers=[{"name": "kube-router", "args": ["--run-firewall=true"]}],
                )
            ],
            {},
            None,
            "kube-router",
            True,
            CniMode.REJECT,
        ),
        (
            [
                pod(
                    "kube-router-q8z2m",
                    {"k8s-app": "kube-router"},
                    containers=[{"name": "kube-router", "args": ["--run-firewall", "false"]}],
                )
            ],
            {},
            None,
            "kube-router",
            False,
            CniMode.DROP,  # nothing rejects: a refusal is a closed port (test_cni_mixed.py)
        ),
        (
            [pod("antrea-agent-7fj2k", {"app": "antrea", "component": "antrea-agent"})],
            {},
            None,
            "antrea",
            True,
            CniMode.DROP,
        ),
        (
            [pod("ovnkube-node-9x8w7", {"app": "ovnkube-node"}, ns="ovn-kubernetes")],
            {},
            None,
            "ovn-kubernetes",
            True,
            CniMode.DROP,
        ),
        (
            [pod("kube-flannel-ds-abcde", {"app": "flannel"}, ns="kube-flannel")],
            {},
            None,
            "flannel",
            False,
            CniMode.DROP,
        ),
        # Canal: flannel for the network, Calico for policy; the enforcer decides.
        (
            [pod("kube-flannel-ds-abcde", {"app": "flannel"}), CALICO],
            {},
            None,
            "calico",
            True,
            CniMode.DROP,
        ),
        (
            [
                pod(
                    "aws-node-k2j4h",
                    {"k8s-app": "aws-node"},
                    containers=[
                        {"name": "aws-eks-nodeagent", "args": ["--enable-network-policy=true"]}
                    ],
                )
            ],
            {},
            None,
            "aws-vpc-cni",
            True,
            CniMode.DROP,
        ),
        (
            [
                pod(
                    "aws-node-k2j4h",
                    {"k8s-app": "aws-node"},
                    containers=[
                        {"name": "aws-eks-nodeagent", "args": ["--enable-network-policy=false"]}
                    ],
                )
            ],
            {},
            None,
            "aws-vpc-cni",
            False,
            CniMode.DROP,
        ),
        (
            [pod("coredns-5d78c9869d-abcde", {"k8s-app": "kube-dns"})],
            {},
            None,
            None,
            None,
            CniMode.DROP,
        ),
    ],
)
def test_detect(
    pods: list[dict[str, Any]],
    config_maps: dict[str, Any],
    felix_config: dict[str, Any] | None,
    cni: str | None,
    enforces: bool | None,
    mode: CniMode,
) -> None:
    report = detect(pods=pods, config_maps=config_maps, felix=felix_config)
    assert (report.cni, report.enforces, report.mode) == (cni, enforces, mode)
    assert report.why


def test_name_prefix_alone_matches_daemonset_pods_but_not_operators() -> None:
    assert detect(pods=[pod("cilium-abcde")], config_maps={}, felix=None).cni == "cilium"
    operator = pod("cilium-operator-6d8f9b7c4-xk2lp")
    assert detect(pods=[operator], config_maps={}, felix=None).cni is None


def test_unreadable_namespaces_are_said_not_guessed() -> None:
    report = detect(pods=[], config_maps={}, felix=None, unreadable=["kube-system"])
    assert report.cni is None and report.enforces is None
    assert "cannot list pods in kube-system" in report.why


def test_two_cnis_are_both_reported() -> None:
    router = pod("kube-router-q8z2m", {"k8s-app": "kube-router"})
    report = detect(pods=[CALICO, router], config_maps={}, felix=None)
    assert report.cni == "kube-router"
    assert "several CNIs found: calico, kube-router" in report.notes
