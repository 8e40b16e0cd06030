"""Expand a spec into the exact, ordered list of probes that `execute` runs.

For each rule (file order), each source pod (groups flattened), each connection of `allowed`
then `denied`, each target (groups flattened; an address gives one target per host) and each
port: one probe. Identical probes (same source, target, port and protocol) run once; the first
rule that asked for it owns it and the others are listed in `also_in_rules`. The same probe
expected both allowed and denied is a contradiction the loader reports (`find_conflicts`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from kubectl_netpoltest.core.model import (
    AddressGroup,
    Connection,
    Expectation,
    HostTarget,
    PodGroup,
    PodRef,
    PodTarget,
    Port,
    Probe,
    ServiceTarget,
    Spec,
    Target,
)

DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True)
class Conflict:
    rule: str
    connection: str
    expect: Expectation
    first_rule: str
    first_connection: str
    first_expect: Expectation
    description: str


@dataclass(frozen=True)
class _Planned:
    rule: str
    connection: str
    source: PodRef
    target: Target
    port: Port
    expect: Expectation


class _Index:
    """Name lookups over a validated spec."""

    def __init__(self, spec: Spec, namespace: str) -> None:
        self.pods = {
            p.name: p if p.namespace else replace(p, namespace=namespace) for p in spec.pods
        }
        self.pod_groups = {g.name: g for g in spec.pod_groups}
        self.addresses = {a.name: a for a in spec.addresses}
        self.address_groups = {g.name: g for g in spec.address_groups}
        self.connections = {c.name: c for c in spec.connections}
        self.services = {
            s.name: s if s.namespace else replace(s, namespace=namespace) for s in spec.services
        }

    def pods_of(self, name: str) -> list[PodRef]:
        return [self.pods[leaf] for leaf in _leaves(name, self.pod_groups)]

    def targets_of(self, name: str) -> list[Target]:
        if name in self.services:
            return [ServiceTarget(self.services[name])]
        if name in self.pods or name in self.pod_groups:
            return [PodTarget(pod) for pod in self.pods_of(name)]
        found: list[Target] = []
        for leaf in _leaves(name, self.address_groups):
            found += [HostTarget(address=leaf, host=h) for h in self.addresses[leaf].hosts]
        return list(dict.fromkeys(found))

    def pairs_of(self, name: str) -> list[tuple[Target, Port]]:
        pairs = [
            (target, port)
            for current in _leaves_of_includes(name, self.connections)
            for target_name in self.connections[current].targets
            for target in self.targets_of(target_name)
            for port in self.connections[current].ports
        ]
        return list(dict.fromkeys(pairs))


def _leaves(name: str, groups: Mapping[str, PodGroup | AddressGroup]) -> list[str]:
    """The non-group names under `name`, first occurrence first, without recursion (a chain of
    thousands of nested groups is valid YAML and must not exhaust Python's stack)."""
    leaves: dict[str, None] = {}
    seen: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop()
        if current not in groups:
            leaves.setdefault(current)
        elif current not in seen:
            seen.add(current)
            stack.extend(reversed(groups[current].members))
    return list(leaves)


def count_probes(spec: Spec) -> dict[str, int]:
    """An upper bound of the probes each rule expands to, computed without expanding them.

    Sizes multiply (sources x targets x ports), so a small spec can describe millions of
    probes; the loader refuses those before anything enumerates them. Duplicates across rules
    and connections are counted in every place, which is why this is a bound.
    """
    index = _Index(spec, DEFAULT_NAMESPACE)
    pairs: dict[str, int] = {}

    def pair_count(name: str) -> int:
        total = 0
        for current in _leaves_of_includes(name, index.connections):
            connection = index.connections[current]
            targets = sum(len(_target_leaves(index, t)) for t in connection.targets)
            total += targets * len(connection.ports)
        return total

    counts: dict[str, int] = {}
    for rule in spec.rules:
        sources = len({leaf for name in rule.sources for leaf in _leaves(name, index.pod_groups)})
        per_source = 0
        for connection in (*rule.allowed, *rule.denied):
            if connection not in pairs:
                pairs[connection] = pair_count(connection)
            per_source += pairs[connection]
        counts[rule.name] = counts.get(rule.name, 0) + sources * per_source
    return counts


def _target_leaves(index: _Index, name: str) -> list[str]:
    if name in index.services:
        return [name]
    if name in index.pods or name in index.pod_groups:
        return _leaves(name, index.pod_groups)
    return [
        f"{leaf}/{host}"
        for leaf in _leaves(name, index.address_groups)
        for host in index.addresses[leaf].hosts
    ]


def _leaves_of_includes(name: str, connections: Mapping[str, Connection]) -> list[str]:
    """A connection and every connection it includes, transitively, each once."""
    order: dict[str, None] = {}
    stack = [name]
    while stack:
        current = stack.pop()
        if current in order:
            continue
        order.setdefault(current)
        stack.extend(reversed(connections[current].includes))
    return list(order)


def _planned(spec: Spec, namespace: str) -> Iterator[_Planned]:
    index = _Index(spec, namespace)
    for rule in spec.rules:
        sources = list(dict.fromkeys(p for name in rule.sources for p in index.pods_of(name)))
        for source in sources:
            for expect, names in (
                (Expectation.ALLOWED, rule.allowed),
                (Expectation.DENIED, rule.denied),
            ):
                for connection in names:
                    for target, port in index.pairs_of(connection):
                        yield _Planned(rule.name, connection, source, target, port, expect)


def _key(item: _Planned) -> tuple[str, str, int, str]:
    return (item.source.name, item.target.label, item.port.port, item.port.protocol.value)


def probe_id(*, source: PodRef, target: Target, port: Port) -> str:
    """Stable, readable id: unique per (source, target, port, protocol) after deduplication."""
    return f"{source.name}->{target.label}:{port.port}/{port.protocol.value.lower()}"


def expand(spec: Spec, *, default_namespace: str = DEFAULT_NAMESPACE) -> list[Probe]:
    """The probes of a valid spec, deduplicated, in file order."""
    probes: dict[tuple[str, str, int, str], Probe] = {}
    for item in _planned(spec, default_namespace):
        key = _key(item)
        if key in probes:
            first = probes[key]
            if item.rule != first.rule and item.rule not in first.also_in_rules:
                probes[key] = replace(first, also_in_rules=(*first.also_in_rules, item.rule))
            continue
        probes[key] = Probe(
            id=probe_id(source=item.source, target=item.target, port=item.port),
            rule=item.rule,
            source=item.source,
            target=item.target,
            port=item.port.port,
            protocol=item.port.protocol,
            expect=item.expect,
        )
    return list(probes.values())


def find_conflicts(spec: Spec) -> list[Conflict]:
    """Probes that the spec expects both allowed and denied, reported once per pair of uses."""
    seen: dict[tuple[str, str, int, str], _Planned] = {}
    conflicts: list[Conflict] = []
    reported: set[tuple[str, str, str, str]] = set()
    for item in _planned(spec, DEFAULT_NAMESPACE):
        key = _key(item)
        first = seen.setdefault(key, item)
        if first.expect is item.expect:
            continue
        pair = (first.rule, first.connection, item.rule, item.connection)
        if pair in reported:
            continue
        reported.add(pair)
        conflicts.append(
            Conflict(
                rule=item.rule,
                connection=item.connection,
                expect=item.expect,
                first_rule=first.rule,
                first_connection=first.connection,
                first_expect=first.expect,
                description=f"{item.source.name} -> {item.target.label} {item.port}",
            )
        )
    return conflicts
