"""Dual-stack pod networking (SandboxConfig `ipFamilies: [IPv4, IPv6]`), opt-in.

Each pod keeps its IPv4 address and gets the IPv6 address that mirrors it in POD_NET6
(10.244.0.5 -> fd00:10:244::5), wired like IPv4 (routed /128s through the router, gateway
GATEWAY6 on every router-side veth, `nodad` so no address is tentative), and listed second in
`status.podIPs` as the kubelet does for a dual-stack cluster (IPv4 primary,
KEP-563 "IPv4/IPv6 dual-stack").

NetworkPolicy for IPv6 (`render6`): the IPv4 compiler's result (policy.py `Compiled`, keyed by
pod IPv4) is mirrored onto the IPv6 addresses — the same pods are isolated with the same
allow-lists, pod peers become their /128s, IPv6 `ipBlock`s apply as written and IPv4 ipBlocks
match no IPv6 traffic (networkpolicy-semantics: an ipBlock matches its own family only). It is
its own `ip6` table in the router's forward hook; the `inet` IPv4 table never matches IPv6
packets. Limits: an IPv4 ipBlock that is exactly one pod's /32 is taken as that pod (the
compiled form does not say which it was); admin tiers, Services and DNS stay IPv4-only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from . import netns
from .policy import AddrMatch, Compiled, Match

POD_NET = ipaddress.ip_network("10.244.0.0/16")
POD_NET6 = ipaddress.ip_network("fd00:10:244::/64")
GATEWAY6 = "fd00:a9fe:101::1"  # 169.254.1.1, like GATEWAY: on every router-side veth


def ipv6_of(ip: str) -> str | None:
    """The IPv6 address that mirrors a pod IPv4 address, None outside POD_NET."""
    addr = ipaddress.ip_address(ip)
    if addr.version != 4 or addr not in POD_NET:
        return None
    offset = int(addr) - int(POD_NET.network_address)
    return str(ipaddress.IPv6Address(int(POD_NET6.network_address) + offset))


def enable_router(router: str) -> None:
    netns.sysctls(router, {
        "net.ipv6.conf.all.disable_ipv6": "0",
        "net.ipv6.conf.default.disable_ipv6": "0",
        "net.ipv6.conf.all.forwarding": "1",
        "net.ipv6.conf.all.accept_dad": "0",
        "net.ipv6.conf.default.accept_dad": "0",
    })


def wire(*, router: str, pod_netns: str, veth: str, ip6: str) -> None:
    """Give an already wired pod (policy.py's IPv4 /32 routing) its IPv6 /128."""
    netns.sysctls(router, {f"net.ipv6.conf.{veth}.disable_ipv6": "0"})
    netns.sysctls(pod_netns, {
        "net.ipv6.conf.all.disable_ipv6": "0",
        "net.ipv6.conf.eth0.disable_ipv6": "0",
        "net.ipv6.conf.eth0.accept_dad": "0",
    })
    netns.ip_batch(router, [
        f"addr add {GATEWAY6}/128 dev {veth} nodad",
        f"route add {ip6}/128 dev {veth}",
    ])
    netns.ip_batch(pod_netns, [
        f"addr add {ip6}/128 dev eth0 nodad",
        f"route add {GATEWAY6} dev eth0",
        f"route add default via {GATEWAY6} dev eth0",
    ])


def _addrs6(addrs: tuple[AddrMatch, ...] | None) -> tuple[AddrMatch, ...] | None:
    if addrs is None:
        return None
    out = []
    for a in addrs:
        net = ipaddress.ip_network(a.cidr, strict=False)
        if net.version == 6:
            out.append(AddrMatch(a.cidr, tuple(e for e in a.excepts if ":" in e)))
        elif net.prefixlen == 32 and (mirrored := ipv6_of(str(net.network_address))):
            out.append(AddrMatch(f"{mirrored}/128"))
    return tuple(out)


def _matches6(matches: Iterable[Match]) -> tuple[Match, ...]:
    out = []
    for m in matches:
        addrs = _addrs6(m.addrs)
        if addrs == () and m.addrs:  # only IPv4 peers: matches no IPv6 packet
            continue
        out.append(Match(addrs, m.protocol, m.ports))
    return tuple(out)


def mirror(compiled: Compiled) -> Compiled:
    def side(table: Mapping[str, tuple[Match, ...]]) -> dict[str, tuple[Match, ...]]:
        return {v6: _matches6(ms) for ip, ms in table.items() if (v6 := ipv6_of(ip))}

    return Compiled(ingress=side(compiled.ingress), egress=side(compiled.egress))


def _chain(prefix: str, ip: str) -> str:
    return f"{prefix}6_{ip.replace(':', '_')}"


def _clauses(addrs: tuple[AddrMatch, ...] | None, field_: str) -> list[str]:
    if addrs is None:
        return [""]
    plain = sorted({a.cidr for a in addrs if not a.excepts})
    out = [f"ip6 {field_} {{ {', '.join(plain)} }} "] if plain else []
    for a in addrs:
        if a.excepts:
            clause = f"ip6 {field_} {a.cidr} ip6 {field_} != {{ {', '.join(a.excepts)} }} "
            out.append(clause)
    return out


def _port(m: Match) -> str:
    if m.protocol is None:
        return ""
    clause = f"meta l4proto {m.protocol.lower()} "
    if m.ports is not None:
        lo, hi = m.ports
        clause += f"th dport {lo} " if lo == hi else f"th dport {lo}-{hi} "
    return clause


def render6(*, table: str, compiled6: Compiled, deny_mode: str) -> str:
    """One nft script that atomically replaces `ip6 <table>` in the router netns."""
    deny = (["drop"] if deny_mode == "drop" else
            ["meta l4proto tcp reject with tcp reset",
             "reject with icmpv6 type admin-prohibited"])
    out = [f"table ip6 {table} {{}}", f"delete table ip6 {table}", f"table ip6 {table} {{",
           "  chain forward {", "    type filter hook forward priority filter; policy accept;",
           "    ct state established,related accept"]
    for field_, prefix, side in (("saddr", "eg", compiled6.egress),
                                 ("daddr", "in", compiled6.ingress)):
        if side:
            vmap = ", ".join(f"{ip} : jump {_chain(prefix, ip)}" for ip in sorted(side))
            out.append(f"    ip6 {field_} vmap {{ {vmap} }}")
    out.append("  }")
    for prefix, side, field_, verdict in (("eg", compiled6.egress, "daddr", "return"),
                                          ("in", compiled6.ingress, "saddr", "accept")):
        for ip in sorted(side):
            out.append(f"  chain {_chain(prefix, ip)} {{")
            lines: list[str] = []
            for m in side[ip]:
                for clause in _clauses(m.addrs, field_):
                    line = f"{clause}{_port(m)}{verdict}"
                    if line not in lines:
                        lines.append(line)
            out += [f"    {line}" for line in (*lines, *deny)]
            out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"
