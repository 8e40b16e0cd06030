"""cleanup's words: what it would do, why it left a pod alone, what it found left."""

from __future__ import annotations

from kubectl_netpoltest.cluster.gateway import PodInfo
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.engine.cleanup_items import CleanupAction, PodCleanup
from kubectl_netpoltest.engine.cleanup_safety import Decision
from kubectl_netpoltest.engine.options import CleanupOptions


def after_broken(pod: PodInfo) -> PodCleanup:
    ref = pod.controller
    assert ref is not None
    return PodCleanup(
        pod.ref,
        CleanupAction.SKIPPED,
        f"{ref.kind} {ref.name} did not get back to its Ready pods after an earlier delete in "
        "this run; left alone so no more of its pods go down",
    )


def left_message(pod: PodInfo, options: CleanupOptions) -> str:
    what = "our label" if instrument.is_instrumented(pod) else "no label of ours"
    running = instrument.running_debug_container(pod)
    what += f" and running debug container {running}" if running else ""
    if options.all_namespaces:
        return f"still carries {what}"
    return (
        f"carries {what} but no source of this spec matches it (relabelled, or prepared with "
        "another spec): `cleanup -A` covers it"
    )


def dry(pod: PodInfo, decision: Decision, options: CleanupOptions, *, busy: bool) -> PodCleanup:
    if busy:
        return PodCleanup(
            pod.ref,
            CleanupAction.WOULD_DELETE,
            "another cleanup run is working on it: would wait for that run, then check again",
        )
    if decision.safe:
        return PodCleanup(
            pod.ref,
            CleanupAction.WOULD_DELETE,
            f"would delete it; {decision.owner} recreates it and still has Ready pod(s) "
            f"{', '.join(decision.ready_others)}",
        )
    if options.force:
        return PodCleanup(
            pod.ref, CleanupAction.WOULD_DELETE, f"would delete it (forced: {decision.refusal})"
        )
    if decision.in_progress:
        return PodCleanup(
            pod.ref,
            CleanupAction.WOULD_DELETE,
            f"{decision.refusal}; a replacement is on its way: would wait up to "
            f"{options.ready_timeout_seconds}s for another Ready pod, then delete it "
            "(left alone if none comes)",
        )
    return skip(pod, decision)


def skip(pod: PodInfo, decision: Decision) -> PodCleanup:
    return PodCleanup(
        pod.ref,
        CleanupAction.SKIPPED,
        f"{decision.refusal}; left alone (--force deletes it anyway, --keep-pods stops the "
        "debug container instead)",
    )


def gone(pod: PodInfo) -> PodCleanup:
    return PodCleanup(
        pod.ref,
        CleanupAction.GONE,
        "already cleaned by another run (deleted or replaced meanwhile); nothing to do",
    )
