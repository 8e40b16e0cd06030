"""Does one peer, one port spec, match this traffic? Yes, no, or "the API does not say".

Three answers instead of two, because some questions have no single answer: whether an ipBlock
matches a pod IP is left to the CNI (semantics rule 16), an address unknown offline may or may
not fall into a CIDR, and a name shared by several container ports is CNI-dependent (rule 22).
`Assumptions` lets a caller who knows its CNI (the sandbox, a differential test) pin them down.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from kubectl_netpoltest.core.labels import selector_matches as matches
from kubectl_netpoltest.core.policy.decision import Code
from kubectl_netpoltest.core.policy.objects import (
    NAMESPACE_NAME_LABEL,
    IPBlock,
    Namespace,
    Peer,
    Pod,
    PortSpec,
)


class Tri(Enum):
    NO = 0
    MAYBE = 1
    YES = 2


@dataclass(frozen=True)
class Assumptions:
    """Implementation-defined behaviours; None = report `undefined` when they decide."""

    ipblock_matches_pod_ips: bool | None = None
    """Rule 16. The upstream e2e suite (and the sandbox) expect True; Cilium behaves as False."""
    service_hairpin_allowed: bool | None = None
    """Rule 9: pod -> own Service -> itself."""
    first_named_port_wins: bool = False
    """Rule 22: several container ports with one name resolve to the first one."""
    own_node_egress_exempt: bool | None = None
    """Rule 8: traffic from a pod to its own node (a hostNetwork pod there) is exempt from
    egress rules (True), subject to them like any address (False, the sandbox), or undefined
    when they deny it (None)."""


@dataclass(frozen=True)
class Endpoint:
    """One end of a connection: a pod (with its address, if known) or a bare address.

    `ip` None means "unknown": an offline pod without status, or a host name that only the
    source pod's resolver could turn into an address.
    """

    label: str
    pod: Pod | None = None
    ip: str | None = None

    @property
    def selectable(self) -> bool:
        """Rule 28: hostNetwork pods are neither subjects nor selector peers."""
        return self.pod is not None and not self.pod.host_network


@dataclass(frozen=True)
class Match:
    tri: Tri
    code: Code | None = None


YES = Match(Tri.YES)
NO = Match(Tri.NO)


@lru_cache(maxsize=1 << 14)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(cidr, strict=False)


def in_block(block: IPBlock, ip: str) -> bool:
    """Rule 15 and 17: inside cidr, outside every except, and of the same IP family."""
    return _in_block(block.cidr, block.excepts, ip)


@lru_cache(maxsize=1 << 16)
def _in_block(cidr: str, excepts: tuple[str, ...], ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    net = _network(cidr)
    if addr.version != net.version or addr not in net:
        return False
    return not any(addr in _network(e) for e in excepts if _network(e).version == addr.version)


def namespace_labels(namespaces: Mapping[str, Namespace], name: str) -> tuple[tuple[str, str], ...]:
    found = namespaces.get(name)
    return found.labels if found is not None else ((NAMESPACE_NAME_LABEL, name),)


_ADDRESS_UNKNOWN = Match(Tri.MAYBE, Code.ADDRESS_UNKNOWN)
_IPBLOCK_POD = Match(Tri.MAYBE, Code.IPBLOCK_MATCHES_POD_IP)


def peer_matches(
    peer: Peer,
    endpoint: Endpoint,
    *,
    policy_namespace: str,
    namespaces: Mapping[str, Namespace],
    assumptions: Assumptions,
) -> Match:
    """Rule 12: selectors select pods (AND within one peer); an ipBlock selects addresses."""
    return peer_match(peer, endpoint, policy_namespace, namespaces, assumptions)


def peer_match(
    peer: Peer,
    endpoint: Endpoint,
    policy_namespace: str,
    namespaces: Mapping[str, Namespace],
    assumptions: Assumptions,
) -> Match:
    """`peer_matches` with positional arguments: the evaluator's hot path."""
    pod = endpoint.pod
    block = peer.ip_block
    if block is not None:
        selectable = pod is not None and not pod.host_network
        if selectable and assumptions.ipblock_matches_pod_ips is False:
            return NO
        if endpoint.ip is None:
            return _ADDRESS_UNKNOWN
        if not _in_block(block.cidr, block.excepts, endpoint.ip):
            return NO
        if selectable and assumptions.ipblock_matches_pod_ips is None:
            return _IPBLOCK_POD
        return YES
    if pod is None or pod.host_network:
        return NO
    ns_selector = peer.namespace_selector
    if ns_selector is None:
        if pod.namespace != policy_namespace:
            return NO
    elif not matches(ns_selector, namespace_labels(namespaces, pod.namespace)):
        return NO
    pod_selector = peer.pod_selector
    if pod_selector is not None and not matches(pod_selector, pod.labels):
        return NO
    return YES


def port_matches(
    spec: PortSpec,
    *,
    port: int,
    protocol: str,
    destination: Endpoint,
    assumptions: Assumptions,
) -> Match:
    """Rules 18-22: protocol first; a named port resolves on the destination pod only."""
    return port_match(spec, port, protocol, destination, assumptions)


_UNRESOLVED = Match(Tri.NO, Code.NAMED_PORT_UNRESOLVED)
_AMBIGUOUS = Match(Tri.MAYBE, Code.NAMED_PORT_AMBIGUOUS)


def port_match(
    spec: PortSpec, port: int, protocol: str, destination: Endpoint, assumptions: Assumptions
) -> Match:
    """`port_matches` with positional arguments: the evaluator's hot path."""
    if spec.protocol != protocol:
        return NO
    number = spec.port
    if number is None:
        return YES
    if isinstance(number, int):
        end = spec.end_port if spec.end_port is not None else number
        return YES if number <= port <= end else NO
    if destination.pod is None:
        return _UNRESOLVED
    numbers = [p.port for p in destination.pod.ports if p.name == number and p.protocol == protocol]
    if not numbers:
        return _UNRESOLVED
    if assumptions.first_named_port_wins or len(set(numbers)) == 1:
        return YES if numbers[0] == port else NO
    return _AMBIGUOUS if port in numbers else NO
