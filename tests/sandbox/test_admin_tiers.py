"""Admin-tier enforcement in the sandbox data plane: cases only tiers create, checked twice.

Topology: namespace `shop` with pods web (app=web) and db (app=db, TCP 5432 named `pg`, TCP 5433),
namespace `ops` with pod tool (app=tool), and one external host ext (203.0.113.30:443,
ext.example.com). Each case is a set of NetworkPolicies and admin-tier objects plus probes
`src->dst:port` with the expected outcome; ids X-a..X-g are the admin-tier issue's cases (a)-(g);
later letters are further cases. The objects use the real v1alpha2/v1alpha1 shapes, so every case is
also run through the CRD validation the API server applies (a case the server would reject is a bug
in the case).

* `test_cases_pure`: the compiler's reference evaluator (no root, milliseconds).
* `test_cases_packets[drop|reject]`: real packets in one sandbox per deny mode. An admin Deny
  must look like a drop (timeout) in both modes ("Deny: Drops the selected traffic"; the
  conformance suite accepts only a timeout), while a NetworkPolicy denial follows the mode.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox import crds
from tests.sandbox.network import ContainerPort, ExternalHost, Network
from tests.sandbox.network.network import EXTERNAL_KEY
from tests.sandbox.network.policy import compile_policies
from tests.sandbox.network.testing import instance_name, probe, require_sandbox
from tests.sandbox.network.tiers import compile_tiers
from tests.sandbox.resources import ADMIN_KINDS

PODS: Mapping[str, tuple[str, dict[str, str], tuple[ContainerPort, ...]]] = {
    "web": ("shop", {"app": "web"}, (ContainerPort(80, "TCP", "http"),)),
    "db": ("shop", {"app": "db"}, (ContainerPort(5432, "TCP", "pg"), ContainerPort(5433))),
    "tool": ("ops", {"app": "tool"}, (ContainerPort(80, "TCP", "http"),)),
}
EXT = ExternalHost(name="ext", address="203.0.113.30", dns_names=("api.ext.example.com",),
                   ports=(ContainerPort(443),))


def ns_sel(name: str) -> dict[str, Any]:
    return {"matchLabels": {"kubernetes.io/metadata.name": name}}


def pods_sel(app: str, ns: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"podSelector": {"matchLabels": {"app": app}}}
    if ns is not None:
        out["namespaceSelector"] = ns
    return out


def cnp(name: str, *, tier: str = "Admin", priority: int = 10, subject: dict[str, Any],
        ingress: list[dict[str, Any]] | None = None,
        egress: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"tier": tier, "priority": priority, "subject": subject}
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    return {"apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
            "metadata": {"name": name}, "spec": spec}


def netpol(name: str, *, app: str, ingress: list[dict[str, Any]] | None = None,
           types: tuple[str, ...] = ("Ingress",)) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": {"matchLabels": {"app": app}},
                            "policyTypes": list(types)}
    if ingress is not None:
        spec["ingress"] = ingress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "shop"}, "spec": spec}


DB_SUBJECT = {"pods": pods_sel("db", ns_sel("shop"))}
WEB_SUBJECT = {"pods": pods_sel("web")}
TCP_5432 = [{"tcp": {"destinationPort": {"number": 5432}}}]
NP_WEB_TO_DB = netpol("db-in", app="db", ingress=[
    {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 5432}]}])
NP_DB_DENY = netpol("db-deny", app="db")


@dataclass(frozen=True)
class Case:
    id: str
    objects: tuple[dict[str, Any], ...]
    probes: Mapping[str, bool]  # "src->dst:port" -> allowed; dst "ext" is the external host
    admin_deny: tuple[str, ...] = ()  # probes denied by an admin Deny (a drop in both modes)


CASES = (
    Case("X-a NP allow overridden by Admin Deny", (
        NP_WEB_TO_DB,
        cnp("deny-shop", subject=DB_SUBJECT,
            ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("shop")}]}])),
        {"web->db:5432": False, "tool->db:5432": False},
        admin_deny=("web->db:5432",)),
    Case("X-b NP default-deny pierced by Admin Accept", (
        NP_DB_DENY,
        cnp("accept-web", subject=DB_SUBJECT, ingress=[
            {"action": "Accept", "from": [{"pods": pods_sel("web", {})}],
             "protocols": TCP_5432}])),
        {"web->db:5432": True, "web->db:5433": False, "tool->db:5432": False}),
    Case("X-c Pass falls through to the NP tier", (
        NP_WEB_TO_DB,
        cnp("pass-shop", priority=10, subject=DB_SUBJECT,
            ingress=[{"action": "Pass", "from": [{"namespaces": ns_sel("shop")}]}]),
        cnp("deny-all", priority=20, subject=DB_SUBJECT,
            ingress=[{"action": "Deny", "from": [{"namespaces": {}}]}])),
        {"web->db:5432": True, "web->db:5433": False, "tool->db:5432": False},
        admin_deny=("tool->db:5432",)),
    Case("X-d1 Baseline Deny applies to a pod no NP selects", (
        cnp("base-ops", tier="Baseline", subject={"namespaces": ns_sel("shop")},
            ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}]),),
        {"tool->db:5432": False, "web->db:5432": True},
        admin_deny=("tool->db:5432",)),
    Case("X-d2 Baseline Deny stops once an NP selects the pod for ingress", (
        cnp("base-ops", tier="Baseline", subject={"namespaces": ns_sel("shop")},
            ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}]),
        netpol("db-from-ops", app="db",
               ingress=[{"from": [{"namespaceSelector": {"matchLabels": {
                   "kubernetes.io/metadata.name": "ops"}}}]}])),
        {"tool->db:5432": True, "web->db:5432": False}),
    Case("X-d3 an Egress-only NP does not lift the Baseline ingress Deny", (
        cnp("base-ops", tier="Baseline", subject={"namespaces": ns_sel("shop")},
            ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}]),
        netpol("db-egress", app="db", ingress=None, types=("Egress",))),
        {"tool->db:5432": False},
        admin_deny=("tool->db:5432",)),
    Case("X-e a networks CIDR rule hits a pod IP", (
        cnp("deny-db-ip", subject=WEB_SUBJECT,
            egress=[{"action": "Deny", "to": [{"networks": ["{ip:db}/32"]}]}]),),
        {"web->db:5432": False, "tool->db:5432": True, "web->ext:443": True},
        admin_deny=("web->db:5432",)),
    Case("X-f egress Accept does not bypass the destination's ingress NP", (
        NP_DB_DENY,
        cnp("web-out", subject=WEB_SUBJECT,
            egress=[{"action": "Accept", "to": [{"pods": pods_sel("db", {})}]}])),
        {"web->db:5432": False}),
    Case("X-g same priority, disagreeing: the sandbox applies the first by name", (
        cnp("a-accept", priority=10, subject=DB_SUBJECT,
            ingress=[{"action": "Accept", "from": [{"namespaces": ns_sel("shop")}]}]),
        cnp("b-deny", priority=10, subject=DB_SUBJECT,
            ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("shop")}]}])),
        {"web->db:5432": True}),
    Case("X-h Admin Pass through an empty NP tier reaches Baseline Deny", (
        cnp("pass-shop", subject=DB_SUBJECT,
            ingress=[{"action": "Pass", "from": [{"namespaces": ns_sel("shop")}]}]),
        cnp("base-deny", tier="Baseline", subject={"namespaces": ns_sel("shop")},
            ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("shop")}]}])),
        {"web->db:5432": False, "tool->db:5432": True},
        admin_deny=("web->db:5432",)),
    Case("X-i Baseline Pass reaches the default allow", (
        cnp("b1-pass", tier="Baseline", priority=10, subject={"namespaces": ns_sel("shop")},
            ingress=[{"action": "Pass", "from": [{"namespaces": ns_sel("shop")}]}]),
        cnp("b2-deny", tier="Baseline", priority=20, subject={"namespaces": ns_sel("shop")},
            ingress=[{"action": "Deny", "from": [{"namespaces": {}}]}])),
        {"web->db:5432": True, "tool->db:5432": False},
        admin_deny=("tool->db:5432",)),
    Case("X-m priority order: Deny@50 before Pass@60", (
        cnp("d50", priority=50, subject=DB_SUBJECT,
            ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("shop")}]}]),
        cnp("p60", priority=60, subject=DB_SUBJECT,
            ingress=[{"action": "Pass", "from": [{"namespaces": ns_sel("shop")}]}]),
        cnp("b10", tier="Baseline", subject={"namespaces": ns_sel("shop")},
            ingress=[{"action": "Accept", "from": [{"namespaces": ns_sel("shop")}]}])),
        {"web->db:5432": False}, admin_deny=("web->db:5432",)),
    Case("X-m' priority order: Pass@40 before Deny@50, Baseline Accept", (
        cnp("d50", priority=50, subject=DB_SUBJECT,
            ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("shop")}]}]),
        cnp("p40", priority=40, subject=DB_SUBJECT,
            ingress=[{"action": "Pass", "from": [{"namespaces": ns_sel("shop")}]}]),
        cnp("b10", tier="Baseline", subject={"namespaces": ns_sel("shop")},
            ingress=[{"action": "Accept", "from": [{"namespaces": ns_sel("shop")}]}])),
        {"web->db:5432": True}),
    Case("named port: destinationNamedPort resolves on the destination pod", (
        cnp("deny-pg", subject=WEB_SUBJECT, egress=[
            {"action": "Deny", "to": [{"pods": pods_sel("db", {})}],
             "protocols": [{"destinationNamedPort": "pg"}]}]),),
        {"web->db:5432": False, "web->db:5433": True}, admin_deny=("web->db:5432",)),
    Case("domainNames Accept before a networks Deny of everything", (
        cnp("ext-allow", priority=5, subject=WEB_SUBJECT, egress=[
            {"action": "Accept", "to": [{"domainNames": ["*.ext.example.com"]}]}]),
        cnp("deny-world", priority=6, subject=WEB_SUBJECT, egress=[
            {"action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]}])),
        {"web->ext:443": True, "web->db:5432": False, "tool->ext:443": True},
        admin_deny=("web->db:5432",)),
    Case("v1alpha1: ANP Allow/Pass and the BANP default", (
        {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
         "metadata": {"name": "anp-pass"}, "spec": {
             "priority": 10, "subject": {"namespaces": ns_sel("shop")},
             "ingress": [
                 {"action": "Allow", "from": [{"namespaces": ns_sel("ops")}],
                  "ports": [{"portNumber": {"port": 5432}}]},
                 {"action": "Pass", "from": [{"namespaces": ns_sel("ops")}]}]}},
        {"apiVersion": "policy.networking.k8s.io/v1alpha1",
         "kind": "BaselineAdminNetworkPolicy", "metadata": {"name": "default"}, "spec": {
             "subject": {"namespaces": ns_sel("shop")},
             "ingress": [{"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}]}}),
        {"tool->db:5432": True, "tool->db:5433": False, "web->db:5433": True},
        admin_deny=("tool->db:5433",)),
)


def _split(probe_: str) -> tuple[str, str, int]:
    src, rest = probe_.split("->")
    dst, port = rest.split(":")
    return src, dst, int(port)


def _with_ips(value: Any, ips: Mapping[str, str]) -> Any:
    """`{ip:<pod>}` inside a string becomes that pod's IP."""
    if isinstance(value, dict):
        return {k: _with_ips(v, ips) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_ips(v, ips) for v in value]
    if isinstance(value, str):
        for name, ip in ips.items():
            value = value.replace(f"{{ip:{name}}}", ip)
    return value


