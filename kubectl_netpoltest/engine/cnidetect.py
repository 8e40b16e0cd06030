"""Read what core.cni needs from the cluster: agent pods, then the found CNI's configuration.

Every read may be refused (a namespaced user cannot list kube-system's pods); a refusal is
passed on as "unreadable", so the report says what could not be seen instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kubectl_netpoltest.cluster.inspector import ClusterInspector
from kubectl_netpoltest.core import cni
from kubectl_netpoltest.errors import ClusterError, Forbidden


def _pods(inspector: ClusterInspector, namespace: str) -> list[Mapping[str, Any]] | None:
    try:
        return [pod.raw for pod in inspector.list_pods(namespace=namespace)]
    except Forbidden:
        return None


def detect_cni(inspector: ClusterInspector) -> cni.CniReport:
    # Not `with`: on Ctrl-C/SIGTERM its exit would join readers blocked on a frozen server.
    pool = ThreadPoolExecutor(max_workers=len(cni.SYSTEM_NAMESPACES))
    try:
        listed = dict(
            zip(
                cni.SYSTEM_NAMESPACES,
                pool.map(lambda ns: _pods(inspector, ns), cni.SYSTEM_NAMESPACES),
                strict=True,
            )
        )
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    pods = [pod for items in listed.values() for pod in items or []]
    unreadable = [ns for ns, items in listed.items() if items is None]
    found = {agent.cni for agent in cni.find_agents(pods)}
    config_maps: dict[str, Mapping[str, Any] | None] = {}
    felix: Mapping[str, Any] | None = None
    try:
        if "cilium" in found:
            for namespace, name in cni.CONFIG_MAPS:
                config_maps[name] = inspector.get_config_map(namespace=namespace, name=name)
        if "calico" in found:
            group, version, plural, name = cni.FELIX
            felix = inspector.get_cluster_object(
                group=group, version=version, plural=plural, name=name
            )
    except ClusterError:
        pass  # unreadable configuration: core.cni says what it assumed
    return cni.detect(pods=pods, config_maps=config_maps, felix=felix, unreadable=unreadable)
