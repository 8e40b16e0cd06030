"""NetworkPolicy → nftables, pure (no root, no processes): the sandbox's enforcer.

Two stages, so the semantics can be unit-tested without packets:

1. `compile_policies` turns namespaces, pods and NetworkPolicies into `Compiled`: for every
   *isolated* pod IP and direction, the union (rule 4) of allow `Match`es. A pod absent from
   `Compiled.ingress` is not ingress-isolated (rule 2). Label selectors are resolved to pod IPs
   here, so every label change needs a recompile (rule 30) — `Network.sync` does that.
2. `render_ruleset` turns `Compiled` into one nft script for the router ("node") netns that
   atomically replaces the previous table. The forward hook sees every pod↔pod, pod↔external
   and pod↔DNS packet (all pod traffic is routed through the router), *after* Service DNAT,
   which happens in the source pod's own netns (rule 25). Egress is checked first (the source
   pod's chain `return`s on allow), then ingress (the destination pod's chain `accept`s on
   allow); both end in the deny verdict (rule 6). Established/related goes first (rule 7).

Choices for implementation-defined rules (semantics doc section F):
* ipBlock matches pod IPs (rule 16, e2e behaviour).
* Pod → own IP never leaves the pod netns, so it is always allowed (rule 9); so is Service
  hairpin (the DNAT to itself happens in the pod's netns).
* Traffic from the node (router netns, incl. hostNetwork pods) to pods is never filtered
  (rule 8). Pod → node IP (hostNetwork pods) *is* subject to egress, matchable only by ipBlock
  (rules 8 `egress-to-own-node`, 28).
* A named port used by several containers of one pod resolves to the first one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import NamespaceView, PodView, views
from .selectors import matches

DENY_MODES = ("drop", "reject")


class PolicyError(ValueError):
    """A NetworkPolicy the API server would have rejected."""


@dataclass(frozen=True)
class AddrMatch:
    """An address range: `cidr` minus `excepts` (rule 15). Pod peers are /32s."""

    cidr: str
    excepts: tuple[str, ...] = ()

    def contains(self, ip: str) -> bool:
        addr = ipaddress.ip_address(ip)
        net = ipaddress.ip_network(self.cidr, strict=False)
        if addr.version != net.version or addr not in net:
            return False
        return not any(
            addr in ipaddress.ip_network(e, strict=False)
            for e in self.excepts
            if ipaddress.ip_network(e, strict=False).version == addr.version
        )


@dataclass(frozen=True)
class Match:
    """One allow clause: peer addresses (None = every peer) AND protocol AND port range.

    `protocol` None means every protocol (a rule without ports, rule 11); `ports` None means
    every port of `protocol` (rule 19). `ports` is inclusive (rule 21).
    """

    addrs: tuple[AddrMatch, ...] | None
    protocol: str | None = None
    ports: tuple[int, int] | None = None

    def allows(self, *, peer: str, protocol: str, port: int) -> bool:
        if self.addrs is not None and not any(a.contains(peer) for a in self.addrs):
            return False
        if self.protocol is not None and self.protocol != protocol:
            return False
        return self.ports is None or self.ports[0] <= port <= self.ports[1]


@dataclass(frozen=True)
class Compiled:
    """Per isolated pod IP, its allow list. Keys absent = direction not isolated."""

    ingress: Mapping[str, tuple[Match, ...]] = field(default_factory=dict)
    egress: Mapping[str, tuple[Match, ...]] = field(default_factory=dict)
    node_ips: frozenset[str] = frozenset()

    def allows(self, *, src: str, dst: str, protocol: str, port: int) -> bool:
        """Reference evaluator of the compiled form, used by the pure tests."""
        if src == dst or src in self.node_ips:
            return True  # rule 9 (own IP), rule 8 (from the node, incl. hostNetwork pods)
        eg = self.egress.get(src)
        if eg is not None and not any(
            m.allows(peer=dst, protocol=protocol, port=port) for m in eg
        ):
            return False
        ing = self.ingress.get(dst)
        return ing is None or any(m.allows(peer=src, protocol=protocol, port=port) for m in ing)


# ------------------------------------------------------------------------------------ compile


def policy_types(spec: Mapping[str, Any]) -> frozenset[str]:
    """Rule 3: absent policyTypes = Ingress, plus Egress only if egress rules exist."""
    types = spec.get("policyTypes")
    if types:
        return frozenset(types)
    return frozenset({"Ingress", "Egress"} if spec.get("egress") else {"Ingress"})


@dataclass(frozen=True)
class _PortSpec:
    protocol: str
    port: int | str | None
    end_port: int | None


def _port_specs(ports: Sequence[Mapping[str, Any]] | None) -> list[_PortSpec] | None:
    if not ports:
        return None  # rule 11: empty or absent ports = every port of every protocol
    out = []
    for p in ports:
        port = p.get("port")
        if isinstance(port, str) and port.isdigit():
            port = int(port)
        out.append(
            _PortSpec(
                protocol=str(p.get("protocol") or "TCP").upper(),  # rule 18
                port=port,
                end_port=p.get("endPort"),
            )
        )
    return out


def _numeric(spec: _PortSpec) -> Match | None:
    if spec.port is None:
        return Match(addrs=None, protocol=spec.protocol)  # rule 19
    if isinstance(spec.port, int):
        end = spec.end_port if spec.end_port is not None else spec.port
        if end < spec.port:
            raise PolicyError(f"endPort {end} < port {spec.port}")
        return Match(addrs=None, protocol=spec.protocol, ports=(spec.port, end))
    return None  # named


@dataclass(frozen=True)
class _World:
    namespaces: Mapping[str, NamespaceView]
    pods: Sequence[PodView]  # selectable only

    def peer(self, peer: Mapping[str, Any], policy_ns: str) -> tuple[AddrMatch, ...]:
        """Rule 12: the addresses of one `from`/`to` element (may be empty)."""
        block = peer.get("ipBlock")
        nsel = peer.get("namespaceSelector")
        psel = peer.get("podSelector")
        if block is not None:
            if nsel is not None or psel is not None:
                raise PolicyError("ipBlock cannot be combined with a selector")
            return (AddrMatch(cidr=block["cidr"], excepts=tuple(block.get("except") or ())),)
        if nsel is None and psel is None:
            raise PolicyError("a peer needs podSelector, namespaceSelector or ipBlock")
        if nsel is None:
            in_ns = {policy_ns}
        else:
            in_ns = {n for n, v in self.namespaces.items() if matches(nsel, v.labels)}
        return tuple(
            AddrMatch(cidr=f"{p.ip}/32")
            for p in self.pods
            if p.namespace in in_ns and matches(psel or {}, p.labels)
        )

    def pods_in(self, addrs: tuple[AddrMatch, ...] | None) -> list[PodView]:
        if addrs is None:
            return list(self.pods)
        return [p for p in self.pods if any(a.contains(p.ip or "") for a in addrs)]


def _rule_matches(
    *,
    world: _World,
    rule: Mapping[str, Any],
    peers_key: str,
    policy_ns: str,
    subject: PodView,
    ingress: bool,
) -> list[Match]:
    peers = rule.get(peers_key)
    addrs: tuple[AddrMatch, ...] | None = None
    if peers:  # rule 11: empty or absent from/to = every peer, external included
        addrs = tuple(a for peer in peers for a in world.peer(peer, policy_ns))
        if not addrs:
            return []
    specs = _port_specs(rule.get("ports"))
    if specs is None:
        return [Match(addrs=addrs)]
    out: list[Match] = []
    for spec in specs:
        m = _numeric(spec)
        if m is not None:
            out.append(Match(addrs=addrs, protocol=m.protocol, ports=m.ports))
            continue
        name = str(spec.port)
        # Rule 22: named ports resolve on the destination pod, with protocol; never on an
        # external destination.
        if ingress:
            n = subject.named_port(name, spec.protocol)
            if n is not None:
                out.append(Match(addrs=addrs, protocol=spec.protocol, ports=(n, n)))
        else:
            for dst in world.pods_in(addrs):
                n = dst.named_port(name, spec.protocol)
                if n is not None:
                    out.append(
                        Match(
                            addrs=(AddrMatch(cidr=f"{dst.ip}/32"),),
                            protocol=spec.protocol,
                            ports=(n, n),
                        )
                    )
    return out


def compile_policies(
    *,
    namespaces: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    policies: Sequence[Mapping[str, Any]],
) -> Compiled:
    ns_views, pod_views = views(namespaces=namespaces, pods=pods)
    world = _World(namespaces=ns_views, pods=[p for p in pod_views if p.selectable])
    ingress: dict[str, list[Match]] = {}
    egress: dict[str, list[Match]] = {}
    for pol in policies:
        meta = pol.get("metadata") or {}
        spec = pol.get("spec") or {}
        pns = meta.get("namespace") or "default"
        types = policy_types(spec)
        subjects = [
            p
            for p in world.pods
            if p.namespace == pns and p.enforced  # the enforcement knob (model.py)
            and matches(spec.get("podSelector") or {}, p.labels)
        ]
        for subject in subjects:
            assert subject.ip is not None
            for direction, key, peers_key, table in (
                ("Ingress", "ingress", "from", ingress),
                ("Egress", "egress", "to", egress),
            ):
                if direction not in types:
                    continue
                allow = table.setdefault(subject.ip, [])  # isolated even with no rules (rule 5)
                for rule in spec.get(key) or ():
                    allow.extend(
                        _rule_matches(
                            world=world,
                            rule=rule,
                            peers_key=peers_key,
                            policy_ns=pns,
                            subject=subject,
                            ingress=direction == "Ingress",
                        )
                    )
    return Compiled(
        ingress={k: tuple(v) for k, v in ingress.items()},
        egress={k: tuple(v) for k, v in egress.items()},
        node_ips=frozenset(p.ip for p in pod_views if p.host_network and p.ip),
    )


# ------------------------------------------------------------------------------------- render


def _chain(prefix: str, ip: str) -> str:
    return f"{prefix}_{ip.replace('.', '_')}"


def _v4(cidr: str) -> bool:
    return ipaddress.ip_network(cidr, strict=False).version == 4


def _addr_clauses(addrs: tuple[AddrMatch, ...] | None, field_: str) -> list[str]:
    """nft address clauses, ORed by emitting one rule each ([""] = no address condition)."""
    if addrs is None:
        return [""]
    plain = sorted({a.cidr for a in addrs if not a.excepts and _v4(a.cidr)})
    out = [f"ip {field_} {{ {', '.join(plain)} }} "] if plain else []
    for a in addrs:
        if a.excepts and _v4(a.cidr):
            exc = [e for e in a.excepts if _v4(e)]
            clause = f"ip {field_} {a.cidr} "
            if exc:
                clause += f"ip {field_} != {{ {', '.join(exc)} }} "
            out.append(clause)
    return out


def _port_clause(m: Match) -> str:
    if m.protocol is None:
        return ""
    clause = f"meta l4proto {m.protocol.lower()} "
    if m.ports is not None:
        lo, hi = m.ports
        clause += f"th dport {lo} " if lo == hi else f"th dport {lo}-{hi} "
    return clause


def _deny(deny_mode: str) -> list[str]:
    if deny_mode == "drop":
        return ["drop"]
    if deny_mode == "reject":
        # Reject like kube-router: RST for TCP, admin-prohibited (not port-unreachable) for
        # the rest.
        return ["meta l4proto tcp reject with tcp reset", "reject with icmpx type admin-prohibited"]
    raise ValueError(f"deny_mode must be one of {DENY_MODES}, not {deny_mode!r}")


def _allow_lines(matches_: Iterable[Match], field_: str, verdict: str) -> list[str]:
    lines: list[str] = []
    for m in matches_:
        for addr in _addr_clauses(m.addrs, field_):
            line = f"{addr}{_port_clause(m)}{verdict}"
            if line not in lines:
                lines.append(line)
    return lines


def render_ruleset(*, table: str, compiled: Compiled, deny_mode: str) -> str:
    """One nft script that atomically replaces `inet <table>` in the router netns."""
    deny = _deny(deny_mode)
    eg_map = ", ".join(f"{ip} : jump {_chain('eg', ip)}" for ip in sorted(compiled.egress))
    in_map = ", ".join(f"{ip} : jump {_chain('in', ip)}" for ip in sorted(compiled.ingress))
    out = [f"table inet {table} {{}}", f"delete table inet {table}", f"table inet {table} {{"]
    for hook, maps in (("forward", (eg_map, in_map)), ("input", (eg_map,))):
        out += [
            f"  chain {hook} {{",
            f"    type filter hook {hook} priority filter; policy accept;",
            "    ct state established,related accept",
        ]
        for field_, vmap in zip(("saddr", "daddr"), maps, strict=False):
            if vmap:
                out.append(f"    ip {field_} vmap {{ {vmap} }}")
        out.append("  }")
    for prefix, table_, field_, verdict in (
        ("eg", compiled.egress, "daddr", "return"),
        ("in", compiled.ingress, "saddr", "accept"),
    ):
        for ip in sorted(table_):
            out.append(f"  chain {_chain(prefix, ip)} {{")
            out += [f"    {line}" for line in _allow_lines(table_[ip], field_, verdict)]
            out += [f"    {line}" for line in deny]
            out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"
