"""`Tiered` → one nft script for the router netns: Admin, NetworkPolicy, Baseline, default.

Same frame as policy.render_ruleset (forward + input hooks, established/related first, egress
chain of the source then ingress chain of the destination, both jumped to by a verdict map on
the pod IP), but each pod's direction chain runs the tiers in order (see tiers.py):

    chain eg_<ip>        Admin rules: Accept -> <allow>, Deny -> drop, Pass -> goto eg_<ip>_t
                         (no match) goto eg_<ip>_t
    chain eg_<ip>_t      NetworkPolicy-isolated: its allow lines -> <allow>, then the deny mode
                         otherwise Baseline rules: Accept/Pass -> <allow>, Deny -> drop;
                         then <allow> (the default)

<allow> is `return` on the egress side (the destination's ingress chain still runs: an egress
Accept does not bypass ingress rules) and `accept` on the ingress side. `goto` does not push a
return address, so a `return` in eg_<ip>_t goes straight back to the forward chain.
"""

from __future__ import annotations

from collections.abc import Mapping

from .policy import Match, _addr_clauses, _allow_lines, _chain, _deny, _port_clause
from .tiers import Tiered, TierRule


def _rule_lines(rules: tuple[TierRule, ...], field_: str, *, allow: str, pass_: str
                ) -> list[str]:
    verdicts = {"Accept": allow, "Deny": "drop", "Pass": pass_}
    lines: list[str] = []
    for rule in rules:
        comment = f' comment "{rule.origin[:120]}"'  # nft comments hold at most 128 bytes
        for addr in _addr_clauses(rule.match.addrs, field_):
            lines.append(f"{addr}{_port_clause(rule.match)}{verdicts[rule.action]}{comment}")
    return lines


def _direction(*, prefix: str, ip: str, field_: str, allow: str, deny: list[str],
               admin: Mapping[str, tuple[TierRule, ...]],
               np: Mapping[str, tuple[Match, ...]],
               baseline: Mapping[str, tuple[TierRule, ...]]) -> list[str]:
    head, tail = _chain(prefix, ip), _chain(prefix, ip) + "_t"
    out = [f"  chain {head} {{"]
    out += [f"    {line}" for line in _rule_lines(admin.get(ip, ()), field_, allow=allow,
                                                  pass_=f"goto {tail}")]
    out += [f"    goto {tail}", "  }", f"  chain {tail} {{"]
    if ip in np:
        out += [f"    {line}" for line in _allow_lines(np[ip], field_, allow)]
        out += [f"    {line}" for line in deny]
    else:
        out += [f"    {line}" for line in _rule_lines(baseline.get(ip, ()), field_,
                                                      allow=allow, pass_=allow)]
        out.append(f"    {allow}")
    out.append("  }")
    return out


def render_tiered(*, table: str, tiered: Tiered, deny_mode: str) -> str:
    """One nft script that atomically replaces `inet <table>` in the router netns."""
    deny = _deny(deny_mode)
    np = tiered.np
    egress_ips = sorted(set(np.egress) | set(tiered.admin_egress) | set(tiered.baseline_egress))
    ingress_ips = sorted(set(np.ingress) | set(tiered.admin_ingress)
                         | set(tiered.baseline_ingress))
    eg_map = ", ".join(f"{ip} : jump {_chain('eg', ip)}" for ip in egress_ips)
    in_map = ", ".join(f"{ip} : jump {_chain('in', ip)}" for ip in ingress_ips)
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
    for ip in egress_ips:
        out += _direction(prefix="eg", ip=ip, field_="daddr", allow="return", deny=deny,
                          admin=tiered.admin_egress, np=np.egress,
                          baseline=tiered.baseline_egress)
    for ip in ingress_ips:
        out += _direction(prefix="in", ip=ip, field_="saddr", allow="accept", deny=deny,
                          admin=tiered.admin_ingress, np=np.ingress,
                          baseline=tiered.baseline_ingress)
    out.append("}")
    return "\n".join(out) + "\n"
