"""Dual stack, pure (network/dualstack.py): the IPv6 mirror of a pod address, and the IPv6
policy table mirrored from the IPv4 compile (pod peers -> /128, IPv6 ipBlocks as written,
IPv4 ipBlocks match no IPv6 packet)."""

from __future__ import annotations

from tests.sandbox.network.dualstack import ipv6_of, mirror, render6
from tests.sandbox.network.policy import AddrMatch, Compiled, Match


def test_pod_addresses_mirror_into_the_ipv6_pod_network() -> None:
    assert ipv6_of("10.244.0.5") == "fd00:10:244::5"
    assert ipv6_of("10.244.1.2") == "fd00:10:244::102"
    assert ipv6_of("203.0.113.10") is None


def test_mirror_keeps_pod_peers_and_ipv6_blocks_and_drops_ipv4_blocks() -> None:
    compiled = Compiled(
        ingress={
            "10.244.0.4": (
                Match((AddrMatch("10.244.0.3/32"),), "TCP", (80, 80)),
                Match((AddrMatch("10.0.0.0/8"),)),  # IPv4 only: nothing in IPv6
                Match((AddrMatch("fd00::/8", ("fd00:10:244::9/128", "10.0.0.1/32")),)),
            )
        },
        egress={"10.244.0.3": ()},
    )
    six = mirror(compiled)
    assert six.egress == {"fd00:10:244::3": ()}
    assert six.ingress == {
        "fd00:10:244::4": (
            Match((AddrMatch("fd00:10:244::3/128"),), "TCP", (80, 80)),
            Match((AddrMatch("fd00::/8", ("fd00:10:244::9/128",)),)),
        )
    }
    text = render6(table="t_netpol6", compiled6=six, deny_mode="reject")
    assert "ip6 daddr vmap { fd00:10:244::4 : jump in6_fd00_10_244__4 }" in text
    assert "ip6 saddr { fd00:10:244::3/128 } meta l4proto tcp th dport 80 accept" in text
    assert "ip6 saddr fd00::/8 ip6 saddr != { fd00:10:244::9/128 } accept" in text
    assert "reject with icmpv6 type admin-prohibited" in text
