"""Dual-stack pod networking (SandboxConfig `ipFamilies: [IPv4, IPv6]`), opt-in.

Each pod keeps its IPv4 address and gets the IPv6 address that mirrors it in POD_NET6
(10.244.0.5 -> fd00:10:244::5), wired like IPv4 (routed /128s through the router, gateway
GATEWAY6 on every router-side veth, `nodad` so no address is tentative), and listed second in
`status.podIPs` as the kubelet does for a dual-stack cluster (IPv4 primary,
KEP-563 "IPv4/IPv6 dual-stack").

NetworkPolicy for IPv6 (`render6`): the IPv4 compiler's result (policy.py `Compiled`, keyed by
pod IPv4) is mirrored onto the IPv6 addresses — the same pods are isolated with the same
allow-lists, pod peers become their /128s, IPv6 `ipBlock`s apply as written and IPv4 ipBlocks
match no IPv6 traffic (an ipBlock CIDR matches addresses of its own family only). It is
its own `ip6` table in the router's forward hook; the `inet` IPv4 table never matches IPv6
packets. Limits: an IPv4 ipBlock that is exactly one pod's /32 is taken as that pod (the
compiled form does not say which it was); admin tiers stay IPv4-only.

Services (`dual_service`, `render_nat6`, `dns_records6`): a Service asking for dual stack gets
the IPv6 mirror of its ClusterIP (10.96.0.20 -> fd00:10:96::14), DNATed in each pod's netns to
the backends' IPv6 addresses, and an AAAA record.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import netns
from .policy import AddrMatch, Compiled, Match
from .services import CLUSTER_DOMAIN, ServiceRoute

POD_NET = ipaddress.ip_network("10.244.0.0/16")
POD_NET6 = ipaddress.ip_network("fd00:10:244::/64")
SERVICE_NET = ipaddress.ip_network("10.96.0.0/12")
SERVICE_NET6 = ipaddress.ip_network("fd00:10:96::/108")  # kube-apiserver's IPv6 range limit
GATEWAY6 = "fd00:a9fe:101::1"  # 169.254.1.1, like GATEWAY: on every router-side veth


def _mirror(ip: str, net4: ipaddress.IPv4Network | ipaddress.IPv6Network,
            net6: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str | None:
    addr = ipaddress.ip_address(ip)
    if addr.version != 4 or addr not in net4:
        return None
    offset = int(addr) - int(net4.network_address)
    return str(ipaddress.IPv6Address(int(net6.network_address) + offset))


def ipv6_of(ip: str) -> str | None:
    """The IPv6 address that mirrors a pod IPv4 address, None outside POD_NET."""
    return _mirror(ip, POD_NET, POD_NET6)


def service_ipv6_of(ip: str) -> str | None:
    """The IPv6 ClusterIP that mirrors an IPv4 one, None outside the service range."""
    return _mirror(ip, SERVICE_NET, SERVICE_NET6)


def dual_service(svc: dict[str, Any]) -> None:
    """kube-apiserver's allocation for a dual-stack cluster (IPv4 primary): a Service asking
    `ipFamilyPolicy: PreferDualStack|RequireDualStack` gets both families, its IPv6 ClusterIP
    second; SingleStack (the default) keeps IPv4 only. Headless ones get both families and no
    ClusterIP. (pkg/registry/core/service/storage: initIPFamilyFields, allocClusterIPs.)"""
    spec = svc.setdefault("spec", {})
    if spec.get("ipFamilyPolicy") not in ("PreferDualStack", "RequireDualStack"):
        return
    spec["ipFamilies"] = ["IPv4", "IPv6"]
    if spec.get("clusterIP") in (None, "", "None"):
        return
    six = service_ipv6_of(spec["clusterIP"])
    if six is not None:
        spec["clusterIPs"] = [spec["clusterIP"], six]


def _service_ips6(services: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """IPv4 ClusterIP -> IPv6 ClusterIP, for the dual-stack Services."""
    out = {}
    for svc in services:
        ips = (svc.get("spec") or {}).get("clusterIPs") or []
        if len(ips) == 2 and ":" in ips[1]:
            out[ips[0]] = ips[1]
    return out


def render_nat6(*, table: str, routes: Iterable[ServiceRoute],
                services: Sequence[Mapping[str, Any]]) -> str:
    """services.py's DNAT for the IPv6 ClusterIPs: to each backend's IPv6 mirror."""
    six = _service_ips6(services)
    out = [f"table ip6 {table} {{}}", f"delete table ip6 {table}", f"table ip6 {table} {{",
           "  chain output {", "    type nat hook output priority -100; policy accept;"]
    for r in routes:
        backends = [(ipv6_of(b.ip), b.port) for b in r.backends]
        backends6 = [(ip, port) for ip, port in backends if ip]
        if r.cluster_ip not in six or not backends6:
            continue
        match = f"ip6 daddr {six[r.cluster_ip]} meta l4proto {r.protocol.lower()} th dport {r.port}"
        if len(backends6) == 1:
            out.append(f"    {match} dnat ip6 to [{backends6[0][0]}]:{backends6[0][1]}")
        else:
            entries = ", ".join(f"{i} : {ip} . {port}" for i, (ip, port) in enumerate(backends6))
            out.append(f"    {match} dnat ip6 to numgen random mod {len(backends6)} "
                       f"map {{ {entries} }}")
    out += ["  }", "}"]
    return "\n".join(out) + "\n"


def dns_records6(services: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """AAAA records: a dual-stack Service's name to its IPv6 ClusterIP (CoreDNS answers the
    AAAA query from clusterIPs). Headless Services and pods get no AAAA record yet."""
    records = []
    for svc in services:
        meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
        if "IPv6" not in (spec.get("ipFamilies") or ()):
            continue
        fqdn = f"{meta.get('name')}.{meta.get('namespace') or 'default'}.svc.{CLUSTER_DOMAIN}"
        ips = spec.get("clusterIPs") or []
        if len(ips) == 2:
            records.append((fqdn, ips[1]))
    return records


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
