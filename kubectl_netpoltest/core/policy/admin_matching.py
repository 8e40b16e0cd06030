"""Does an admin rule match one side of a connection? Yes, no, or "the API cannot say".

Peers (network-policy-api's ClusterNetworkPolicy peer types and their Go docs):
* `namespaces` / `pods` select pods only, never hostNetwork pods, nodes or outside
  addresses (so no ingress rule can match those sources);
* `networks` CIDRs match any address, pod IPs included (unlike ipBlock, this is stated
  by the API, so it is decided here, not undefined);
* `nodes` and `domainNames` (experimental) depend on what the implementation learns (node
  addresses, DNS answers): `undefined` unless the peer is a pod, which a nodes peer never is;
* a peer with no known field fails closed: it matches nothing in an Accept rule and everything
  in a Deny or Pass rule (ClusterNetworkPolicyIngressPeer doc).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache

from kubectl_netpoltest.core.labels import LabelSelector
from kubectl_netpoltest.core.labels import selector_matches as matches
from kubectl_netpoltest.core.policy.admin_model import (
    Action,
    AdminPeer,
    AdminPolicy,
    AdminPort,
    AdminRule,
    PeerKind,
)
from kubectl_netpoltest.core.policy.decision import Code, Direction
from kubectl_netpoltest.core.policy.matching import NO, YES, Endpoint, Match, Tri
from kubectl_netpoltest.core.policy.objects import Namespace, Pod


def matches_namespace(
    selector: LabelSelector | None, pod: Pod, namespaces: Mapping[str, Namespace]
) -> bool:
    return _in_namespaces(pod, selector, namespaces)


def _in_namespaces(
    pod: Pod, selector: LabelSelector | None, namespaces: Mapping[str, Namespace]
) -> bool:
    if selector is None:
        return True  # `pods` peer without namespaceSelector: every namespace
    ns = namespaces.get(pod.namespace)
    return ns is not None and matches(selector, ns.labels)


def selects(policy: AdminPolicy, pod: Pod, namespaces: Mapping[str, Namespace]) -> bool:
    """T6: the subject; hostNetwork pods are never subjects."""
    if pod.host_network:
        return False
    if policy.subject_namespaces is not None:
        return _in_namespaces(pod, policy.subject_namespaces, namespaces)
    if policy.subject_pods is not None:
        ns_sel, pod_sel = policy.subject_pods
        return _in_namespaces(pod, ns_sel, namespaces) and matches(pod_sel, pod.labels)
    return False


@lru_cache(maxsize=1 << 16)
def _in_cidrs(ip: str, cidrs: tuple[str, ...]) -> bool:
    """Cached: the same pod IPs meet the same `networks` lists for every probe."""
    addr = ipaddress.ip_address(ip)
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if net.version == addr.version and addr in net:
            return True
    return False


def peer_matches(
    peer: AdminPeer, other: Endpoint, *, action: Action, namespaces: Mapping[str, Namespace]
) -> Match:
    if peer.kind in (PeerKind.NAMESPACES, PeerKind.PODS):
        if other.pod is None or not other.selectable:
            return NO
        if not _in_namespaces(other.pod, peer.namespace_selector, namespaces):
            return NO
        ok = peer.pod_selector is None or matches(peer.pod_selector, other.pod.labels)
        return YES if ok else NO
    if peer.kind is PeerKind.NETWORKS:
        ip = other.ip or (other.pod.ip if other.pod is not None else None)
        if ip is None:
            return Match(Tri.MAYBE, Code.ADDRESS_UNKNOWN)
        return YES if _in_cidrs(ip, peer.cidrs) else NO
    if peer.kind is PeerKind.NODES:
        if other.selectable:
            return NO  # a pod IP of a non-hostNetwork pod is never a node address
        return Match(Tri.MAYBE, Code.NODES_PEER)
    if peer.kind is PeerKind.DOMAIN_NAMES:
        return Match(Tri.MAYBE, Code.DOMAIN_NAMES)
    # PeerKind.UNKNOWN: fail closed; v1alpha1's removed sameLabels are reported undefined
    if "sameLabels" in peer.unknown:
        return Match(Tri.MAYBE, Code.UNKNOWN_FIELD)
    return NO if action is Action.ACCEPT else YES


def port_matches(spec: AdminPort, *, port: int, protocol: str, destination: Endpoint) -> Match:
    """A port number or range of one protocol; a named port resolves on the destination
    pod's container ports, protocol included."""
    if spec.unknown:
        return Match(Tri.MAYBE, Code.UNKNOWN_FIELD)
    if spec.named is not None:
        pod = destination.pod
        if pod is None:
            return NO  # never matches a networks/nodes/domainNames destination
        found = any(
            p.name == spec.named and p.port == port and p.protocol == protocol for p in pod.ports
        )
        return YES if found else NO
    if spec.protocol != protocol:
        return NO
    if spec.start is None:
        return YES
    return YES if spec.start <= port <= (spec.end or spec.start) else NO


def rule_matches(
    rule: AdminRule,
    *,
    peer: Endpoint,
    destination: Endpoint,
    port: int,
    protocol: str,
    namespaces: Mapping[str, Namespace],
) -> Match:
    """T7: some peer AND (no protocols, or some protocol entry)."""
    best = NO
    for p in rule.peers:
        m = peer_matches(p, peer, action=rule.action, namespaces=namespaces)
        if m.tri.value > best.tri.value:
            best = m
        if best.tri is Tri.YES:
            break
    if best.tri is Tri.NO or rule.ports is None:
        return best
    best_port = NO
    for spec in rule.ports:
        m = port_matches(spec, port=port, protocol=protocol, destination=destination)
        if m.tri.value > best_port.tri.value:
            best_port = m
        if best_port.tri is Tri.YES:
            break
    return best if best_port.tri.value >= best.tri.value else best_port


def rules_of(policy: AdminPolicy, direction: Direction) -> tuple[AdminRule, ...]:
    return policy.ingress if direction is Direction.INGRESS else policy.egress
