"""execute's unit of work: one source pod's probes as the tasks its one exec runs.

Each task stands for one address of one probe: a pod target gives one task per pod IP, a host
one task, a Service one task per door (ClusterIP, DNS name) and per ready backend on its
targetPort (engine/servicetargets.py). Probes that cannot run (no target pod, no ready
endpoint) become ERROR results at once, without a task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubectl_netpoltest.cluster.gateway import PodInfo
from kubectl_netpoltest.core.model import HostTarget, PodRef, PodTarget, Probe, ServiceTarget
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.probe.task import ProbeTask
from kubectl_netpoltest.core.results import AddressResult, ProbeResult
from kubectl_netpoltest.core.servicebackends import ServiceEndpoints
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine.servicetargets import ServiceTry, backend_pods, service_tasks
from kubectl_netpoltest.engine.targets import ResolvedTarget


@dataclass(frozen=True)
class SourceRun:
    """Where a source's probes run, or why they cannot."""

    source: PodRef
    pod: PodInfo | None
    container: str | None
    problem: str | None


def error_result(probe: Probe, reason: str, *, source_pod: str | None = None) -> ProbeResult:
    return ProbeResult(
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
    ) -> None:
        self.run = run
        self.probes = list(probes)
        self.tasks: list[ProbeTask] = []
        self.task_probe: dict[str, Probe] = {}
        self.target_pod: dict[str, PodInfo] = {}
        """probe id -> the target pod it was resolved to (checked again after the exec)."""
        self.early: list[ProbeResult] = []
        self.source_ref = run.pod.ref if run.pod else None
        self.task_tries: dict[str, ServiceTry] = {}
        """Service probes: task id -> what it tried (a door or a backend)."""
        self.service_pods: dict[str, list[PodInfo]] = {}
        for index, probe in enumerate(self.probes):
            if isinstance(probe.target, ServiceTarget):
                endpoints = (services or {})[probe.id]
                if endpoints.problem:
                    self.early.append(
                        error_result(probe, endpoints.problem, source_pod=self.source_ref)
                    )
                    continue
                self.service_pods[probe.id] = backend_pods(endpoints, pods or {})
                for tried in service_tasks(index=index, probe=probe, endpoints=endpoints):
                    self.tasks.append(tried.task)
                    self.task_probe[tried.task.probe_id] = probe
                    self.task_tries[tried.task.probe_id] = tried
                continue
            if isinstance(probe.target, HostTarget):
                hosts: tuple[str, ...] = (probe.target.host,)
            else:
                assert isinstance(probe.target, PodTarget)
                resolved = targets[probe.target.pod]
                if resolved.pod is None:
                    self.early.append(
                        error_result(
                            probe,
                            resolved.problem or "no target pod",
                            source_pod=run.pod.ref if run.pod else None,
                        )
                    )
                    continue
                hosts = resolved.ips
                self.target_pod[probe.id] = resolved.pod
            for k, host in enumerate(hosts):
                task_id = f"p{index}" if len(hosts) == 1 else f"p{index}.{k}"
                self.tasks.append(
                    ProbeTask(probe_id=task_id, host=host, port=probe.port, protocol=probe.protocol)
                )
                self.task_probe[task_id] = probe
