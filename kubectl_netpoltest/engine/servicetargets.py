"""Service targets at execute time: read each Service namespace's Services and EndpointSlices
once, then turn every probe to a Service into its doors and backends (core/servicebackends.py).

Reads are one list per kind and namespace, never one per probe. A read that fails (RBAC, API)
makes that namespace's Service probes ERROR with the reason; nothing is guessed.
The probing pod is never its own backend (issue 9's rule for pod targets): traffic to itself
stays on its own interface, which no NetworkPolicy governs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kubectl_netpoltest.cluster.gateway import PodInfo
from kubectl_netpoltest.core.model import Expectation, Probe, ServiceTarget
from kubectl_netpoltest.core.observation import Outcome
from kubectl_netpoltest.core.probe.task import ProbeTask
from kubectl_netpoltest.core.servicebackends import (
    Backend,
    ServiceEndpoints,
    resolve_service,
    service_summary,
)
from kubectl_netpoltest.core.verdict import CniMode, Judgement, Verdict, classify_addresses
from kubectl_netpoltest.errors import ClusterError

SERVICE_NAME_LABEL = "kubernetes.io/service-name"

if TYPE_CHECKING:  # the kubernetes client loads only when a cluster is used (offline commands)
    from kubectl_netpoltest.cluster.objectreads import ObjectReader


@dataclass(frozen=True)
class NamespaceServices:
    """One namespace's Services by name and EndpointSlices by Service, or why not read."""

    services: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    slices: Mapping[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    problem: str | None = None


def read_service_namespaces(
    objects: ObjectReader | None, *, namespaces: Sequence[str]
) -> dict[str, NamespaceServices]:
    from kubectl_netpoltest.cluster.objectreads import Kind  # lazily, as above

    found: dict[str, NamespaceServices] = {}
    for namespace in namespaces:
        if objects is None:
            found[namespace] = NamespaceServices(
                problem="Services cannot be read in this run (no object reader)"
            )
            continue
        try:
            services = objects.list_objects(kind=Kind.SERVICES, namespace=namespace)
            slices = objects.list_objects(kind=Kind.ENDPOINTSLICES, namespace=namespace)
        except ClusterError as exc:
            found[namespace] = NamespaceServices(
                problem=f"could not read the Services of namespace {namespace}: {exc.message}"
                + (f" ({exc.hint})" if exc.hint else "")
            )
            continue
        by_service: dict[str, list[Mapping[str, Any]]] = {}
        for slice_ in slices:
            owner = ((slice_.get("metadata") or {}).get("labels") or {}).get(SERVICE_NAME_LABEL)
            if owner:
                by_service.setdefault(str(owner), []).append(slice_)
        found[namespace] = NamespaceServices(
            services={str((s.get("metadata") or {}).get("name")): s for s in services},
            slices=by_service,
        )
    return found


def service_namespaces(probes: Sequence[Probe]) -> list[str]:
    return sorted(
        {
            p.target.service.namespace or "default"
            for p in probes
            if isinstance(p.target, ServiceTarget)
        }
    )


def plan_service_probe(
    probe: Probe, *, read: Mapping[str, NamespaceServices], source: PodInfo | None
) -> ServiceEndpoints:
    assert isinstance(probe.target, ServiceTarget)
    ref = probe.target.service
    namespace = read[ref.namespace or "default"]
    if namespace.problem:
        return ServiceEndpoints(problem=namespace.problem)
    found = resolve_service(
        ref,
        service=namespace.services.get(ref.service),
        slices=namespace.slices.get(ref.service, []),
        port=probe.port,
        protocol=probe.protocol.value,
    )
    if found.problem or source is None:
        return found
    others = tuple(b for b in found.backends if b.ip not in source.ips)
    if not others:
        return ServiceEndpoints(
            problem=f"the only ready backend of Service {ref.namespace}/{ref.service} is the "
            f"source itself ({source.ref}); traffic to itself is not subject to "
            "NetworkPolicy: test this Service from a different source"
        )
    return replace(found, backends=others)


def backend_pods(
    endpoints: ServiceEndpoints, pods: Mapping[str, Sequence[PodInfo]]
) -> list[PodInfo]:
    """The PodInfo of each backend that names its pod, to check it again after the exec."""
    out = []
    for backend in endpoints.backends:
        if backend.pod is None:
            continue
        namespace, _, name = backend.pod.partition("/")
        out += [p for p in pods.get(namespace, ()) if p.name == name]
    return out


@dataclass(frozen=True)
class ServiceTry:
    """One task of a Service probe: a door (backend None) or a backend on its targetPort."""

    task: ProbeTask
    label: str
    backend: Backend | None


def service_tasks(*, index: int, probe: Probe, endpoints: ServiceEndpoints) -> list[ServiceTry]:
    tries: list[tuple[str, int, str, Backend | None]] = [
        (door.host, door.port, door.label, None) for door in endpoints.doors
    ]
    tries += [(b.ip, b.port, b.label, b) for b in endpoints.backends]
    return [
        ServiceTry(
            ProbeTask(probe_id=f"p{index}.s{k}", host=host, port=port, protocol=probe.protocol),
            label,
            backend,
        )
        for k, (host, port, label, backend) in enumerate(tries)
    ]


@dataclass(frozen=True)
class ServiceTried:
    """A task of a Service probe with what it saw (several addresses for a DNS door)."""

    tried: ServiceTry
    outcomes: Sequence[tuple[str | None, Outcome]]


def replica_tasks(*, index: int, probe: Probe, backends: Sequence[Backend]) -> list[ServiceTry]:
    """Every replica address of a pod target, judged like Service backends."""
    return [
        ServiceTry(
            ProbeTask(probe_id=f"p{index}.r{k}", host=b.ip, port=b.port, protocol=probe.protocol),
            b.label,
            b,
        )
        for k, b in enumerate(backends)
    ]


def service_judgement(
    *, probe: Probe, tries: Sequence[ServiceTried], cni_mode: CniMode, noun: str = "backends"
) -> Judgement:
    """Every door and backend judged on its own port (a backend's targetPort after DNAT); any
    FAIL wins, then any ERROR, and no task at all is an ERROR. The backends that disagree with
    the expectation are named first ("allowed as expected on 1/2 backends; not on ...")."""
    judged = [
        (
            t.tried,
            classify_addresses(
                expect=probe.expect,
                outcomes=t.outcomes,
                port=t.tried.task.port,
                protocol=probe.protocol,
                cni_mode=cni_mode,
            ),
        )
        for t in tries
    ]
    if not judged:
        return Judgement(Verdict.ERROR, "no result for any door or backend, so nothing was tested")
    summary = service_summary(
        backend_passed=[(t.backend, j.verdict is Verdict.PASS) for t, j in judged if t.backend],
        expect_allowed=probe.expect is Expectation.ALLOWED,
        noun=noun,
    )
    for verdict in (Verdict.FAIL, Verdict.ERROR):
        hits = [(t, j) for t, j in judged if j.verdict is verdict]
        if hits:
            others = [(t, j) for t, j in judged if j.verdict is not verdict]
            text = "; ".join(_said(t, j) for t, j in hits + others)
            inconclusive = verdict is Verdict.ERROR and all(j.inconclusive for _, j in hits)
            return Judgement(verdict, f"{summary}; {text}", inconclusive, hits[0][1].observation)
    text = "; ".join(_said(t, j) for t, j in judged)
    return Judgement(Verdict.PASS, f"{summary}; {text}", observation=judged[0][1].observation)


def _said(tried: ServiceTry, judgement: Judgement) -> str:
    """A door or backend and its reason; a name that resolved to several addresses already
    names each of them ("DNS api.shop.svc:80 -> 10.96.0.20: ...")."""
    if judgement.reason.startswith(tried.label):
        return judgement.reason
    return f"{tried.label}: {judgement.reason}"
