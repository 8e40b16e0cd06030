"""execute's unit of work: one source pod's probes as the tasks its one exec runs.

Each task stands for one address of one probe: a pod target gives one task per pod IP, a host
one task, a Service one task per door (ClusterIP, DNS name) and per ready backend on its
targetPort (engine/servicetargets.py). Probes that cannot run (no target pod, no ready
endpoint) become ERROR results at once, without a task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from kubectl_netpoltest.cluster.gateway import PodInfo
from kubectl_netpoltest.core.ipfamily import IpFamily, select_family
from kubectl_netpoltest.core.model import HostTarget, PodRef, PodTarget, Probe, ServiceTarget
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.probe.task import ProbeTask
from kubectl_netpoltest.core.results import AddressResult, ProbeResult
from kubectl_netpoltest.core.servicebackends import Backend, ServiceEndpoints
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.engine.servicetargets import (
    ServiceTry,
    backend_pods,
    replica_tasks,
    service_tasks,
)
from kubectl_netpoltest.engine.targets import ResolvedTarget


@dataclass(frozen=True)
class SourceRun:
    """Where a source's probes run, or why they cannot."""

    source: PodRef
    pod: PodInfo | None
    container: str | None
    problem: str | None
    node: str | None = None
    """For a spread source's problem run: the node it stands for (a row of the matrix)."""


def find_source(source: PodRef, pods: Sequence[PodInfo], *, spec_path: str) -> SourceRun:
    matching = sorted(
        (p for p in pods if instrument.matches(source, p) and not p.deleting), key=lambda p: p.name
    )
    for pod in matching:
        if instrument.is_instrumented(pod):
            container = instrument.probe_container(pod)  # the one prepare reported
            if container:
                return SourceRun(source, pod, container, None)
    prepared = [p for p in matching if instrument.is_instrumented(p)]
    if prepared:
        return SourceRun(
            source,
            None,
            None,
            f"the debug container in {prepared[0].ref} is no "
            "longer running (its TTL may have expired); run "
            f"`kubectl netpoltest prepare {spec_path}` again",
        )
    return SourceRun(
        source,
        None,
        None,
        f"no prepared pod for {source.name} ({source.describe()}): it was never prepared, or "
        f"the prepared pod is gone; run `kubectl netpoltest prepare {spec_path}` again",
    )


def error_result(
    probe: Probe, reason: str, *, source_pod: str | None = None, source_node: str | None = None
) -> ProbeResult:
    return ProbeResult(
        source_node=source_node,
        probe=probe,
        source_pod=source_pod,
        addresses=(AddressResult(None, Observation.PROBE_ERROR, reason),),
        verdict=Verdict.ERROR,
        reason=reason,
        seconds=0.0,
    )


class Batch:
    """One source pod's probes: tasks, the address each task stands for, and its results."""

    def __init__(
        self,
        *,
        run: SourceRun,
        probes: Sequence[Probe],
        targets: dict[PodRef, ResolvedTarget],
        services: Mapping[str, ServiceEndpoints] | None = None,
        pods: Mapping[str, Sequence[PodInfo]] | None = None,
        replicas: Mapping[PodRef, Sequence[PodInfo]] | None = None,
        ip_family: IpFamily = IpFamily.ANY,
    ) -> None:
        self.run = run
        self.probes = list(probes)
        self.tasks: list[ProbeTask] = []
        self.task_probe: dict[str, Probe] = {}
        self.target_pod: dict[str, PodInfo] = {}
        """probe id -> the target pod it was resolved to (checked again after the exec)."""
        self.early: list[ProbeResult] = []
        self.source_ref = run.pod.ref if run.pod else None
        self.source_node = run.pod.node if run.pod else run.node
        self.ip_family = ip_family
        self.task_tries: dict[str, ServiceTry] = {}
        """Service and replica probes: task id -> what it tried (a door or a backend)."""
        self.checked_pods: dict[str, list[PodInfo]] = {}
        """Service and replica probes: probe id -> the pods to check again after the exec."""
        self.noun: dict[str, str] = {}
        """Probes judged per backend ("backends" of a Service, "replicas" of a pod target)."""
        for index, probe in enumerate(self.probes):
            if isinstance(probe.target, ServiceTarget):
                endpoints, problem = self._of_family((services or {})[probe.id], probe)
                if problem:
                    self._error(probe, problem)
                    continue
                self.checked_pods[probe.id] = backend_pods(endpoints, pods or {})
                self._add_tries(probe, service_tasks(index=index, probe=probe, endpoints=endpoints))
                self.noun[probe.id] = "backends"
                continue
            several = (
                list((replicas or {}).get(probe.target.pod, ()))
                if isinstance(probe.target, PodTarget)
                else []
            )
            if len(several) > 1:
                self.checked_pods[probe.id] = several
                backends = []
                for p in several:
                    chosen = select_family(p.ips, ip_family, what=f"target pod {p.ref}")
                    if chosen.problem:
                        break
                    backends += [Backend(p.ref, ip, probe.port, p.node) for ip in chosen.hosts]
                if chosen.problem:
                    self._error(probe, chosen.problem)
                    continue
                self._add_tries(probe, replica_tasks(index=index, probe=probe, backends=backends))
                self.noun[probe.id] = "replicas"
                continue
            if isinstance(probe.target, HostTarget):
                hosts: tuple[str, ...] = (probe.target.host,)
            else:
                assert isinstance(probe.target, PodTarget)
                resolved = targets[probe.target.pod]
                if resolved.pod is None:
                    self._error(probe, resolved.problem or "no target pod")
                    continue
                hosts = resolved.ips
                self.target_pod[probe.id] = resolved.pod
            chosen = select_family(hosts, ip_family, what=f"target {probe.target.label}")
            if chosen.problem:
                self._error(probe, chosen.problem)
                continue
            hosts = chosen.hosts
            for k, host in enumerate(hosts):
                task_id = f"p{index}" if len(hosts) == 1 else f"p{index}.{k}"
                self.tasks.append(
                    ProbeTask(probe_id=task_id, host=host, port=probe.port, protocol=probe.protocol)
                )
                self.task_probe[task_id] = probe

    def _error(self, probe: Probe, reason: str) -> None:
        self.early.append(
            error_result(probe, reason, source_pod=self.source_ref, source_node=self.source_node)
        )

    def _of_family(
        self, endpoints: ServiceEndpoints, probe: Probe
    ) -> tuple[ServiceEndpoints, str | None]:
        """The Service's doors and backends of the families asked for (`--ip-family`)."""
        if endpoints.problem or self.ip_family is IpFamily.ANY:
            return endpoints, endpoints.problem
        what = f"Service {probe.target.label}"
        every = [d.host for d in endpoints.doors] + [b.ip for b in endpoints.backends]
        chosen = select_family(every, self.ip_family, what=what)
        if chosen.problem:
            return endpoints, chosen.problem
        kept = set(chosen.hosts)
        backends = tuple(b for b in endpoints.backends if b.ip in kept)
        if not backends:
            return endpoints, f"{what} has no backend of the family asked (--ip-family)"
        doors = tuple(d for d in endpoints.doors if d.host in kept)
        return replace(endpoints, doors=doors, backends=backends), None

    def _add_tries(self, probe: Probe, tries: Sequence[ServiceTry]) -> None:
        for tried in tries:
            self.tasks.append(tried.task)
            self.task_probe[tried.task.probe_id] = probe
            self.task_tries[tried.task.probe_id] = tried
