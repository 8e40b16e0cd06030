"""Pods grouped into workloads, each with a spec selector that matches exactly its pods.

`generate` writes one symbolic pod per workload (Deployment, StatefulSet, DaemonSet, Job, bare
pod) rather than per pod: replicas are interchangeable for NetworkPolicy (same labels, same
namespace), and a spec naming `web-7d9c5b-x2kqp` would break at the next rollout.
The workload is read from the pod's controller reference alone (a ReplicaSet named
`<deployment>-<pod-template-hash>` stands for its Deployment), so no apps/* read is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

VOLATILE_LABELS = frozenset(
    {
        "pod-template-hash",  # Deployment -> ReplicaSet revision
        "controller-revision-hash",  # StatefulSet / DaemonSet revision
        "pod-template-generation",  # DaemonSet (legacy)
        "statefulset.kubernetes.io/pod-name",  # one pod of a StatefulSet
        "apps.kubernetes.io/pod-index",  # StatefulSet ordinal (1.28+)
        "batch.kubernetes.io/controller-uid",  # a Job run
        "controller-uid",
        "batch.kubernetes.io/job-completion-index",
        "netpoltest.io/instrumented",  # ours: comes and goes with prepare/cleanup
    }
)
"""Labels that differ between pods of one workload or between its revisions."""


@dataclass(frozen=True)
class Workload:
    namespace: str
    name: str
    kind: str
    """Deployment, StatefulSet, DaemonSet, Job, ReplicaSet, Pod (bare) or the owner's kind."""
    labels: tuple[tuple[str, str], ...]
    """Labels every pod of the workload carries, minus the volatile ones."""
    pods: tuple[Mapping[str, Any], ...]
    """The workload's pods as Kubernetes JSON; the first is the representative."""

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"


def _owner(pod: Mapping[str, Any]) -> tuple[str, str]:
    meta = pod.get("metadata") or {}
    name = str(meta.get("name", ""))
    owners = [o for o in meta.get("ownerReferences") or [] if o.get("controller")]
    if not owners:
        return "Pod", name
    kind, owner = str(owners[0].get("kind", "")), str(owners[0].get("name", ""))
    template_hash = (meta.get("labels") or {}).get("pod-template-hash")
    if kind == "ReplicaSet" and template_hash and owner.endswith(f"-{template_hash}"):
        return "Deployment", owner[: -len(template_hash) - 1]
    return kind, owner


def owner_of(pod: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, name) of the workload the pod belongs to, as `group` names it."""
    return _owner(pod)


def _usable(pod: Mapping[str, Any]) -> bool:
    """Running, not hostNetwork, not being deleted: a pod that can be a source or a target."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    return (
        status.get("phase") == "Running"
        and not spec.get("hostNetwork")
        and meta.get("deletionTimestamp") is None
    )


def group(pods: Sequence[Mapping[str, Any]]) -> list[Workload]:
    """Workloads of the usable pods, ordered by namespace and name."""
    buckets: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for pod in pods:
        if not _usable(pod):
            continue
        namespace = str((pod.get("metadata") or {}).get("namespace", "default"))
        kind, name = _owner(pod)
        buckets.setdefault((namespace, name, kind), []).append(pod)
    workloads = []
    for (namespace, name, kind), members in sorted(buckets.items()):
        members.sort(key=lambda p: str((p.get("metadata") or {}).get("name", "")))
        label_sets = [
            {
                (str(k), str(v))
                for k, v in ((p.get("metadata") or {}).get("labels") or {}).items()
                if k not in VOLATILE_LABELS
            }
            for p in members
        ]
        common = set.intersection(*label_sets) if label_sets else set()
        workloads.append(Workload(namespace, name, kind, tuple(sorted(common)), tuple(members)))
    return workloads


def pod_labels(pod: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in ((pod.get("metadata") or {}).get("labels") or {}).items()}


def selects_only_its_pods(workload: Workload, all_pods: Sequence[Mapping[str, Any]]) -> bool:
    """Would the label selector match pods of another workload in the namespace too?"""
    if not workload.labels:
        return False
    own = {id(p) for p in workload.pods}
    wanted = dict(workload.labels)
    for pod in all_pods:
        meta = pod.get("metadata") or {}
        if meta.get("namespace") != workload.namespace or id(pod) in own:
            continue
        labels = pod_labels(pod)
        if all(labels.get(k) == v for k, v in wanted.items()):
            return False
    return True
