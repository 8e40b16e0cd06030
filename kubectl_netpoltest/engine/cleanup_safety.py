"""May cleanup delete this pod right now? Decided from the owner's Ready pods at this moment.

Desired replicas say nothing about what is serving: a 2-replica ReplicaSet whose other replica
is not Ready has exactly one pod serving, and deleting it means downtime. So the rule is: a pod
is deleted only if its controller recreates pods (ReplicaSet, StatefulSet) and at least one
OTHER pod of the same controller is Ready, not terminating and not marked by another cleanup
run. The same function answers `--dry-run` and the real run (which asks again immediately
before each delete), so the dry run never promises what the run would not do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kubectl_netpoltest.cluster.gateway import PodInfo
from kubectl_netpoltest.engine.cleanup_lease import held_by_other

RECREATING = ("ReplicaSet", "StatefulSet")


@dataclass(frozen=True)
class Decision:
    owner: str
    """"ReplicaSet web-7d9c5b", or "nothing" for a bare pod."""
    refusal: str | None
    """Why deleting now would lose the pod or leave its workload without a Ready pod."""
    in_progress: bool = False
    """Another pod of the owner is being replaced (by us or another run): worth waiting for."""
    ready_others: tuple[str, ...] = ()

    @property
    def safe(self) -> bool:
        return self.refusal is None


def _same_owner(pod: PodInfo, other: PodInfo) -> bool:
    mine, theirs = pod.controller, other.controller
    return (
        mine is not None
        and theirs is not None
        and (mine.kind, mine.name) == (theirs.kind, theirs.name)
        and other.namespace == pod.namespace
        and other.uid != pod.uid
    )


def decide(
    pod: PodInfo, pods_now: Sequence[PodInfo], *, run: str, desired: int | None = None
) -> Decision:
    """`pods_now`: the pod's namespace as listed just now; `desired`: the owner's replicas if
    known (a missing pod of the owner means a replacement is on its way)."""
    ref = pod.controller
    if ref is None:
        return Decision(
            "nothing",
            "a bare pod: no controller would recreate it, so deleting it loses it for good",
        )
    owner = f"{ref.kind} {ref.name}"
    if ref.kind == "DaemonSet":
        return Decision(
            owner,
            f"DaemonSet {ref.name} runs one pod per node: deleting it leaves that node "
            "without it until the replacement is Ready",
        )
    if ref.kind == "Job":
        return Decision(owner, f"owned by Job {ref.name}: deleting it would rerun or fail the job")
    if ref.kind not in RECREATING:
        return Decision(owner, f"owned by {owner}, which may not recreate it")
    siblings = [p for p in pods_now if _same_owner(pod, p)]
    ready = tuple(
        p.name for p in siblings if p.ready and not p.deleting and not held_by_other(p, run=run)
    )
    busy = [p for p in siblings if p.deleting or held_by_other(p, run=run) or p.phase == "Pending"]
    missing = desired is not None and len([p for p in siblings if not p.deleting]) + 1 < desired
    others = ", ".join(f"{p.name} ({_state(p, run)})" for p in siblings[:5])
    if ready and (busy or missing):
        # One pod of a workload down at a time, across runs too: concurrent runs never compound.
        why = ", ".join(f"{p.name} ({_state(p, run)})" for p in busy[:3]) or (
            f"{desired} wanted, {len(siblings) + 1} present"
        )
        return Decision(
            owner,
            f"another pod of {owner} is being replaced ({why}): one pod of a workload at a time",
            in_progress=True,
            ready_others=ready,
        )
    if ready:
        return Decision(owner, None, ready_others=ready)
    replacing = bool(busy) or missing
    what = f"the only Ready pod of {owner}" if pod.ready else f"no pod of {owner} is Ready"
    return Decision(
        owner,
        what
        + (f" (others: {others})" if others else "")
        + ": deleting it now would leave the workload with no Ready pod",
        in_progress=replacing,
    )


def _state(pod: PodInfo, run: str) -> str:
    if pod.deleting:
        return "terminating"
    if held_by_other(pod, run=run):
        return "being cleaned by another run"
    return "Ready" if pod.ready else f"{pod.phase}, not Ready"
