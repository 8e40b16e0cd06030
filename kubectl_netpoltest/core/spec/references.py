"""Checks across sections: names used but not defined (or of the wrong kind), group and
include cycles, and probes expected both allowed and denied."""

from __future__ import annotations

from collections.abc import Mapping

from kubectl_netpoltest.core.model import AddressGroup, Connection, Location, PodGroup, Rule, Spec
from kubectl_netpoltest.core.plan import find_conflicts
from kubectl_netpoltest.core.spec.problems import Problem
from kubectl_netpoltest.core.spec.reader import Definition, Ref, SpecReader, did_you_mean

_MAX_CANDIDATES = 12


def _undefined(
    reader: SpecReader, ref: Ref, kinds: tuple[str, ...], table: Mapping[str, Definition]
) -> None:
    candidates = [name for name, d in table.items() if d.kind in kinds]
    shown = ", ".join(candidates[:_MAX_CANDIDATES]) + (
        " ..." if len(candidates) > _MAX_CANDIDATES else ""
    )
    if ref.name in table:
        kind = table[ref.name].kind
        article = "an" if kind[0] in "aeiou" else "a"
        message = f"{ref.name!r} is {article} {kind}, not a {' or '.join(kinds)}"
    else:
        message = f"{ref.name!r} is not defined" + did_you_mean(ref.name, candidates)
    reader.problems.append(
        Problem(
            ref.location,
            ref.path,
            message,
            f"one of: {shown}" if candidates else f"a defined {kinds[0]}",
        )
    )


def _check_refs(
    reader: SpecReader, refs: list[Ref], kinds: tuple[str, ...], table: Mapping[str, Definition]
) -> list[Ref]:
    good = []
    for ref in refs:
        if ref.name in table and table[ref.name].kind in kinds:
            good.append(ref)
        else:
            _undefined(reader, ref, kinds, table)
    return good


def _check_cycles(reader: SpecReader, edges: dict[str, list[Ref]], kind: str) -> None:
    """Report each cycle once, at the reference that closes it.

    Iterative depth-first search: a chain of thousands of nested groups must not exhaust
    Python's recursion limit (that was an internal error on hostile input).
    """
    done: set[str] = set()
    for start in edges:
        if start in done:
            continue
        trail = [start]
        on_trail = {start}
        stack = [iter(edges.get(start, []))]
        while stack:
            ref = next(stack[-1], None)
            if ref is None:
                stack.pop()
                finished = trail.pop()
                on_trail.discard(finished)
                done.add(finished)
                continue
            if ref.name in on_trail:
                cycle = [*trail[trail.index(ref.name) :], ref.name]
                reader.problems.append(
                    Problem(
                        ref.location,
                        ref.path,
                        f"{kind} cycle: {' -> '.join(cycle)}",
                        f"{kind}s that do not contain themselves",
                    )
                )
            elif ref.name in edges and ref.name not in done:
                trail.append(ref.name)
                on_trail.add(ref.name)
                stack.append(iter(edges[ref.name]))


def check_references(
    reader: SpecReader,
    *,
    pod_groups: list[tuple[PodGroup, list[Ref]]],
    address_groups: list[tuple[AddressGroup, list[Ref]]],
    connections: list[tuple[Connection, list[Ref], list[Ref]]],
    rules: list[tuple[Rule, dict[str, list[Ref]]]],
) -> None:
    pod_kinds = ("pod", "pod group")
    address_kinds = ("address", "address group")
    pod_edges = {
        g.name: _check_refs(reader, refs, pod_kinds, reader.names) for g, refs in pod_groups
    }
    _check_cycles(reader, pod_edges, "pod group")
    address_edges = {
        g.name: _check_refs(reader, refs, address_kinds, reader.names) for g, refs in address_groups
    }
    _check_cycles(reader, address_edges, "address group")
    include_edges: dict[str, list[Ref]] = {}
    for connection, targets, includes in connections:
        _check_refs(reader, targets, (*pod_kinds, *address_kinds, "service"), reader.names)
        include_edges[connection.name] = _check_refs(
            reader, includes, ("connection",), reader.connection_names
        )
    _check_cycles(reader, include_edges, "connection")
    for _, refs in rules:
        _check_refs(reader, refs["from"], pod_kinds, reader.names)
        _check_refs(
            reader, refs["allowed"] + refs["denied"], ("connection",), reader.connection_names
        )


def check_conflicts(
    reader: SpecReader, *, spec: Spec, rules: list[tuple[Rule, dict[str, list[Ref]]]]
) -> None:
    def locate(rule: str, connection: str) -> Ref | None:
        return next(
            (
                ref
                for r, refs in rules
                if r.name == rule
                for key in ("allowed", "denied")
                for ref in refs[key]
                if ref.name == connection
            ),
            None,
        )

    for conflict in find_conflicts(spec):
        ref = locate(conflict.rule, conflict.connection)
        location = ref.location if ref else Location(spec.path, 1, 1)
        path = ref.path if ref else "rules"
        reader.problems.append(
            Problem(
                location,
                path,
                f"{conflict.description} is expected {conflict.expect.value} here but "
                f"{conflict.first_expect.value} in rule {conflict.first_rule!r} "
                f"(connection {conflict.first_connection!r})",
                "one expectation per probe",
            )
        )