def _state(case: Case, ips: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    namespaces = [{"metadata": {"name": n, "labels": {"kubernetes.io/metadata.name": n}}}
                  for n in ("shop", "ops")]
    pods = [{"metadata": {"name": name, "namespace": ns, "uid": f"uid-{name}", "labels": lbl},
             "spec": {"containers": [{"name": "c", "ports": [
                 {"containerPort": p.port, "protocol": p.protocol,
                  **({"name": p.name} if p.name else {})} for p in ports]}]},
             "status": {"podIP": ips[name], "phase": "Running"}}
            for name, (ns, lbl, ports) in PODS.items()]
    objs = [_with_ips(copy.deepcopy(o), ips) for o in case.objects]
    return {"namespaces": namespaces, "pods": pods,
            "policies": [o for o in objs if o["kind"] == "NetworkPolicy"],
            "admin_policies": [o for o in objs if o["kind"] != "NetworkPolicy"]}


PURE_IPS = {"web": "10.244.0.3", "db": "10.244.0.4", "tool": "10.244.0.5", "ext": EXT.address}


@pytest.mark.parametrize("case", CASES, ids=[c.id.split(" ")[0] for c in CASES])
def test_objects_pass_crd_validation(case: Case) -> None:
    for obj in _state(case, PURE_IPS)["admin_policies"]:
        rt = next(r for r in ADMIN_KINDS if r.kind == obj["kind"])
        crds.prepare(rt, obj, None)  # raises the API server's 422 if the case is invalid


@pytest.mark.parametrize("case", CASES, ids=[c.id.split(" ")[0] for c in CASES])
def test_cases_pure(case: Case) -> None:
    state = _state(case, PURE_IPS)
    np = compile_policies(namespaces=state["namespaces"], pods=state["pods"],
                          policies=state["policies"])
    tiered = compile_tiers(np=np, namespaces=state["namespaces"], pods=state["pods"],
                           admin_policies=state["admin_policies"], externals=(EXT,))
    got = {}
    for p in case.probes:
        src, dst, port = _split(p)
        got[p] = tiered.allows(src=PURE_IPS[src], dst=PURE_IPS[dst], protocol="TCP", port=port)
    assert got == dict(case.probes), case.id


@dataclass
class _Sandbox:
    net: Network
    ips: dict[str, str]


@pytest.fixture(scope="module", params=["drop", "reject"])
def sandbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[_Sandbox]:
    require_sandbox()
    net = Network(instance=instance_name("at"), deny_mode=request.param, externals=(EXT,),
                  state_dir=Path(tmp_path_factory.mktemp("tiers")) / "state")
    with net:
        ips = {name: net.add_pod(key=f"uid-{name}", ports=ports, namespace=ns)
               for name, (ns, _lbl, ports) in PODS.items()}
        yield _Sandbox(net=net, ips={**ips, "ext": EXT.address})


@pytest.mark.parametrize("case", CASES, ids=[c.id.split(" ")[0] for c in CASES])
def test_cases_packets(sandbox: _Sandbox, case: Case) -> None:
    state = _state(case, sandbox.ips)
    sandbox.net.sync(namespaces=state["namespaces"], pods=state["pods"],
                     policies=state["policies"], services=(),
                     admin_policies=state["admin_policies"])
    assert not sandbox.net.warnings

    def run(p: str) -> tuple[str, bool, str]:
        src, dst, port = _split(p)
        key = EXTERNAL_KEY + EXT.name if src == "ext" else f"uid-{src}"
        res = probe(sandbox.net, key, ip=sandbox.ips[dst], port=port, protocol="TCP")
        return p, res.ok, res.output

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, case.probes))
    got = {p: ok for p, ok, _ in results}
    assert got == dict(case.probes), (case.id, results)
    for p, ok, output in results:
        if ok:
            continue
        admin = p in case.admin_deny
        if admin or sandbox.net.deny_mode == "drop":
            assert "timed out" in output, (case.id, p, output)  # a drop
        else:
            assert "refused" in output, (case.id, p, output)  # NP denial in reject mode


