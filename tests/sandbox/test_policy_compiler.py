"""Pure unit tests of the data plane's compilers (no root): selectors, NetworkPolicy →
`Compiled` → nft text, Services → DNAT/DNS. The semantics table (test_policy_semantics.py)
covers the rules end to end; these pin the edge cases and the rendered shape."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.network.dns import resolv_conf
from tests.sandbox.network.model import ExternalHost, pod_view
from tests.sandbox.network.policy import (
    AddrMatch,
    Compiled,
    Match,
    PolicyError,
    compile_policies,
    policy_types,
    render_ruleset,
)
from tests.sandbox.network.selectors import SelectorError, matches
from tests.sandbox.network.services import dns_records, render_nat, service_routes


def ns(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}}


def pod(name: str, ip: str | None, *, namespace: str = "x", ports: tuple = (),
        host_network: bool = False, ready: bool = True, **labels: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"u-{namespace}-{name}",
                     "labels": labels},
        "spec": {"hostNetwork": host_network, "containers": [{"ports": [
            {"containerPort": p, "protocol": proto, "name": n} for p, proto, n in ports]}]},
        "status": {"podIP": ip, "conditions": [
            {"type": "Ready", "status": "True" if ready else "False"}]},
    }


def policy(spec: dict[str, Any], namespace: str = "x") -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": namespace}, "spec": spec}


A, B, C = "10.244.0.3", "10.244.0.4", "10.244.0.5"
NAMESPACES = [ns("x"), ns("y")]
PODS = [
    pod("a", A, app="a", ports=((80, "TCP", "http"), (53, "UDP", "dns"))),
    pod("b", B, app="b"),
    pod("c", C, namespace="y", app="c"),
]


def compiled(*policies: dict[str, Any], pods: list | None = None) -> Compiled:
    return compile_policies(namespaces=NAMESPACES, pods=PODS if pods is None else pods,
                            policies=list(policies))


# ----------------------------------------------------------------------------- selectors


@pytest.mark.parametrize(("selector", "labels", "want"), [
    ({}, {}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
    ({"matchLabels": {"a": "1"}}, {}, False),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]},
     {"a": "2"}, True),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]},
     {"a": "1"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {}, True),
    ({"matchLabels": {"a": "1"},
      "matchExpressions": [{"key": "b", "operator": "Exists"}]}, {"a": "1"}, False),
])
def test_selector(selector: dict, labels: dict, want: bool) -> None:
    assert matches(selector, labels) is want


def test_selector_rejects_in_without_values() -> None:
    with pytest.raises(SelectorError):
        matches({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, {})


# ------------------------------------------------------------------------------ policies


def test_policy_types_default() -> None:
    assert policy_types({}) == {"Ingress"}
    assert policy_types({"egress": [{}]}) == {"Ingress", "Egress"}
    assert policy_types({"egress": [], "policyTypes": ["Egress"]}) == {"Egress"}


def test_not_isolated_without_policy() -> None:
    c = compiled()
    assert c.ingress == {} and c.egress == {}
    assert c.allows(src=A, dst=B, protocol="TCP", port=1)


def test_rules_of_a_direction_not_in_policyTypes_are_ignored() -> None:
    c = compiled(policy({"podSelector": {}, "policyTypes": ["Egress"],
                         "ingress": [{"from": [{"podSelector": {}}]}]}))
    assert set(c.egress) == {A, B} and c.ingress == {}
    assert c.egress[A] == ()


def test_empty_rule_allows_all_absent_ports_all_protocols() -> None:
    c = compiled(policy({"podSelector": {"matchLabels": {"app": "a"}}, "ingress": [{}]}))
    assert c.ingress[A] == (Match(addrs=None),)
    assert c.allows(src="203.0.113.9", dst=A, protocol="SCTP", port=9)


def test_pods_without_ip_take_no_part() -> None:
    pods = [*PODS, pod("d", None, app="a")]
    c = compiled(policy({"podSelector": {"matchLabels": {"app": "a"}},
                         "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}]}),
                 pods=pods)
    assert set(c.ingress) == {A}
    assert c.ingress[A][0].addrs == (AddrMatch(cidr=f"{A}/32"),)


def test_host_network_pods_are_neither_subject_nor_peer() -> None:
    node = "10.89.0.1"
    pods = [*PODS, pod("h", node, host_network=True, app="a")]
    c = compiled(policy({"podSelector": {"matchLabels": {"app": "a"}},
                         "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}]}),
                 pods=pods)
    assert set(c.ingress) == {A}
    assert c.ingress[A][0].addrs == (AddrMatch(cidr=f"{A}/32"),)
    assert c.allows(src=node, dst=A, protocol="TCP", port=80)  # node exception, rule 8


def test_named_port_unresolved_keeps_pod_isolated() -> None:
    c = compiled(policy({"podSelector": {"matchLabels": {"app": "a"}},
                         "ingress": [{"ports": [{"port": "http", "protocol": "UDP"}]}]}))
    assert c.ingress[A] == ()


def test_named_port_egress_resolves_per_destination_never_external() -> None:
    c = compiled(policy({"podSelector": {"matchLabels": {"app": "b"}}, "policyTypes": ["Egress"],
                         "egress": [{"ports": [{"port": "dns", "protocol": "UDP"}]}]}))
    assert c.egress[B] == (Match(addrs=(AddrMatch(f"{A}/32"),), protocol="UDP", ports=(53, 53)),)
    assert not c.allows(src=B, dst="203.0.113.5", protocol="UDP", port=53)


def test_ipblock_except_and_pod_ips() -> None:
    m = AddrMatch(cidr="10.244.0.0/16", excepts=(f"{B}/32",))
    assert m.contains(A) and not m.contains(B) and not m.contains("10.245.0.1")
    assert not m.contains("::1")


@pytest.mark.parametrize("bad", [
    {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
    {"ingress": [{"from": [{}]}]},
    {"ingress": [{"ports": [{"port": 90, "endPort": 80}]}]},
])
def test_invalid_policies_raise(bad: dict) -> None:
    with pytest.raises(PolicyError):
        compiled(policy({"podSelector": {}} | bad))


def test_render_drop_shape() -> None:
    c = compiled(policy({"podSelector": {"matchLabels": {"app": "a"}},
                         "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "b"}}},
                                               {"ipBlock": {"cidr": "0.0.0.0/0",
                                                            "except": ["10.0.0.0/8"]}}],
                                      "ports": [{"port": 80, "endPort": 90}]}]}))
    text = render_ruleset(table="t1_netpol", compiled=c, deny_mode="drop")
    lines = [ln.strip() for ln in text.splitlines()]
    assert lines[:3] == ["table inet t1_netpol {}", "delete table inet t1_netpol",
                         "table inet t1_netpol {"]
    fwd = lines.index("chain forward {")
    assert lines[fwd + 2] == "ct state established,related accept"  # rule 7 before policy
    assert f"ip daddr vmap {{ {A} : jump in_10_244_0_3 }}" in lines
    assert "ip saddr vmap" not in text.split("chain input")[0]  # nobody egress-isolated
    chain = lines[lines.index("chain in_10_244_0_3 {") + 1:]
    assert chain[:4] == [
        f"ip saddr {{ {B}/32 }} meta l4proto tcp th dport 80-90 accept",
        "ip saddr 0.0.0.0/0 ip saddr != { 10.0.0.0/8 } meta l4proto tcp th dport 80-90 accept",
        "drop",
        "}",
    ]


def test_render_reject_uses_rst_and_admin_prohibited() -> None:
    c = compiled(policy({"podSelector": {}, "policyTypes": ["Egress"]}))
    text = render_ruleset(table="t", compiled=c, deny_mode="reject")
    assert "meta l4proto tcp reject with tcp reset" in text
    assert "reject with icmpx type admin-prohibited" in text
    assert "drop" not in text
    with pytest.raises(ValueError):
        render_ruleset(table="t", compiled=c, deny_mode="ignore")


# ------------------------------------------------------------------------------ services


SVC = {"metadata": {"name": "web", "namespace": "x"}, "spec": {
    "clusterIP": "10.96.0.20", "selector": {"app": "a"},
    "ports": [{"port": 8080, "targetPort": "http"}, {"port": 53, "protocol": "UDP"}]}}


def test_service_routes_named_target_port_and_readiness() -> None:
    pods = [*PODS, pod("a2", "10.244.0.9", app="a", ready=False,
                       ports=((80, "TCP", "http"),)),
            pod("a3", "10.244.0.10", app="a", ports=((8000, "TCP", "http"),))]
    routes = service_routes(services=[SVC], pods=pods)
    assert [(r.port, r.protocol, [(b.ip, b.port) for b in r.backends]) for r in routes] == [
        (8080, "TCP", [(A, 80), ("10.244.0.10", 8000)]),
        (53, "UDP", [(A, 53), ("10.244.0.10", 53)]),
    ]
    nat = render_nat(table="t_svc", routes=routes)
    assert ("ip daddr 10.96.0.20 meta l4proto tcp th dport 8080 dnat ip to numgen random "
            f"mod 2 map {{ 0 : {A} . 80, 1 : 10.244.0.10 . 8000 }}") in nat
    assert "filter" not in nat and "drop" not in nat  # only DNAT in a pod netns


def test_service_without_endpoints_gets_no_rule() -> None:
    svc = {"metadata": {"name": "none", "namespace": "y"}, "spec": {
        "clusterIP": "10.96.0.30", "selector": {"app": "zzz"}, "ports": [{"port": 80}]}}
    nat = render_nat(table="t", routes=service_routes(services=[svc], pods=PODS))
    assert "10.96.0.30" not in nat


def test_dns_records() -> None:
    headless = {"metadata": {"name": "hl", "namespace": "x"},
                "spec": {"clusterIP": "None", "selector": {"app": "b"}}}
    ext = ExternalHost(name="gh", address="203.0.113.5", dns_names=("github.com.",), ports=())
    assert dns_records(services=[SVC, headless], pods=PODS, externals=[ext]) == [
        ("web.x.svc.cluster.local", "10.96.0.20"),
        ("hl.x.svc.cluster.local", B),
        ("github.com", "203.0.113.5"),
    ]


def test_resolv_conf() -> None:
    assert resolv_conf(nameserver="10.96.0.10", namespace="x") == (
        "nameserver 10.96.0.10\nsearch x.svc.cluster.local svc.cluster.local cluster.local\n"
        "options ndots:5\n")


def test_pod_view_defaults() -> None:
    v = pod_view({"metadata": {"name": "p"}, "spec": {"containers": [{"ports": [
        {"containerPort": 80}]}]}, "status": {}})
    assert v.namespace == "default" and v.ip is None and not v.ready and not v.selectable
    assert v.ports[0].protocol == "TCP"
