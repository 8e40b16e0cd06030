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

from kubectl_netpoltest.core.policy.decision import Code
from kubectl_netpoltest.core.policy.objects import (
    NAMESPACE_NAME_LABEL,
    IPBlock,
    Namespace,
    Peer,
    Pod,
    PortSpec,
)
from kubectl_netpoltest.core.policy.selectors import matches


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


@lru_cache(maxsize=1 << 16)
def in_block(block: IPBlock, ip: str) -> bool:
    """Rule 15 and 17: inside cidr, outside every except, and of the same IP family."""
    addr = ipaddress.ip_address(ip)
    net = _network(block.cidr)
    if addr.version != net.version or addr not in net:
        return False
    return not any(
        addr in _network(e) for e in block.excepts if _network(e).version == addr.version
    )


def namespace_labels(namespaces: Mapping[str, Namespace], name: str) -> tuple[
        tuple[str, str], ...]:
    found = namespaces.get(name)
    return found.labels if found is not None else ((NAMESPACE_NAME_LABEL, name),)


def peer_matches(
    peer: Peer,
    endpoint: Endpoint,
    *,
    policy_namespace: str,
    namespaces: Mapping[str, Namespace],
    assumptions: Assumptions,
) -> Match:
    """Rule 12: selectors select pods (AND within one peer); an ipBlock selects addresses."""
    if peer.ip_block is not None:
        if endpoint.selectable and assumptions.ipblock_matches_pod_ips is False:
            return NO
        if endpoint.ip is None:
            return Match(Tri.MAYBE, Code.ADDRESS_UNKNOWN)
        if not in_block(peer.ip_block, endpoint.ip):
            return NO
        if endpoint.selectable and assumptions.ipblock_matches_pod_ips is None:
            return Match(Tri.MAYBE, Code.IPBLOCK_MATCHES_POD_IP)
        return YES
    pod = endpoint.pod
    if pod is None or pod.host_network:
        return NO
    if peer.namespace_selector is None:
        if pod.namespace != policy_namespace:
            return NO
    elif not matches(peer.namespace_selector, namespace_labels(namespaces, pod.namespace)):
        return NO
    if peer.pod_selector is not None and not matches(peer.pod_selector, pod.labels):
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
    if spec.protocol != protocol:
        return NO
    if spec.port is None:
        return YES
    if isinstance(spec.port, int):
        end = spec.end_port if spec.end_port is not None else spec.port
        return YES if spec.port <= port <= end else NO
    if destination.pod is None:
        return Match(Tri.NO, Code.NAMED_PORT_UNRESOLVED)
    numbers = [p.port for p in destination.pod.ports
               if p.name == spec.port and p.protocol == protocol]
    if not numbers:
        return Match(Tri.NO, Code.NAMED_PORT_UNRESOLVED)
    if assumptions.first_named_port_wins or len(set(numbers)) == 1:
        return YES if numbers[0] == port else NO
    return Match(Tri.MAYBE, Code.NAMED_PORT_AMBIGUOUS) if port in numbers else NO
