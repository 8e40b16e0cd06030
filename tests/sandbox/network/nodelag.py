"""Per-node NetworkPolicy state: a node whose agent lags behind enforces older policies.

The control plane (cluster.py, nodeenforcement.py) hands `Network.sync` the policies each
lagging node may see yet (`node_policies`: node name -> NetworkPolicy objects, from the one
lag history of enforcement.py). Every other node enforces the current set. Real CNI agents
program only their own node's pods, so a pod's rules — ingress and egress — are those of its
own node: this module compiles each lagging node's set and takes, for the pods on that node,
their allow-lists from it (an entry absent there means: not isolated yet on that node).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .policy import Compiled, Match

Compile = Callable[[Sequence[Mapping[str, Any]]], Compiled]


def _node_ips(pods: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        ip = (pod.get("status") or {}).get("podIP")
        if node and ip and not (pod.get("spec") or {}).get("hostNetwork"):
            out.setdefault(node, set()).add(ip)
    return out


def per_node(
    compiled: Compiled,
    *,
    pods: Sequence[Mapping[str, Any]],
    node_policies: Mapping[str, Sequence[Mapping[str, Any]]],
    compile_set: Compile,
) -> Compiled:
    if not node_policies:
        return compiled
    ips = _node_ips(pods)
    ingress: dict[str, tuple[Match, ...]] = dict(compiled.ingress)
    egress: dict[str, tuple[Match, ...]] = dict(compiled.egress)
    for node, policies in node_policies.items():
        older = compile_set(policies)
        for ip in ips.get(node, ()):
            for table, old in ((ingress, older.ingress), (egress, older.egress)):
                table.pop(ip, None)
                if ip in old:
                    table[ip] = old[ip]
    return Compiled(ingress=ingress, egress=egress, node_ips=compiled.node_ips)
