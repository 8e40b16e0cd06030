"""Which node a new pod runs on, when the sandbox has several (Node objects in the scenario).

Copied behaviour (kube-scheduler's default profile): nodes with the control-plane role carry
the `node-role.kubernetes.io/control-plane:NoSchedule` taint (kubeadm, kind), so ordinary pods
go to the workers; among those, the default PodTopologySpread constraint
(`kubernetes.io/hostname`, maxSkew 3, ScheduleAnyway) and NodeResourcesFit LeastAllocated
spread a workload's replicas over the nodes. Reduced here to: fewest pods of the same owner,
then fewest pods, then name order — deterministic, so a test knows that 3 replicas on 3
workers land one per node. A pod that names its node (`spec.nodeName`, DaemonSets) keeps it.
With a single node nothing changes: admission's default (`sandbox-node`) applies.
"""

from __future__ import annotations

from typing import Any

from tests.sandbox.graceful import is_terminating
from tests.sandbox.resources import NODES, PODS
from tests.sandbox.store import Store

CONTROL_PLANE = "node-role.kubernetes.io/control-plane"


def _owner(obj: dict[str, Any]) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid") or ref.get("name"))
    return None


def pick_node(store: Store, pod: dict[str, Any]) -> str | None:
    """The node for `pod`, or None to leave the default (one node, or no worker)."""
    nodes = store.list(NODES)
    workers = [n for n in nodes if CONTROL_PLANE not in (n["metadata"].get("labels") or {})]
    if len(nodes) < 2 or not workers:
        return None
    owner = _owner(pod)
    running = [p for p in store.list(PODS) if not is_terminating(p)]

    def load(node: dict[str, Any]) -> tuple[int, int, str]:
        name = node["metadata"]["name"]
        here = [p for p in running if (p.get("spec") or {}).get("nodeName") == name]
        same = sum(1 for p in here if owner is not None and _owner(p) == owner)
        return (same, len(here), name)

    return min(workers, key=load)["metadata"]["name"]
