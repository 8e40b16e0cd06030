"""generate: read pods, NetworkPolicies and namespaces, then let core.generate write the spec.

Namespaces are read for their labels (namespaceSelector peers); a user who may not list them
still gets a spec, judged with the one label every namespace carries
(`kubernetes.io/metadata.name`), and the spec's header says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kubectl_netpoltest.cluster.inspector import ClusterInspector
from kubectl_netpoltest.core.generate import DEFAULT_MAX_PROBES, Generated, PortsMode, generate_spec
from kubectl_netpoltest.errors import Forbidden, NotFound

PodFilter = Callable[[dict[str, str]], bool]


def generate(
    *,
    inspector: ClusterInspector,
    namespace: str | None,
    pod_filter: PodFilter | None = None,
    ports: PortsMode = PortsMode.DECLARED,
    max_probes: int = DEFAULT_MAX_PROBES,
) -> Generated:
    """`namespace` None means every namespace (-A)."""
    pods = [p.raw for p in inspector.list_pods(namespace=namespace)]
    policies = inspector.list_network_policies(namespace=namespace)
    scope = f"namespace {namespace}" if namespace else "all namespaces"
    try:
        if namespace is None:
            namespaces: list[Mapping[str, Any]] = inspector.list_namespaces()
        else:
            found = inspector.get_namespace(name=namespace)
            if found is None:  # a typo would otherwise give an empty spec and exit 0
                raise NotFound(
                    f"namespace {namespace!r} does not exist; `kubectl get namespaces` "
                    "lists them (or use -A)"
                )
            namespaces = [found]
    except Forbidden:
        namespaces = []
        scope += " (namespace labels unreadable: only kubernetes.io/metadata.name is known)"
    selected = None
    if pod_filter is not None:
        selected = [
            p for p in pods if pod_filter(dict((p.get("metadata") or {}).get("labels") or {}))
        ]
    return generate_spec(
        pods=pods,
        policies=policies,
        namespaces=namespaces,
        ports=ports,
        max_probes=max_probes,
        scope=scope,
        selected=selected,
        system_sources=namespace is not None and namespace.startswith("kube-"),
    )
