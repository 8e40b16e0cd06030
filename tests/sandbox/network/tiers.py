"""Admin-tier policies → ordered per-pod rule lists, pure: the sandbox's tier enforcer.

Serves ClusterNetworkPolicy v1alpha2 (tiers Admin and Baseline) and AdminNetworkPolicy /
BaselineAdminNetworkPolicy v1alpha1, written from the API text of
kubernetes-sigs/network-policy-api (apis/v1alpha2/clusternetworkpolicy_types.go at v0.2.0 and
apis/v1alpha1/*_types.go at v0.1.7), independently of the product's engine.

Per pod IP and direction, evaluation is (ClusterNetworkPolicySpec.Tier doc):
1. the Admin rules, policies by priority (lower first), rules in list order; the first match
   decides: Accept ends *this direction* (an egress Accept still meets the destination's
   ingress side), Deny drops, Pass skips the rest of the Admin tier;
2. the NetworkPolicy tier, if any NetworkPolicy selects the pod in this direction: it decides
   ("v1.NetworkPolicy always makes a final decision for selected pods");
3. the Baseline rules, like step 1 (Pass skips the rest of Baseline);
4. the default: allowed.

Implementation-defined choices (the API leaves them open; the product's engine reports them as
undefined, the sandbox has to pick one):
* Same priority in one tier: policies are ordered by name. v1alpha2 before v1alpha1 at equal
  priority in the Admin tier; the BaselineAdminNetworkPolicy after every Baseline CNP.
* `networks` matches pod IPs and node IPs too (the API says so); IPv6 CIDRs match nothing
  (the sandbox is IPv4 only).
* `nodes` matches the InternalIP addresses of the Node objects whose labels match.
* `domainNames` matches the sandbox's external hosts by their DNS names (exact, or `*.` for
  one or more leading labels); the sandbox knows every name it serves, so no DNS snooping.
* A peer with no field the sandbox knows fails closed (API peer type doc): an Accept rule
  matches nothing, a Deny or Pass rule matches every peer.
* Deny is always a drop, whatever the NetworkPolicy deny mode ("Deny: Drops the selected
  traffic"; the conformance suite accepts only a timeout as denial).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import ExternalHost, NamespaceView, PodView, views
from .policy import AddrMatch, Compiled, Match
from .selectors import matches

ACTIONS = {"Accept": "Accept", "Allow": "Accept", "Deny": "Deny", "Pass": "Pass"}
_PEER_KEYS = ("namespaces", "pods", "networks", "nodes", "domainNames")


@dataclass(frozen=True)
class TierRule:
    """One match of one admin rule: `action` applies when `match` allows the packet."""

    action: str  # Accept | Deny | Pass
    match: Match
    origin: str  # e.g. "cnp/deny-db ingress[0]", for the nft comments and test messages


@dataclass(frozen=True)
class Tiered:
    """The NetworkPolicy tier plus the ordered Admin and Baseline rules per pod IP."""

    np: Compiled
    admin_ingress: Mapping[str, tuple[TierRule, ...]] = field(default_factory=dict)
    admin_egress: Mapping[str, tuple[TierRule, ...]] = field(default_factory=dict)
    baseline_ingress: Mapping[str, tuple[TierRule, ...]] = field(default_factory=dict)
    baseline_egress: Mapping[str, tuple[TierRule, ...]] = field(default_factory=dict)

    def allows(self, *, src: str, dst: str, protocol: str, port: int) -> bool:
        """Reference evaluator of the compiled form, used by the pure tests."""
        if src == dst or src in self.np.node_ips:
            return True  # own IP; traffic from the node is never filtered (as policy.py)
        egress = _side(ip=src, peer=dst, protocol=protocol, port=port,
                       admin=self.admin_egress, np=self.np.egress,
                       baseline=self.baseline_egress)
        return egress and _side(ip=dst, peer=src, protocol=protocol, port=port,
                                admin=self.admin_ingress, np=self.np.ingress,
                                baseline=self.baseline_ingress)


def _first(rules: Sequence[TierRule], *, peer: str, protocol: str, port: int) -> str | None:
    for rule in rules:
        if rule.match.allows(peer=peer, protocol=protocol, port=port):
            return rule.action
    return None


def _side(*, ip: str, peer: str, protocol: str, port: int,
          admin: Mapping[str, tuple[TierRule, ...]], np: Mapping[str, tuple[Match, ...]],
          baseline: Mapping[str, tuple[TierRule, ...]]) -> bool:
    action = _first(admin.get(ip, ()), peer=peer, protocol=protocol, port=port)
    if action in ("Accept", "Deny"):
        return action == "Accept"
    allow = np.get(ip)
    if allow is not None:
        return any(m.allows(peer=peer, protocol=protocol, port=port) for m in allow)
    return _first(baseline.get(ip, ()), peer=peer, protocol=protocol, port=port) != "Deny"


# ------------------------------------------------------------------------------ compile


@dataclass(frozen=True)
class _Policy:
    tier: str  # Admin | Baseline
    order: tuple[int, int, str]
    label: str
    spec: Mapping[str, Any]


def _policies(objs: Sequence[Mapping[str, Any]]) -> list[_Policy]:
    out = []
    for obj in objs:
        kind = obj.get("kind", "")
        name = (obj.get("metadata") or {}).get("name", "")
        spec = obj.get("spec") or {}
        if kind == "ClusterNetworkPolicy":
            out.append(_Policy(spec.get("tier", "Admin"), (int(spec.get("priority", 0)), 0, name),
                               f"cnp/{name}", spec))
        elif kind == "AdminNetworkPolicy":
            out.append(_Policy("Admin", (int(spec.get("priority", 0)), 1, name),
                               f"anp/{name}", spec))
        elif kind == "BaselineAdminNetworkPolicy":
            out.append(_Policy("Baseline", (1 << 31, 1, name), f"banp/{name}", spec))
    return sorted(out, key=lambda p: p.order)


@dataclass(frozen=True)
class _World:
    namespaces: Mapping[str, NamespaceView]
    pods: Sequence[PodView]  # selectable only
    nodes: Sequence[tuple[Mapping[str, str], tuple[str, ...]]]  # (labels, InternalIPs)
    externals: Sequence[ExternalHost]

    def pods_of(self, *, ns_selector: Mapping[str, Any] | None,
                pod_selector: Mapping[str, Any] | None) -> list[PodView]:
        """`namespaces` (pod_selector None) or `pods` (both; absent namespaceSelector = all)."""
        ns_ok = {n for n, v in self.namespaces.items() if matches(ns_selector or {}, v.labels)}
        return [p for p in self.pods
                if p.namespace in ns_ok and matches(pod_selector or {}, p.labels)]

    def subjects(self, subject: Mapping[str, Any]) -> list[PodView]:
        if "namespaces" in subject:
            return self.pods_of(ns_selector=subject["namespaces"], pod_selector=None)
        pods = subject.get("pods")
        if pods is None:
            return []
        return self.pods_of(ns_selector=pods.get("namespaceSelector"),
                            pod_selector=pods.get("podSelector"))

    def peer(self, peer: Mapping[str, Any]) -> tuple[AddrMatch, ...] | None:
        """Addresses of one peer; None when it has no field the sandbox knows."""
        if "namespaces" in peer:
            found = self.pods_of(ns_selector=peer["namespaces"], pod_selector=None)
        elif "pods" in peer:
            found = self.pods_of(ns_selector=peer["pods"].get("namespaceSelector"),
                                 pod_selector=peer["pods"].get("podSelector"))
        elif "networks" in peer:
            return tuple(AddrMatch(cidr=c) for c in peer["networks"])
        elif "nodes" in peer:
            return tuple(AddrMatch(cidr=f"{ip}/32") for labels, ips in self.nodes
                         if matches(peer["nodes"], labels) for ip in ips)
        elif "domainNames" in peer:
            return tuple(AddrMatch(cidr=f"{e.address}/32") for e in self.externals
                         if any(_domain_match(pattern, n)
                                for pattern in peer["domainNames"] for n in e.dns_names))
        else:
            return None
        return tuple(AddrMatch(cidr=f"{p.ip}/32") for p in found)


def _domain_match(pattern: str, name: str) -> bool:
    """DomainName doc: exact, or `*.` matching one or more whole leading labels."""
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if pattern.startswith("*."):
        return name.endswith(pattern[1:]) and len(name) > len(pattern) - 1
    return name == pattern


def _port_matches(rule: Mapping[str, Any], *, addrs: tuple[AddrMatch, ...] | None,
                  world: _World, subject: PodView, ingress: bool) -> list[Match]:
    """`protocols` (v1alpha2) or `ports` (v1alpha1) of one rule, as Matches on `addrs`."""
    entries = rule.get("protocols", rule.get("ports"))
    if not entries:
        return [Match(addrs=addrs)]  # no port restriction: every protocol, ICMP included
    out: list[Match] = []
    for entry in entries:
        named = entry.get("destinationNamedPort", entry.get("namedPort"))
        if named is not None:
            out += _named(name=named, addrs=addrs, world=world, subject=subject,
                          ingress=ingress)
            continue
        for proto in ("tcp", "udp", "sctp"):
            if proto in entry:  # v1alpha2: {tcp: {destinationPort: {number | range}}}
                dport = entry[proto].get("destinationPort") or {}
                rng = dport.get("range")
                number = dport.get("number")
                ports = ((int(rng["start"]), int(rng["end"])) if rng else
                         None if number is None else (int(number), int(number)))
                out.append(Match(addrs=addrs, protocol=proto.upper(), ports=ports))
        if "portNumber" in entry:
            pn = entry["portNumber"]
            port = int(pn["port"])
            out.append(Match(addrs=addrs, protocol=str(pn.get("protocol") or "TCP").upper(),
                             ports=(port, port)))
        if "portRange" in entry:
            pr = entry["portRange"]
            out.append(Match(addrs=addrs, protocol=str(pr.get("protocol") or "TCP").upper(),
                             ports=(int(pr["start"]), int(pr["end"]))))
    return out


def _named(*, name: str, addrs: tuple[AddrMatch, ...] | None, world: _World,
           subject: PodView, ingress: bool) -> list[Match]:
    """Named ports resolve on the destination pod, protocol from its container port."""
    if ingress:
        return [Match(addrs=addrs, protocol=p.protocol, ports=(p.port, p.port))
                for p in subject.ports if p.name == name]
    out = []
    for dst in world.pods:
        if addrs is not None and not any(a.contains(dst.ip or "") for a in addrs):
            continue
        out += [Match(addrs=(AddrMatch(cidr=f"{dst.ip}/32"),), protocol=p.protocol,
                      ports=(p.port, p.port)) for p in dst.ports if p.name == name]
    return out


def _rule(*, world: _World, rule: Mapping[str, Any], peers_key: str, origin: str,
          subject: PodView, ingress: bool) -> list[TierRule]:
    action = ACTIONS.get(str(rule.get("action")))
    if action is None:
        return []
    addrs: tuple[AddrMatch, ...] | None = ()
    for peer in rule.get(peers_key) or ():
        found = world.peer(peer)
        if found is None:  # fail closed (ClusterNetworkPolicyIngressPeer doc)
            if action == "Accept":
                continue
            addrs = None
            break
        addrs = (*addrs, *found) if addrs is not None else None
    if addrs == ():
        return []
    return [TierRule(action=action, match=m, origin=origin)
            for m in _port_matches(rule, addrs=addrs, world=world, subject=subject,
                                   ingress=ingress)]


def _node_views(nodes: Sequence[Mapping[str, Any]]
                ) -> list[tuple[Mapping[str, str], tuple[str, ...]]]:
    return [(dict((n.get("metadata") or {}).get("labels") or {}),
             tuple(a["address"] for a in (n.get("status") or {}).get("addresses") or ()
                   if a.get("type") == "InternalIP"))
            for n in nodes]


def compile_tiers(*, np: Compiled, namespaces: Sequence[Mapping[str, Any]],
                  pods: Sequence[Mapping[str, Any]], admin_policies: Sequence[Mapping[str, Any]],
                  nodes: Sequence[Mapping[str, Any]] = (),
                  externals: Sequence[ExternalHost] = ()) -> Tiered:
    ns_views, pod_views = views(namespaces=namespaces, pods=pods)
    world = _World(namespaces=ns_views, pods=[p for p in pod_views if p.selectable],
                   nodes=_node_views(nodes), externals=externals)
    tables: dict[tuple[str, str], dict[str, list[TierRule]]] = {
        (t, d): {} for t in ("Admin", "Baseline") for d in ("ingress", "egress")}
    for pol in _policies(admin_policies):
        subjects = world.subjects(pol.spec.get("subject") or {})
        for direction, peers_key in (("ingress", "from"), ("egress", "to")):
            table = tables[(pol.tier, direction)]
            for i, rule in enumerate(pol.spec.get(direction) or ()):
                origin = f"{pol.label} {direction}[{i}]"
                for subject in subjects:
                    assert subject.ip is not None
                    table.setdefault(subject.ip, []).extend(_rule(
                        world=world, rule=rule, peers_key=peers_key, origin=origin,
                        subject=subject, ingress=direction == "ingress"))

    def frozen(t: str, d: str) -> dict[str, tuple[TierRule, ...]]:
        return {ip: tuple(rules) for ip, rules in tables[(t, d)].items() if rules}

    return Tiered(np=np, admin_ingress=frozen("Admin", "ingress"),
                  admin_egress=frozen("Admin", "egress"),
                  baseline_ingress=frozen("Baseline", "ingress"),
                  baseline_egress=frozen("Baseline", "egress"))


def compile_admin(*, np: Compiled, namespaces: Sequence[Mapping[str, Any]],
                  pods: Sequence[Mapping[str, Any]], admin_policies: Sequence[Mapping[str, Any]],
                  nodes: Sequence[Mapping[str, Any]], externals: Sequence[ExternalHost],
                  warnings: list[str]) -> Tiered | None:
    """`Network.sync`'s entry: None without admin policies (the plain NetworkPolicy ruleset
    applies); like NetworkPolicies, an object the API server should have refused is skipped
    and named in `warnings` instead of failing the whole sync."""
    good = []
    for pol in admin_policies:
        try:
            compile_tiers(np=np, namespaces=namespaces, pods=pods, admin_policies=[pol],
                          nodes=nodes, externals=externals)
            good.append(pol)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            meta = pol.get("metadata") or {}
            warnings.append(f"{pol.get('kind')} {meta.get('name')} skipped: {exc}")
    if not good:
        return None
    return compile_tiers(np=np, namespaces=namespaces, pods=pods, admin_policies=good,
                         nodes=nodes, externals=externals)
