"""The CEL rules (`x-kubernetes-validations`) of the vendored admin-tier CRDs, in Python.

The sandbox has no CEL interpreter; each rule string that appears in the vendored CRDs maps to
a Python predicate with the same meaning. schema.Validator refuses to load a CRD containing a
rule missing here, so an updated CRD cannot be validated less strictly without anyone noticing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any


def is_cidr(value: Any) -> bool:
    """k8s CEL library `isCIDR` (apiserver/pkg/cel/library/cidr.go): netip.ParsePrefix, which
    accepts host bits set ("10.0.0.1/24") and rejects zones and IPv4-mapped IPv6 prefixes."""
    if not isinstance(value, str) or "/" not in value or "%" in value:
        return False
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return not (isinstance(net, ipaddress.IPv6Network) and net.network_address.ipv4_mapped)


def _named_port_with_ip_peer(*, peer_keys: tuple[str, ...], list_key: str, named: str
                             ) -> Callable[[Any], bool]:
    def rule(value: Any) -> bool:
        has_ip_peer = any(any(k in peer for k in peer_keys) for peer in value.get("to") or ())
        has_named = list_key in value and any(named in p for p in value[list_key] or ())
        return not (has_ip_peer and has_named)

    return rule


RULES: Mapping[str, Callable[[Any], bool]] = {
    "self.start < self.end": lambda v: v.get("start", 0) < v.get("end", 0),
    "isCIDR(self)": is_cidr,
    "self.metadata.name == 'default'": lambda v: (v.get("metadata") or {}).get("name")
    == "default",
    # ClusterNetworkPolicy v1alpha2 (experimental channel)
    "!(self.to.exists(peer, has(peer.networks) || has(peer.nodes) || has(peer.domainNames)) "
    "&& has(self.protocols) && self.protocols.exists(protocol, "
    "has(protocol.destinationNamedPort)))": _named_port_with_ip_peer(
        peer_keys=("networks", "nodes", "domainNames"), list_key="protocols",
        named="destinationNamedPort"),
    # AdminNetworkPolicy v1alpha1 (experimental channel)
    "!(self.to.exists(peer, has(peer.networks) || has(peer.nodes) || has(peer.domainNames)) "
    "&& has(self.ports) && self.ports.exists(port, has(port.namedPort)))":
        _named_port_with_ip_peer(peer_keys=("networks", "nodes", "domainNames"),
                                 list_key="ports", named="namedPort"),
    # BaselineAdminNetworkPolicy v1alpha1 (no domainNames peer)
    "!(self.to.exists(peer, has(peer.networks) || has(peer.nodes)) && has(self.ports) && "
    "self.ports.exists(port, has(port.namedPort)))":
        _named_port_with_ip_peer(peer_keys=("networks", "nodes"), list_key="ports",
                                 named="namedPort"),
}
