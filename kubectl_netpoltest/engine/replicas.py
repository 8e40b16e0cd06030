"""Several pods for one spec entry: the source pods a spread probe runs from, and the target
replicas a pod target stands for.

Sources (`spread:`): `one` is the first pod prepare instrumented (today's behaviour); `nodes`
one instrumented pod per node; `all` every instrumented pod. Each gets its own exec, so the
number of execs is the number of source pods, never the number of probes.

Targets (`targets:`, default `all`): every Ready, Running pod with an IP that matches, except
the probing pod. Why all by default: ingress is enforced on the destination's node and label
sets differ between replicas (a canary, a rollout), so the one pod the original tool picked
could pass while its siblings leak — a false PASS. The cost is tasks inside the same exec
(one connection attempt per replica address, run in parallel), not more execs; `targets: one`
keeps the original single pod.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kubectl_netpoltest.cluster.gateway import PodInfo
from kubectl_netpoltest.core.model import PodRef, Spread
from kubectl_netpoltest.core.servicebackends import Backend
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.engine.execbatch import SourceRun


def source_runs(
    source: PodRef,
    pods: Sequence[PodInfo],
    *,
    find_one: Callable[[PodRef, Sequence[PodInfo]], SourceRun],
) -> list[SourceRun]:
    """Where the source's probes run: one SourceRun per source pod (a problem run if none)."""
    first = find_one(source, pods)
    if source.spread is Spread.ONE or first.pod is None:
        return [first]
    ready = sorted(
        (
            p
            for p in pods
            if instrument.matches(source, p)
            and not p.deleting
            and instrument.is_instrumented(p)
            and instrument.probe_container(p)
        ),
        key=lambda p: p.name,
    )
    runs = [SourceRun(source, p, instrument.probe_container(p), None) for p in ready]
    if source.spread is Spread.NODES:
        per_node: dict[str | None, SourceRun] = {}
        for run in runs:
            assert run.pod is not None
            per_node.setdefault(run.pod.node, run)
        runs = list(per_node.values())
    return (runs or [first]) + _not_covered(source, pods, runs, find_one=find_one)


def _not_covered(
    source: PodRef,
    pods: Sequence[PodInfo],
    runs: Sequence[SourceRun],
    *,
    find_one: Callable[[PodRef, Sequence[PodInfo]], SourceRun],
) -> list[SourceRun]:
    """Ready pods (`all`) or nodes (`nodes`) that no prepared pod covers — scaled up or
    rescheduled since prepare: ERROR rows, so a spread result never claims nodes it skipped."""
    covered = {r.pod.uid for r in runs if r.pod is not None}
    nodes = {r.pod.node for r in runs if r.pod is not None}
    missing = [
        p
        for p in pods
        if instrument.matches(source, p)
        and _usable(p)
        and not p.host_network
        and p.uid not in covered
        and (source.spread is Spread.ALL or p.node not in nodes)
    ]
    if source.spread is Spread.NODES:
        missing = list({p.node: p for p in sorted(missing, key=lambda p: p.name)}.values())
    hint = find_one(source, []).problem or "run prepare again"
    return [
        SourceRun(
            source,
            None,
            None,
            f"{p.ref} on {p.node or 'an unknown node'} has no running debug container "
            f"(scaled up or rescheduled since prepare), so {source.spread.value} is not covered: "
            + hint.split("; ")[-1],
            node=p.node,
        )
        for p in sorted(missing, key=lambda p: p.name)
    ]


def spread_pods(source: PodRef, usable: Sequence[PodInfo], *, first: PodInfo) -> list[PodInfo]:
    """The pods prepare instruments for a spread source: `first` (the one `spread: one` would
    take, so an earlier prepare is reused) and, for `nodes`, the first Ready pod of every other
    node (an instrumented one preferred), for `all` every Ready pod."""
    if source.spread is Spread.ALL:
        return [first, *(p for p in usable if p.uid != first.uid)]
    chosen = {first.node: first}
    ranked = sorted(usable, key=lambda p: (not instrument.is_instrumented(p), p.name))
    for pod in ranked:
        chosen.setdefault(pod.node, pod)
    return list(chosen.values())


def _usable(pod: PodInfo) -> bool:
    return not pod.deleting and pod.phase == "Running" and bool(pod.ips) and pod.ready


def target_replicas(
    target: PodRef, pods: Sequence[PodInfo], *, source: PodInfo | None
) -> list[PodInfo]:
    """Every usable replica of a `targets: all` pod target other than the probing pod."""
    if target.targets is not Spread.ALL:
        return []
    return sorted(
        (
            p
            for p in pods
            if instrument.matches(target, p)
            and _usable(p)
            and (source is None or p.uid != source.uid)
        ),
        key=lambda p: p.name,
    )


def replica_backends(replicas: Sequence[PodInfo], *, port: int) -> list[Backend]:
    """Each replica address as a backend, so Service and replica results read alike."""
    return [Backend(p.ref, ip, port, p.node) for p in replicas for ip in p.ips]