NODE = {"metadata": {"name": "sandbox-node", "labels": {"kubernetes.io/hostname": "sandbox-node"}},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.89.0.1"}]}}
NODES_DENY = cnp("no-node", subject=WEB_SUBJECT, egress=[
    {"action": "Deny", "to": [{"nodes": {"matchLabels": {
        "kubernetes.io/hostname": "sandbox-node"}}}]}])


def test_nodes_peer_pure() -> None:
    """T12 (experimental): `nodes` matches the InternalIP of the selected Node objects."""
    state = _state(Case("nodes", (NODES_DENY,), {}), PURE_IPS)
    np = compile_policies(namespaces=state["namespaces"], pods=state["pods"], policies=[])
    tiered = compile_tiers(np=np, namespaces=state["namespaces"], pods=state["pods"],
                           admin_policies=state["admin_policies"], nodes=[NODE])
    assert not tiered.allows(src=PURE_IPS["web"], dst="10.89.0.1", protocol="TCP", port=8081)
    assert tiered.allows(src=PURE_IPS["tool"], dst="10.89.0.1", protocol="TCP", port=8081)
    assert tiered.allows(src=PURE_IPS["web"], dst=PURE_IPS["db"], protocol="TCP", port=5432)


def test_nodes_peer_packets(sandbox: _Sandbox) -> None:
    """A hostNetwork server on the node; web's egress to the node IP is dropped."""
    key = f"uid-hostnet-{sandbox.net.deny_mode}"
    node_ip = sandbox.net.add_pod(key=key, ports=[ContainerPort(8081)], host_network=True)
    try:
        state = _state(Case("nodes", (NODES_DENY,), {}), sandbox.ips)
        sandbox.net.sync(namespaces=state["namespaces"], pods=state["pods"], policies=(),
                         services=(), admin_policies=state["admin_policies"], nodes=[NODE])
        web = probe(sandbox.net, "uid-web", ip=node_ip, port=8081, protocol="TCP")
        tool = probe(sandbox.net, "uid-tool", ip=node_ip, port=8081, protocol="TCP")
        assert (web.ok, tool.ok) == (False, True), (web.output, tool.output)
        assert "timed out" in web.output
    finally:
        sandbox.net.remove_pod(key)


def test_long_policy_names_fit_nft_comments() -> None:
    """nft refuses comments over 128 bytes; policy names may have 253 characters."""
    from tests.sandbox.network.tier_render import render_tiered

    long_name = "x" * 250
    state = _state(Case("long", (cnp(long_name, subject=DB_SUBJECT, ingress=[
        {"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}]),), {}), PURE_IPS)
    np = compile_policies(namespaces=state["namespaces"], pods=state["pods"], policies=[])
    text = render_tiered(table="t", deny_mode="drop", tiered=compile_tiers(
        np=np, namespaces=state["namespaces"], pods=state["pods"],
        admin_policies=state["admin_policies"]))
    comments = [line.split('comment "')[1] for line in text.splitlines() if "comment" in line]
    assert comments and all(len(c.rstrip('"')) <= 128 for c in comments)


def test_a_broken_admin_policy_is_skipped_and_said(sandbox: _Sandbox) -> None:
    """An object the API server would refuse never stops the rest from being enforced."""
    state = _state(CASES[0], sandbox.ips)
    broken = {"kind": "ClusterNetworkPolicy", "metadata": {"name": "broken"},
              "spec": {"tier": "Admin", "priority": 1, "subject": {"namespaces": {}},
                       "ingress": [{"action": "Deny", "from": [{"pods": {
                           "podSelector": {"matchExpressions": [{"key": "a"}]}}}]}]}}
    sandbox.net.warnings.clear()
    sandbox.net.sync(namespaces=state["namespaces"], pods=state["pods"],
                     policies=state["policies"], services=(),
                     admin_policies=[*state["admin_policies"], broken])
    assert sandbox.net.warnings == ["ClusterNetworkPolicy broken skipped: 'operator'"]
    sandbox.net.warnings.clear()
    assert not probe(sandbox.net, "uid-web", ip=sandbox.ips["db"], port=5432,
                     protocol="TCP").ok  # X-a's Admin Deny is still enforced
