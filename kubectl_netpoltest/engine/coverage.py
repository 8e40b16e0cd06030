"""`coverage`: the plan's probes as evaluator queries, then rule coverage over the snapshot."""

from __future__ import annotations

from collections.abc import Sequence

from kubectl_netpoltest.core.model import HostTarget, PodTarget, Probe
from kubectl_netpoltest.core.policy import (
    Assumptions,
    Endpoint,
    Predictor,
    ServiceTarget,
    pod_endpoint,
)
from kubectl_netpoltest.core.policy.coverage import Coverage, Query, coverage
from kubectl_netpoltest.core.policy.objects import Pod, Snapshot
from kubectl_netpoltest.engine.explain import find_pod, service_target, spec_namespaces


def _target(predictor: Predictor, probe: Probe, source: Pod) -> Endpoint | ServiceTarget | None:
    """As explain resolves it; None when no pod matches a pod target."""
    if isinstance(probe.target, HostTarget):
        return predictor.address(probe.target.host, from_namespace=source.namespace)
    if not isinstance(probe.target, PodTarget):
        return service_target(predictor, probe.target)
    found = find_pod(probe.target.pod, predictor.snapshot.pods)
    return None if found is None else pod_endpoint(found)


def spec_coverage(
    probes: Sequence[Probe], snapshot: Snapshot, *, assumptions: Assumptions | None = None
) -> Coverage:
    """Probes whose source or target matches no pod in the snapshot touch no rule."""
    predictor = Predictor(snapshot, assumptions=assumptions)
    queries = []
    for probe in probes:
        source = find_pod(probe.source, snapshot.pods)
        if source is None:
            continue
        target = _target(predictor, probe, source)
        if target is not None:
            queries.append(
                Query(probe.id, pod_endpoint(source), target, probe.port, probe.protocol.value)
            )
    return coverage(predictor, queries, namespaces=spec_namespaces(probes))
