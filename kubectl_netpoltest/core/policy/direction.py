"""The NetworkPolicy tier for one direction of one connection: the heart of the evaluator.

Given the policies that select the subject pod in a direction (already filtered), decide
whether the peer and port are allowed (rules 2, 4, 5, 10, 11) and name the deciding objects.
An admin tier (ClusterNetworkPolicy, issue 13) wraps this: it only needs the returned
`DirectionDecision`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubectl_netpoltest.core.policy.decision import (
    Code,
    Decision,
    Direction,
    DirectionDecision,
    RuleRef,
)
from kubectl_netpoltest.core.policy.matching import (
    Assumptions,
    Endpoint,
    Match,
    Tri,
    peer_matches,
    port_matches,
)
from kubectl_netpoltest.core.policy.objects import Namespace, Policy, Rule

_UNDEFINED_WHY = {
    Code.IPBLOCK_MATCHES_POD_IP: "whether an ipBlock matches a pod IP is up to the CNI "
    "(API: ipBlock \"should be cluster-external IPs\"; semantics rule 16)",
    Code.ADDRESS_UNKNOWN: "the address is not known here (offline, or a name only the source "
    "pod can resolve), and an ipBlock decides",
    Code.NAMED_PORT_AMBIGUOUS: "the destination has several container ports with this name; "
    "which one the CNI uses is not defined (semantics rule 22)",
}


@dataclass(frozen=True)
class Traffic:
    """What the rules are matched against in one direction."""

    direction: Direction
    peer: Endpoint
    """The other end: the source for ingress, the destination for egress."""
    destination: Endpoint
    """Where named ports are resolved (rule 22): the subject for ingress, the peer for egress."""
    port: int
    protocol: str


def _rule_match(
    policy: Policy, rule: Rule, index: int, traffic: Traffic, *,
    namespaces: Mapping[str, Namespace], assumptions: Assumptions,
) -> tuple[Tri, str, Match | None]:
    """The best match of one rule (peer AND port), its path, and the blocking match."""
    key = traffic.direction.value
    peers_key = "from" if traffic.direction is Direction.INGRESS else "to"
    peer_part, peer_match = "", Match(Tri.YES)
    if rule.peers is not None:
        best: tuple[Match, int] | None = None
        for j, peer in enumerate(rule.peers):
            m = peer_matches(peer, traffic.peer, policy_namespace=policy.namespace,
                             namespaces=namespaces, assumptions=assumptions)
            if best is None or m.tri.value > best[0].tri.value:
                best = (m, j)
            if m.tri is Tri.YES:
                break
        assert best is not None
        peer_match, peer_part = best[0], f" {peers_key}[{best[1]}]"
    path = f"{key}[{index}]{peer_part}"
    if peer_match.tri is Tri.NO:
        return Tri.NO, path, None
    if rule.ports is None:
        return peer_match.tri, path, peer_match
    best_port: tuple[Match, int] | None = None
    for k, spec in enumerate(rule.ports):
        m = port_matches(spec, port=traffic.port, protocol=traffic.protocol,
                         destination=traffic.destination, assumptions=assumptions)
        if best_port is None or m.tri.value > best_port[0].tri.value or (
                m.tri is best_port[0].tri and best_port[0].code is None and m.code is not None):
            best_port = (m, k)
        if m.tri is Tri.YES:
            break
    assert best_port is not None
    tri = Tri(min(peer_match.tri.value, best_port[0].tri.value))
    blocking = best_port[0] if best_port[0].tri is not Tri.YES else peer_match
    return tri, f"{path} ports[{best_port[1]}]", blocking


def evaluate_direction(
    *,
    subject: str,
    policies: Sequence[Policy],
    traffic: Traffic,
    namespaces: Mapping[str, Namespace],
    assumptions: Assumptions,
) -> DirectionDecision:
    """Decide one direction for a subject pod (`subject` is its namespace/name, for messages).

    `policies` are those that select the subject and isolate it in this direction.
    """
    direction = traffic.direction
    if not policies:
        return DirectionDecision(
            direction, Decision.NOT_SELECTED, Code.NOT_ISOLATED,
            f"no NetworkPolicy selects {subject} for {direction.value}: all traffic allowed")
    allowed: list[RuleRef] = []
    maybe: list[tuple[RuleRef, Code]] = []
    unresolved: list[RuleRef] = []
    for policy in policies:
        rules = policy.ingress if direction is Direction.INGRESS else policy.egress
        for i, rule in enumerate(rules):
            tri, path, blocking = _rule_match(policy, rule, i, traffic,
                                              namespaces=namespaces, assumptions=assumptions)
            ref = RuleRef(policy.namespace, policy.name, path)
            if tri is Tri.YES:
                allowed.append(ref)
            elif tri is Tri.MAYBE:
                assert blocking is not None and blocking.code is not None
                maybe.append((ref, blocking.code))
            elif blocking is not None and blocking.code is Code.NAMED_PORT_UNRESOLVED:
                unresolved.append(ref)
    if allowed:
        return DirectionDecision(direction, Decision.ALLOWED, Code.ALLOWED_BY,
                                 f"allowed by {allowed[0]}", tuple(allowed))
    if maybe:
        refs = tuple(ref for ref, _ in maybe)
        code = maybe[0][1]
        return DirectionDecision(direction, Decision.UNDEFINED, code,
                                 f"only {refs[0]} could allow it, and {_UNDEFINED_WHY[code]}",
                                 refs)
    isolating = tuple(RuleRef(p.namespace, p.name) for p in policies)
    names = ", ".join(str(r) for r in isolating)
    what = f"{traffic.peer.label} {traffic.port}/{traffic.protocol}"
    if unresolved:
        return DirectionDecision(
            direction, Decision.DENIED, Code.NAMED_PORT_UNRESOLVED,
            f"{subject} is {direction.value}-isolated by {names}; {unresolved[0]} selects "
            f"the peer but its named port does not exist on {traffic.destination.label} "
            f"with protocol {traffic.protocol}", isolating + tuple(unresolved))
    if not any(policy.ingress if direction is Direction.INGRESS else policy.egress
               for policy in policies):
        return DirectionDecision(
            direction, Decision.DENIED, Code.NO_RULES,
            f"{subject} is {direction.value}-isolated by {names} (no rules defined): "
            f"{what} denied", isolating)
    return DirectionDecision(
        direction, Decision.DENIED, Code.NO_RULE_MATCHES,
        f"{subject} is {direction.value}-isolated by {names} and no {direction.value} rule "
        f"of theirs allows {what}", isolating)
