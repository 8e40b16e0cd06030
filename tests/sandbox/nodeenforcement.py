"""The per-node enforcement knob: a node whose CNI agent stopped enforcing NetworkPolicy.

Real CNIs enforce on each node for the pods of that node (Calico's Felix, Cilium's agent,
kube-router all program the local node only), so a crashed or wedged agent leaves that node's
pods unprotected — ingress and egress — while every other node keeps enforcing. Annotating the
Node reproduces it:

    kubectl annotate node node-2 sandbox.netpoltest.test/enforcement=off

Every pod scheduled there is then given to the data plane as if it carried the per-pod knob
(network/model.py ENFORCEMENT_ANNOTATION = off): subject to no NetworkPolicy in either
direction, still a peer for other pods' rules. The store is not changed: only the data plane's
view. Removing the annotation (or any other value) enforces again at the next sync.

A node can also lag (stale rules on one node) — `enforcement-lag` in seconds:

    kubectl annotate node node-2 sandbox.netpoltest.test/enforcement-lag=30

its pods are then enforced with each NetworkPolicy's newest version at least 30 s old (the
history of enforcement.py, the one lag knob), while the other nodes are current.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from tests.sandbox.network.model import ENFORCEMENT_ANNOTATION

LAG_ANNOTATION = "sandbox.netpoltest.test/enforcement-lag"
"""Seconds this node's agent lags behind the API (enforcement.py keeps the history)."""


def node_lags(nodes: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Node name -> its enforcement lag, for the nodes annotated with a valid number."""
    out = {}
    for node in nodes:
        value = (node["metadata"].get("annotations") or {}).get(LAG_ANNOTATION)
        try:
            lag = float(value) if value is not None else 0.0
        except ValueError:
            continue
        if lag > 0:
            out[node["metadata"]["name"]] = lag
    return out


def _off(obj: dict[str, Any]) -> bool:
    return (obj["metadata"].get("annotations") or {}).get(ENFORCEMENT_ANNOTATION) == "off"


def pods_as_enforced(
    pods: Sequence[dict[str, Any]], nodes: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    off = {n["metadata"]["name"] for n in nodes if _off(n)}
    if not off:
        return list(pods)
    out = []
    for pod in pods:
        if (pod.get("spec") or {}).get("nodeName") in off and not _off(pod):
            marked = copy.deepcopy(pod)
            marked["metadata"].setdefault("annotations", {})[ENFORCEMENT_ANNOTATION] = "off"
            out.append(marked)
        else:
            out.append(pod)
    return out
