"""execute's plan: which source pods run which probes against which addresses, before any exec.

One Batch per source pod (and per MAX_PROBES_PER_EXEC probes): a `spread: nodes|all` source
has several pods, each with its own exec and its own target resolution (a pod is never its
own target or backend). Results that are known without an exec (no prepared pod, no target,
no ready endpoint) come back as `early`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubectl_netpoltest.cluster.gateway import PodInfo
from kubectl_netpoltest.core.ipfamily import IpFamily
from kubectl_netpoltest.core.model import PodTarget, Probe, ServiceTarget
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.engine.execbatch import Batch, error_result, find_source
from kubectl_netpoltest.engine.replicas import source_runs, target_replicas
from kubectl_netpoltest.engine.servicetargets import (
    plan_service_probe,
    read_service_namespaces,
    service_namespaces,
)
from kubectl_netpoltest.engine.targets import resolve_target

MAX_PROBES_PER_EXEC = 1000
"""Exec argv travels in the URL's query string, and kube-apiserver takes at most 1 MiB of
request line and headers (Go's MaxHeaderBytes 1 << 20). The script is ~9 KB encoded and a probe
adds at most ~700 bytes (4 argv items, ids up to 256 characters, host names up to 253), so
1,000 probes stay safely below; a source with more gets several execs."""

if TYPE_CHECKING:  # the kubernetes client loads only when a cluster is used (offline commands)
    from kubectl_netpoltest.cluster.objectreads import ObjectReader


@dataclass(frozen=True)
class ExecPlan:
    batches: list[Batch]
    early: list[ProbeResult]
    spread: frozenset[str]
    """Ids of probes run from several source pods: their parts are merged (core/spread.py)."""


def plan_batches(
    *,
    probes: Sequence[Probe],
    pods: Mapping[str, Sequence[PodInfo]],
    objects: ObjectReader | None,
    spec_path: str,
    ip_family: IpFamily = IpFamily.ANY,
) -> ExecPlan:
    service_ns = service_namespaces(probes)
    read = read_service_namespaces(objects, namespaces=service_ns) if service_ns else {}
    batches: list[Batch] = []
    early: list[ProbeResult] = []
    spread: set[str] = set()
    for source in dict.fromkeys(p.source for p in probes):
        mine = [p for p in probes if p.source == source]
        runs = source_runs(
            source,
            pods[source.namespace or "default"],
            find_one=lambda s, found: find_source(s, found, spec_path=spec_path),
        )
        if len(runs) > 1:
            spread |= {p.id for p in mine}
        for run in runs:
            if run.problem:
                early += [error_result(p, run.problem, source_node=run.node) for p in mine]
                continue
            pod_targets = {p.target.pod for p in mine if isinstance(p.target, PodTarget)}
            targets = {
                t: resolve_target(t, pods[t.namespace or "default"], source=run.pod)
                for t in pod_targets
            }
            replicas = {
                t: target_replicas(t, pods[t.namespace or "default"], source=run.pod)
                for t in pod_targets
            }
            services = {
                p.id: plan_service_probe(p, read=read, source=run.pod)
                for p in mine
                if isinstance(p.target, ServiceTarget)
            }
            for start in range(0, len(mine), MAX_PROBES_PER_EXEC):
                batch = Batch(
                    run=run,
                    probes=mine[start : start + MAX_PROBES_PER_EXEC],
                    targets=targets,
                    services=services,
                    pods=pods,
                    replicas=replicas,
                    ip_family=ip_family,
                )
                early += batch.early
                if batch.tasks:
                    batches.append(batch)
    return ExecPlan(batches, early, frozenset(spread))
