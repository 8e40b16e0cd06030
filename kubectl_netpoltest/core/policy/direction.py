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
    NO,
    YES,
    Assumptions,
    Endpoint,
    Match,
    Tri,
    peer_match,
    port_match,
)
from kubectl_netpoltest.core.policy.objects import Namespace, Policy, Rule

_UNDEFINED_WHY = {
    Code.IPBLOCK_MATCHES_POD_IP: "whether an ipBlock matches a pod IP is up to the CNI "
    '(API: ipBlock "should be cluster-external IPs"; semantics rule 16)',
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
    policy: Policy,
    rule: Rule,
    traffic: Traffic,
    *,
    namespaces: Mapping[str, Namespace],
    assumptions: Assumptions,
) -> tuple[Tri, int | None, int | None, Match | None]:
    """The best match of one rule (peer AND port): its tri, the peer and port indexes that
    gave it (None when the list is absent) and the match that kept it from a plain yes.

    Hot path (10,000 probes x their policies): no strings are built here."""
    peer_index: int | None = None
    matched = YES
    if rule.peers is not None:
        endpoint, policy_namespace = traffic.peer, policy.namespace
        best = NO
        for j, peer in enumerate(rule.peers):
            m = peer_match(peer, endpoint, policy_namespace, namespaces, assumptions)
            if m.tri is Tri.YES:
                best, peer_index = m, j
                break
            if peer_index is None or (m.tri is Tri.MAYBE and best.tri is Tri.NO):
                best, peer_index = m, j
        matched = best
    if matched.tri is Tri.NO:
        return Tri.NO, peer_index, None, None
    if rule.ports is None:
        return matched.tri, peer_index, None, matched
    best_port = NO
    port_index: int | None = None
    port, protocol, destination = traffic.port, traffic.protocol, traffic.destination
    for k, spec in enumerate(rule.ports):
        m = port_match(spec, port, protocol, destination, assumptions)
        if m.tri is Tri.YES:
            best_port, port_index = m, k
            break
        if (
            port_index is None
            or (m.tri is Tri.MAYBE and best_port.tri is Tri.NO)
            or (m.tri is best_port.tri and best_port.code is None and m.code is not None)
        ):
            best_port, port_index = m, k
    if best_port.tri is Tri.YES:
        return matched.tri, peer_index, port_index, matched
    tri = Tri.NO if best_port.tri is Tri.NO else Tri.MAYBE
    return tri, peer_index, port_index, best_port


def _path(direction: Direction, index: int, peer: int | None, port: int | None) -> str:
    peers_key = "from" if direction is Direction.INGRESS else "to"
    path = f"{direction.value}[{index}]"
    if peer is not None:
        path += f" {peers_key}[{peer}]"
    if port is not None:
        path += f" ports[{port}]"
    return path


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
            direction,
            Decision.NOT_SELECTED,
            Code.NOT_ISOLATED,
            f"no NetworkPolicy selects {subject} for {direction.value}: all traffic allowed",
        )
    allowed: list[RuleRef] = []
    maybe: list[tuple[RuleRef, Code]] = []
    unresolved: list[RuleRef] = []
    for policy in policies:
        rules = policy.ingress if direction is Direction.INGRESS else policy.egress
        for i, rule in enumerate(rules):
            tri, peer, port, blocking = _rule_match(
                policy, rule, traffic, namespaces=namespaces, assumptions=assumptions
            )
            if tri is Tri.NO and (
                blocking is None or blocking.code is not Code.NAMED_PORT_UNRESOLVED
            ):
                continue
            ref = RuleRef(policy.namespace, policy.name, _path(direction, i, peer, port))
            if tri is Tri.YES:
                allowed.append(ref)
            elif tri is Tri.MAYBE:
                assert blocking is not None and blocking.code is not None
                maybe.append((ref, blocking.code))
            else:
                unresolved.append(ref)
    if allowed:
        return DirectionDecision(
            direction, Decision.ALLOWED, Code.ALLOWED_BY, f"allowed by {allowed[0]}", tuple(allowed)
        )
    if maybe:
        refs = tuple(ref for ref, _ in maybe)
        code = maybe[0][1]
        return DirectionDecision(
            direction,
            Decision.UNDEFINED,
            code,
            f"only {refs[0]} could allow it, and {_UNDEFINED_WHY[code]}",
            refs,
        )
    isolating = tuple(RuleRef(p.namespace, p.name) for p in policies)
    names = ", ".join(str(r) for r in isolating)
    what = f"{traffic.peer.label} {traffic.port}/{traffic.protocol}"
    if unresolved:
        return DirectionDecision(
            direction,
            Decision.DENIED,
            Code.NAMED_PORT_UNRESOLVED,
            f"{subject} is {direction.value}-isolated by {names}; {unresolved[0]} selects "
            f"the peer but its named port does not exist on {traffic.destination.label} "
            f"with protocol {traffic.protocol}",
            isolating + tuple(unresolved),
        )
    if not any(
        policy.ingress if direction is Direction.INGRESS else policy.egress for policy in policies
    ):
        return DirectionDecision(
            direction,
            Decision.DENIED,
            Code.NO_RULES,
            f"{subject} is {direction.value}-isolated by {names} (no rules defined): {what} denied",
            isolating,
        )
    return DirectionDecision(
        direction,
        Decision.DENIED,
        Code.NO_RULE_MATCHES,
        f"{subject} is {direction.value}-isolated by {names} and no {direction.value} rule "
        f"of theirs allows {what}",
        isolating,
    )
