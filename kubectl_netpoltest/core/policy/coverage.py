"""Which rules of which NetworkPolicies a set of probes exercises, and which it never touches.

"Is my spec complete?" For every rule of every policy in the namespaces the spec touches:
the probes *allowed through it* (peer and port both match: the rule is exercised) and the
probes that *test its edge* (no rule lets the probe through in that direction, and only one
of this rule's peer and port matches — or a match depends on what the API leaves undefined:
the probe is denied right next to the rule). A policy with no rules in a direction it isolates
is one row: probes that hit a pod it isolates test it. Isolated pods that no probe reaches in
that direction are listed too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kubectl_netpoltest.core.policy.decision import Direction
from kubectl_netpoltest.core.policy.matching import Endpoint, Tri, peer_matches, port_matches
from kubectl_netpoltest.core.policy.objects import Peer, Pod, Policy, PortSpec, Rule
from kubectl_netpoltest.core.policy.predict import Predictor, ServiceTarget


@dataclass(frozen=True)
class Query:
    """One probe, as the evaluator sees it."""

    id: str
    source: Endpoint
    target: Endpoint | ServiceTarget
    port: int
    protocol: str


@dataclass(frozen=True)
class RuleRow:
    namespace: str
    name: str
    direction: Direction
    index: int | None
    """None: the policy has no rules in this direction (it only isolates)."""
    peers: str
    ports: str
    exercised_by: tuple[str, ...] = ()
    edge_of: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return (
            f"{self.direction.value}[{self.index}]"
            if self.index is not None
            else f"{self.direction.value} (no rules)"
        )

    @property
    def touched(self) -> bool:
        return bool(self.exercised_by or self.edge_of)


@dataclass(frozen=True)
class Coverage:
    rules: tuple[RuleRow, ...]
    untouched_pods: tuple[str, ...]
    """"namespace/pod direction" for isolated pods no probe reaches in that direction."""


def describe_peer(peer: Peer) -> str:
    if peer.ip_block is not None:
        block = peer.ip_block
        return f"ipBlock {block.cidr}" + (
            f" except {','.join(block.excepts)}" if block.excepts else ""
        )
    pods = (
        "all pods"
        if peer.pod_selector is None or peer.pod_selector.is_empty
        else (f"pods [{peer.pod_selector.describe()}]")
    )
    where = (
        "the policy's namespace"
        if peer.namespace_selector is None
        else f"namespaces [{peer.namespace_selector.describe()}]"
    )
    return f"{pods} in {where}"


def describe_rule(rule: Rule) -> tuple[str, str]:
    peers = "any peer" if rule.peers is None else " OR ".join(map(describe_peer, rule.peers))
    ports = "any port" if rule.ports is None else ", ".join(p.describe() for p in rule.ports)
    return peers, ports


def _best(tris: Iterable[Tri]) -> Tri:
    return max(tris, key=lambda t: t.value, default=Tri.YES)


class _Collector:
    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor
        self.exercised: dict[tuple[str, str, Direction, int], list[str]] = defaultdict(list)
        self.edges: dict[tuple[str, str, Direction, int | None], list[str]] = defaultdict(list)
        self.subjects: set[tuple[Pod, Direction]] = set()

    def side(
        self,
        query: str,
        *,
        direction: Direction,
        subject: Pod,
        peer: Endpoint,
        destination: Endpoint,
        port: int,
        protocol: str,
    ) -> None:
        policies = self.predictor.selecting(subject, direction)
        if not policies:
            return
        self.subjects.add((subject, direction))
        exercised: list[tuple[str, str, Direction, int]] = []
        near: list[tuple[str, str, Direction, int | None]] = []
        for policy in policies:
            rules = policy.ingress if direction is Direction.INGRESS else policy.egress
            if not rules:
                near.append((policy.namespace, policy.name, direction, None))
            for i, rule in enumerate(rules):
                peer_tri = (
                    Tri.YES
                    if rule.peers is None
                    else _best(
                        peer_matches(
                            p,
                            peer,
                            policy_namespace=policy.namespace,
                            namespaces=self.predictor.namespaces,
                            assumptions=self.predictor.assumptions,
                        ).tri
                        for p in rule.peers
                    )
                )
                port_tri = (
                    Tri.YES
                    if rule.ports is None
                    else _best(self._port(spec, port, protocol, destination) for spec in rule.ports)
                )
                key = (policy.namespace, policy.name, direction, i)
                if peer_tri is Tri.YES and port_tri is Tri.YES:
                    exercised.append(key)
                elif peer_tri is not Tri.NO or port_tri is not Tri.NO:
                    near.append(key)
        for key in exercised:
            self.exercised[key].append(query)
        if not exercised:  # denied (or undefined) in this direction: the near rules' edge
            for near_key in near:
                self.edges[near_key].append(query)

    def _port(self, spec: PortSpec, port: int, protocol: str, destination: Endpoint) -> Tri:
        return port_matches(
            spec,
            port=port,
            protocol=protocol,
            destination=destination,
            assumptions=self.predictor.assumptions,
        ).tri


def coverage(
    predictor: Predictor, queries: Sequence[Query], *, namespaces: Sequence[str]
) -> Coverage:
    collector = _Collector(predictor)
    for q in queries:
        protocol = q.protocol.upper()
        for dest, port in predictor.destinations(target=q.target, port=q.port, protocol=protocol):
            if q.source.pod is not None and q.source.pod == dest.pod:
                continue  # own IP: no policy applies (rule 9)
            if q.source.selectable and q.source.pod is not None:
                collector.side(
                    q.id,
                    direction=Direction.EGRESS,
                    subject=q.source.pod,
                    peer=dest,
                    destination=dest,
                    port=port,
                    protocol=protocol,
                )
            if dest.selectable and dest.pod is not None:
                collector.side(
                    q.id,
                    direction=Direction.INGRESS,
                    subject=dest.pod,
                    peer=q.source,
                    destination=dest,
                    port=port,
                    protocol=protocol,
                )
    rows = [
        row
        for policy in predictor.snapshot.policies
        if policy.namespace in namespaces
        for row in _rows(policy, collector)
    ]
    untouched = [
        f"{pod.ref} {direction.value}"
        for pod in predictor.snapshot.pods
        if pod.namespace in namespaces
        for direction in Direction
        if predictor.selecting(pod, direction) and (pod, direction) not in collector.subjects
    ]
    return Coverage(rules=tuple(rows), untouched_pods=tuple(untouched))


def _rows(policy: Policy, collector: _Collector) -> list[RuleRow]:
    rows = []
    for direction, isolates, rules in (
        (Direction.INGRESS, policy.ingress_isolates, policy.ingress),
        (Direction.EGRESS, policy.egress_isolates, policy.egress),
    ):
        if not isolates:
            continue
        if not rules:
            rows.append(
                RuleRow(
                    policy.namespace,
                    policy.name,
                    direction,
                    None,
                    "nothing",
                    "nothing",
                    edge_of=tuple(
                        dict.fromkeys(
                            collector.edges[(policy.namespace, policy.name, direction, None)]
                        )
                    ),
                )
            )
        for i, rule in enumerate(rules):
            key = (policy.namespace, policy.name, direction, i)
            peers, ports = describe_rule(rule)
            rows.append(
                RuleRow(
                    policy.namespace,
                    policy.name,
                    direction,
                    i,
                    peers,
                    ports,
                    tuple(dict.fromkeys(collector.exercised[key])),
                    tuple(dict.fromkeys(collector.edges[key])),
                )
            )
    return rows
