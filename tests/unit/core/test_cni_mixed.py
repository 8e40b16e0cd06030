"""--cni-mode auto where kube-router runs without its firewall, or beside another enforcer.

kube-router is often deployed for BGP routing only (`--run-firewall=false`), e.g. beside
Cilium (Cilium's "kube-router" guide) or Calico. auto picked kube-router first and chose
reject, although the pods' policy is enforced by a CNI that drops (or by nothing): in reject
mode a `refused` from a closed port counts as blocked, so a denied probe whose traffic the
policy let through to a closed port PASSed. A false PASS; the safe answer is drop.
"""

from __future__ import annotations

from kubectl_netpoltest.core.cni import detect
from kubectl_netpoltest.core.verdict import CniMode
from tests.unit.core.test_cni import CALICO, pod

ROUTING_ONLY = pod("kube-router-q8z2m", {"k8s-app": "kube-router"},
                   containers=[{"name": "kube-router",
                                "args": ["--run-router=true", "--run-firewall=false",
                                         "--run-service-proxy=false"]}])
FIREWALL = pod("kube-router-q8z2m", {"k8s-app": "kube-router"})
CILIUM = pod("cilium-x2k9p", {"k8s-app": "cilium"})


def test_routing_only_kube_router_beside_cilium_is_cilium_and_drop() -> None:
    report = detect(pods=[ROUTING_ONLY, CILIUM], config_maps={}, felix=None)
    assert (report.cni, report.enforces, report.mode) == ("cilium", True, CniMode.DROP)


def test_routing_only_kube_router_alone_enforces_nothing_and_is_drop() -> None:
    report = detect(pods=[ROUTING_ONLY], config_maps={}, felix=None)
    assert (report.cni, report.enforces, report.mode) == ("kube-router", False, CniMode.DROP)


def test_two_enforcers_that_disagree_assume_drop_and_say_why() -> None:
    report = detect(pods=[CALICO, FIREWALL], config_maps={}, felix=None)
    assert report.mode is CniMode.DROP
    assert "several CNIs found: calico, kube-router" in report.notes
    assert any("--cni-mode reject" in note for note in report.notes)


def felix(**spec: object) -> dict[str, object]:
    return {"metadata": {"name": "default"}, "spec": spec}


def calico_mode(**spec: object) -> CniMode:
    return detect(pods=[CALICO], config_maps={}, felix=felix(**spec)).mode


def test_calico_reject_counts_only_for_the_active_dataplane() -> None:
    """Reference R4: 'Calico with a Reject deny action for the *active* dataplane'. An
    nftablesFilterDenyAction: Reject on the iptables dataplane (nftablesMode unset or
    Disabled, Calico's default) changes nothing: Felix drops, so reject mode would pass
    closed ports. The eBPF dataplane is unverified: drop."""
    assert calico_mode(nftablesFilterDenyAction="Reject") is CniMode.DROP
    assert calico_mode(nftablesFilterDenyAction="Reject", nftablesMode="Disabled") is CniMode.DROP
    assert calico_mode(nftablesFilterDenyAction="Reject", nftablesMode="Enabled") is CniMode.REJECT
    assert calico_mode(iptablesFilterDenyAction="Reject", nftablesMode="Enabled") is CniMode.DROP
    assert calico_mode(iptablesFilterDenyAction="Reject") is CniMode.REJECT
    assert calico_mode(iptablesFilterDenyAction="Reject", bpfEnabled=True) is CniMode.DROP
    assert calico_mode(iptablesFilterDenyAction="Reject", nftablesMode="Auto") is CniMode.DROP
    assert calico_mode(iptablesFilterDenyAction="Reject", nftablesFilterDenyAction="Reject",
                       nftablesMode="Auto") is CniMode.REJECT


def test_calico_node_env_overrides_the_felix_configuration() -> None:
    """Felix reads environment variables first, then FelixConfiguration (Calico docs,
    'Configuring Felix': 'The value of any configuration parameter is the value read from
    the first location containing a value'). A manifest install sets FELIX_* on calico-node."""
    def node(env: dict[str, str]) -> dict[str, object]:
        return pod("calico-node-abcde", {"k8s-app": "calico-node"}, ns="kube-system",
                   containers=[{"name": "calico-node",
                                "env": [{"name": k, "value": v} for k, v in env.items()]}])

    rejecting = felix(iptablesFilterDenyAction="Reject")
    dropping = node({"FELIX_IPTABLESFILTERDENYACTION": "Drop"})
    assert detect(pods=[dropping], config_maps={}, felix=rejecting).mode is CniMode.DROP
    bpf = node({"FELIX_BPFENABLED": "true"})
    assert detect(pods=[bpf], config_maps={}, felix=rejecting).mode is CniMode.DROP
    env_reject = node({"FELIX_IPTABLESFILTERDENYACTION": "Reject"})
    assert detect(pods=[env_reject], config_maps={}, felix=felix()).mode is CniMode.REJECT
