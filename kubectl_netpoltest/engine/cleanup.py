"""cleanup: return the cluster to its state before prepare, without losing a pod.

Ephemeral containers cannot be removed (the API keeps them, by design), so a pod we instrumented
goes back to its pristine state only by being replaced: cleanup deletes it and lets its
controller create a new one. Safely:
- only pods that carry our label, and by default only those this spec's sources match;
- one at a time, waiting until the controller has as many Ready pods as before, before the next;
- never a pod that nothing would recreate (bare pod, Job) or whose controller has a single
  replica (downtime), unless --force; the report says which and why;
- --dry-run says what would happen; --keep-pods stops our debug containers and removes the label
  instead, keeping every pod (the spec still lists the exited container).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kubectl_netpoltest.cluster.gateway import ClusterGateway, ControllerInfo, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.engine.options import CleanupOptions
from kubectl_netpoltest.errors import ClusterError


class CleanupAction(StrEnum):
    DELETED = "deleted"
    WOULD_DELETE = "would-delete"
    SKIPPED = "skipped"
    KEPT = "kept"
    WOULD_KEEP = "would-keep"
    FAILED = "failed"


@dataclass(frozen=True)
class PodCleanup:
    pod: str
    action: CleanupAction
    message: str


@dataclass(frozen=True)
class _Owner:
    """The workload that recreates a pod: the thing whose Ready count we wait for."""

    kind: str
    name: str
    replicas: int | None
    selector: str | None


def find_instrumented(
    *, gateway: ClusterGateway, sources: Sequence[PodRef], options: CleanupOptions
) -> list[PodInfo]:
    selector = f"{instrument.LABEL_KEY}={instrument.LABEL_VALUE}"
    if options.all_namespaces:
        return sorted(
            gateway.list_pods(namespace=None, label_selector=selector), key=lambda p: p.ref
        )
    found: dict[str, PodInfo] = {}
    for namespace in sorted({s.namespace or "default" for s in sources}):
        for pod in gateway.list_pods(namespace=namespace, label_selector=selector):
            if any(
                instrument.matches(s, pod)
                for s in sources
                if (s.namespace or "default") == namespace
            ):
                found[pod.ref] = pod
    return [found[k] for k in sorted(found)]


def _owner(gateway: ClusterGateway, pod: PodInfo) -> _Owner | None:
    ref = pod.controller
    if ref is None:
        return None
    info: ControllerInfo = gateway.get_controller(
        namespace=pod.namespace, kind=ref.kind, name=ref.name
    )
    return _Owner(kind=ref.kind, name=ref.name, replicas=info.replicas, selector=info.selector)


def _refusal(owner: _Owner | None) -> str | None:
    """Why deleting would lose the pod or cause downtime, or None when it is safe."""
    if owner is None:
        return "a bare pod: no controller would recreate it, so deleting it loses it for good"
    if owner.kind in ("ReplicaSet", "StatefulSet"):
        if owner.replicas is not None and owner.replicas <= 1:
            return (
                f"the only replica of {owner.kind} {owner.name}: deleting it means downtime "
                "until the replacement is Ready"
            )
        return None
    if owner.kind == "DaemonSet":
        return (
            f"DaemonSet {owner.name} runs one pod per node: deleting it means that node "
            "is without it until the replacement is Ready"
        )
    if owner.kind == "Job":
        return f"owned by Job {owner.name}: deleting it would rerun or fail the job"
    return f"owned by {owner.kind} {owner.name}, which may not recreate it"


def cleanup(
    *,
    gateway: ClusterGateway,
    sources: Sequence[PodRef],
    options: CleanupOptions,
    on_done: Callable[[PodCleanup], None] | None = None,
) -> list[PodCleanup]:
    report: list[PodCleanup] = []

    def done(item: PodCleanup) -> None:
        report.append(item)
        if on_done is not None:
            on_done(item)

    for pod in find_instrumented(gateway=gateway, sources=sources, options=options):
        try:
            if options.keep_pods:
                done(_keep(gateway, pod, dry_run=options.dry_run))
                continue
            owner = _owner(gateway, pod)
            refusal = _refusal(owner)
            if refusal and not options.force:
                done(
                    PodCleanup(
                        pod.ref,
                        CleanupAction.SKIPPED,
                        f"{refusal}; left alone "
                        "(--force deletes it anyway, --keep-pods stops the debug "
                        "container instead)",
                    )
                )
                continue
            note = f" (forced: {refusal})" if refusal else ""
            if options.dry_run:
                done(
                    PodCleanup(
                        pod.ref,
                        CleanupAction.WOULD_DELETE,
                        f"would delete it; {_describe(owner)} recreates it{note}",
                    )
                )
                continue
            done(_delete_and_wait(gateway, pod, owner, options, note))
        except ClusterError as exc:
            done(PodCleanup(pod.ref, CleanupAction.FAILED, str(exc)))
            break  # one at a time means: stop at the first trouble
        if report[-1].action is CleanupAction.FAILED:
            break
    return report


def _describe(owner: _Owner | None) -> str:
    return "nothing" if owner is None else f"{owner.kind} {owner.name}"


def _ready_others(gateway: ClusterGateway, pod: PodInfo, owner: _Owner) -> list[PodInfo]:
    pods = gateway.list_pods(namespace=pod.namespace, label_selector=owner.selector)
    return [
        p
        for p in pods
        if p.uid != pod.uid
        and p.ready
        and not p.deleting
        and p.controller is not None
        and p.controller.name == owner.name
    ]


def _delete_and_wait(
    gateway: ClusterGateway, pod: PodInfo, owner: _Owner | None, options: CleanupOptions, note: str
) -> PodCleanup:
    before = len(_ready_others(gateway, pod, owner)) + 1 if owner else 0
    gateway.delete_pod(namespace=pod.namespace, name=pod.name, uid=pod.uid)
    if owner is None:
        return PodCleanup(pod.ref, CleanupAction.DELETED, f"deleted{note}")
    want = before if owner.replicas is None else min(before, owner.replicas)
    deadline = time.monotonic() + options.ready_timeout_seconds
    while time.monotonic() < deadline:
        others = _ready_others(gateway, pod, owner)
        if len(others) >= want:
            newest = [p.name for p in others]
            return PodCleanup(
                pod.ref,
                CleanupAction.DELETED,
                f"deleted; {owner.kind} {owner.name} is back to {len(others)} Ready "
                f"pod(s) ({', '.join(newest)}){note}",
            )
        time.sleep(0.5)
    return PodCleanup(
        pod.ref,
        CleanupAction.FAILED,
        f"deleted, but {owner.kind} {owner.name} did not get back to {want} Ready "
        f"pods within {options.ready_timeout_seconds}s; stopping here so no more "
        "pods go down",
    )


def _keep(gateway: ClusterGateway, pod: PodInfo, *, dry_run: bool) -> PodCleanup:
    running = [
        c.name
        for c in pod.ephemeral
        if c.name.startswith(instrument.CONTAINER_PREFIX) and c.state == "running"
    ]
    if dry_run:
        return PodCleanup(
            pod.ref,
            CleanupAction.WOULD_KEEP,
            f"would stop {', '.join(running) or 'no running debug container'} and "
            "remove the label, keeping the pod",
        )
    for name in running:
        result = gateway.exec_lines(
            namespace=pod.namespace,
            pod=pod.name,
            container=name,
            argv=instrument.stop_command(name=name),
            timeout_seconds=30,
            on_line=lambda _line: None,
        )
        if not result.status.succeeded:
            return PodCleanup(
                pod.ref,
                CleanupAction.FAILED,
                f"could not stop debug container {name}: {result.status.message}",
            )
    gateway.patch_pod_labels(
        namespace=pod.namespace, name=pod.name, labels={instrument.LABEL_KEY: None}
    )
    stopped = f"stopped {', '.join(running)}; " if running else ""
    return PodCleanup(
        pod.ref,
        CleanupAction.KEPT,
        f"{stopped}label removed; the pod keeps running (Kubernetes cannot remove an "
        "ephemeral container from its spec: the exited entry stays)",
    )
