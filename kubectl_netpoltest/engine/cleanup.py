"""cleanup: return the cluster to its state before prepare, without losing a pod.

Ephemeral containers cannot be removed (the API keeps them, by design), so a pod we instrumented
goes back to its pristine state only by being replaced: cleanup deletes it and lets its
controller create a new one. Safely:
- only a pod that carries one of our debug containers is ever deleted; a bare label (someone
  else's?) is only removed;
- a pod is deleted only while another pod of its owner is Ready (cleanup_safety), asked again
  right before the delete, under a lease that keeps concurrent runs apart (cleanup_lease); one
  at a time, waiting for the owner to be back to its Ready count before the next;
- bare, DaemonSet and Job pods are left alone unless --force; the report says which and why;
- one pod's trouble is reported against that pod and the run goes on;
- at the end every pod still carrying our label or a live debug container in the namespaces
  looked at is named (LEFT), so "nothing left" is never said falsely;
- an interrupt stops before the next change, never inside one (signals.deferred).
--dry-run answers with the same decisions on the same state; --keep-pods stops our debug
containers and removes the label instead, keeping every pod.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine import cleanup_lease, instrument, signals
from kubectl_netpoltest.engine import cleanup_messages as messages
from kubectl_netpoltest.engine.cleanup_items import STILL_INSTRUMENTED, CleanupAction, PodCleanup
from kubectl_netpoltest.engine.cleanup_keep import keep
from kubectl_netpoltest.engine.cleanup_safety import RECREATING, Decision, decide
from kubectl_netpoltest.engine.options import CleanupOptions
from kubectl_netpoltest.errors import (
    ClusterError,
    Conflict,
    NetpoltestError,
    NotFound,
    PodsLeftInstrumented,
)

__all__ = ["CleanupAction", "PodCleanup", "cleanup", "find_instrumented", "outcome"]


def find_instrumented(
    *, gateway: ClusterGateway, sources: Sequence[PodRef], options: CleanupOptions
) -> tuple[list[PodInfo], list[PodInfo]]:
    """(this run's targets, other instrumented pods in the namespaces looked at)."""
    if options.all_namespaces:
        pods = gateway.list_pods(namespace=None)
    else:
        spaces = sorted({s.namespace or "default" for s in sources})
        pods = [p for ns in spaces for p in gateway.list_pods(namespace=ns)]
    ours = sorted((p for p in pods if instrument.still_instrumented(p)), key=lambda p: p.ref)
    if options.all_namespaces:
        return ours, []
    targets = [
        p
        for p in ours
        if any(
            instrument.matches(s, p) and (s.namespace or "default") == p.namespace for s in sources
        )
    ]
    return targets, [p for p in ours if p not in targets]


_INTERRUPTED = "interrupted before its turn: untouched, still instrumented (run cleanup again)"


@dataclass
class _Progress:
    deleted: bool = False


def cleanup(
    *,
    gateway: ClusterGateway,
    sources: Sequence[PodRef],
    options: CleanupOptions,
    on_done: Callable[[PodCleanup], None] | None = None,
) -> list[PodCleanup]:
    """Clean every target; on SIGINT/SIGTERM report what was done and left, then re-raise."""
    report: list[PodCleanup] = []

    def done(item: PodCleanup) -> None:
        report.append(item)
        if on_done is not None:
            on_done(item)

    run = cleanup_lease.new_run_id()
    targets, others = find_instrumented(gateway=gateway, sources=sources, options=options)
    broken: set[tuple[str, str, str]] = set()  # owners whose replacement did not come back
    for index, pod in enumerate(targets):
        progress = _Progress()
        try:
            owner = _owner_key(pod)
            if owner in broken:
                done(messages.after_broken(pod))
                continue
            item = _one(gateway, pod, options, run=run, progress=progress)
            if item.action is CleanupAction.FAILED and progress.deleted and owner:
                broken.add(owner)
            done(item)
        except ClusterError as exc:
            done(PodCleanup(pod.ref, CleanupAction.FAILED, str(exc)))
        except KeyboardInterrupt:
            if progress.deleted:
                done(
                    PodCleanup(
                        pod.ref,
                        CleanupAction.DELETED,
                        "deleted; interrupted before its replacement was Ready",
                    )
                )
            else:
                done(
                    PodCleanup(
                        pod.ref,
                        CleanupAction.LEFT,
                        _INTERRUPTED,
                    )
                )
            for rest in targets[index + 1 :]:
                done(
                    PodCleanup(
                        rest.ref,
                        CleanupAction.LEFT,
                        _INTERRUPTED,
                    )
                )
            raise
    handled = {item.pod for item in report}
    leftovers = others if options.dry_run else _still_instrumented(gateway, targets, others)
    for pod in leftovers:
        if pod.ref not in handled:
            done(PodCleanup(pod.ref, CleanupAction.LEFT, messages.left_message(pod, options)))
    return report


def outcome(items: Sequence[PodCleanup], *, dry_run: bool) -> NetpoltestError | None:
    """The error the command ends with (exit 4 on failures, 6 when pods stay instrumented)."""
    failed = [i for i in items if i.action is CleanupAction.FAILED]
    if failed:
        return ClusterError(
            f"cleanup failed for {len(failed)} pod(s), first {failed[0].pod}: {failed[0].message}"
        )
    left = [i for i in items if i.action in STILL_INSTRUMENTED]
    if left:
        names = ", ".join(i.pod for i in left[:10]) + (" ..." if len(left) > 10 else "")
        verb = "would still carry" if dry_run else "still carry"
        return PodsLeftInstrumented(
            f"{len(left)} pod(s) {verb} our label or a debug container: {names}",
            hint="By design (see above): --force also deletes bare, single-Ready, DaemonSet and "
            "Job pods; -A covers pods outside this spec; --keep-pods stops the containers "
            "and removes the label without deleting.",
        )
    return None


def _owner_key(pod: PodInfo) -> tuple[str, str, str] | None:
    ref = pod.controller
    return None if ref is None else (pod.namespace, ref.kind, ref.name)


def _still_instrumented(
    gateway: ClusterGateway, targets: Sequence[PodInfo], others: Sequence[PodInfo]
) -> list[PodInfo]:
    spaces = sorted({p.namespace for p in (*targets, *others)})
    found = [p for ns in spaces for p in gateway.list_pods(namespace=ns)]
    return sorted(
        (p for p in found if instrument.still_instrumented(p) and not p.deleting),
        key=lambda p: p.ref,
    )


def _one(
    gateway: ClusterGateway,
    pod: PodInfo,
    options: CleanupOptions,
    *,
    run: str,
    progress: _Progress,
) -> PodCleanup:
    if not instrument.has_debug_container(pod):
        return _unlabel(gateway, pod, dry_run=options.dry_run)
    if options.keep_pods:
        return keep(gateway, pod, dry_run=options.dry_run)
    deadline = time.monotonic() + options.ready_timeout_seconds
    while True:
        pods_now = gateway.list_pods(namespace=pod.namespace)
        current = next((p for p in pods_now if p.uid == pod.uid), None)
        if current is None or current.deleting:
            return messages.gone(pod)
        decision = decide(current, pods_now, run=run, desired=_desired(gateway, current))
        busy = cleanup_lease.held_by_other(current, run=run)
        if options.dry_run:
            return messages.dry(pod, decision, options, busy=busy)
        if (decision.safe or options.force) and not busy:
            result = _delete(gateway, current, decision, options, run=run, progress=progress)
            if result is not None:
                return result
        elif not (busy or decision.in_progress):
            return messages.skip(pod, decision)
        if time.monotonic() >= deadline:
            return (
                messages.skip(pod, decision)
                if decision.refusal
                else PodCleanup(
                    pod.ref,
                    CleanupAction.SKIPPED,
                    f"another cleanup run held it for {options.ready_timeout_seconds}s; left alone",
                )
            )
        time.sleep(1.0)


def _delete(
    gateway: ClusterGateway,
    pod: PodInfo,
    decision: Decision,
    options: CleanupOptions,
    *,
    run: str,
    progress: _Progress,
) -> PodCleanup | None:
    """Lease, re-check, delete: None when the re-check says wait (the caller loops)."""
    note = f" (forced: {decision.refusal})" if decision.refusal else ""
    with signals.deferred():
        try:
            marked = cleanup_lease.take(
                gateway, pod, run=run, seconds=options.ready_timeout_seconds + 60
            )
        except Conflict:
            return None  # changed since we looked (another run's lease?): look again
        except NotFound:
            return messages.gone(pod)
        pods_now = gateway.list_pods(namespace=pod.namespace)
        again = decide(marked, pods_now, run=run, desired=_desired(gateway, marked))
        if not again.safe and not options.force:
            with contextlib.suppress(ClusterError):
                cleanup_lease.release(gateway, marked)
            return None
        before = len(again.ready_others) + (1 if pod.ready else 0)
        try:
            gateway.delete_pod(namespace=pod.namespace, name=pod.name, uid=pod.uid)
        except (NotFound, Conflict):
            return messages.gone(pod)
        progress.deleted = True
    ref = pod.controller
    if ref is None or ref.kind not in RECREATING:
        return PodCleanup(pod.ref, CleanupAction.DELETED, f"deleted{note}")
    return _wait_for_owner(gateway, pod, want=max(1, before), options=options, note=note)


def _wait_for_owner(
    gateway: ClusterGateway, pod: PodInfo, *, want: int, options: CleanupOptions, note: str
) -> PodCleanup:
    ref = pod.controller
    assert ref is not None
    owner = f"{ref.kind} {ref.name}"
    deadline = time.monotonic() + options.ready_timeout_seconds
    while True:
        ready = [
            p.name
            for p in gateway.list_pods(namespace=pod.namespace)
            if p.uid != pod.uid
            and p.ready
            and not p.deleting
            and p.controller is not None
            and (p.controller.kind, p.controller.name) == (ref.kind, ref.name)
        ]
        if len(ready) >= want:
            return PodCleanup(
                pod.ref,
                CleanupAction.DELETED,
                f"deleted; {owner} is back to {len(ready)} Ready pod(s) ({', '.join(ready)}){note}",
            )
        if time.monotonic() >= deadline:
            return PodCleanup(
                pod.ref,
                CleanupAction.FAILED,
                f"deleted, but {owner} did not get back to {want} Ready pod(s) within "
                f"{options.ready_timeout_seconds}s (now {len(ready)}); its other pods are "
                "deleted only while one of them is Ready",
            )
        time.sleep(0.5)


def _desired(gateway: ClusterGateway, pod: PodInfo) -> int | None:
    """The owner's replicas, best effort: not being allowed to read it changes nothing but a
    hint that a replacement is on its way."""
    ref = pod.controller
    if ref is None or ref.kind not in RECREATING:
        return None
    try:
        return gateway.get_controller(
            namespace=pod.namespace, kind=ref.kind, name=ref.name
        ).replicas
    except ClusterError:
        return None


def _unlabel(gateway: ClusterGateway, pod: PodInfo, *, dry_run: bool) -> PodCleanup:
    why = "carries our label but none of our debug containers (not instrumented by us)"
    if dry_run:
        return PodCleanup(
            pod.ref, CleanupAction.WOULD_UNLABEL, f"{why}: would remove the label, keep the pod"
        )
    with signals.deferred():
        gateway.patch_pod_labels(
            namespace=pod.namespace, name=pod.name, labels={instrument.LABEL_KEY: None}
        )
    return PodCleanup(pod.ref, CleanupAction.UNLABELLED, f"{why}: label removed, pod kept")
