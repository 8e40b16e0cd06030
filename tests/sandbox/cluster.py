"""The wiring of one sandbox: store, registry, data plane, kubelet, controllers, users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.sandbox.apiserver.auth import Authorizer
from tests.sandbox.controllers import Controllers
from tests.sandbox.dataplane import DataPlane
from tests.sandbox.kubelet import Kubelet
from tests.sandbox.network.model import ENFORCEMENT_ANNOTATION
from tests.sandbox.nodeenforcement import node_lags, pods_as_enforced
from tests.sandbox.registry import Registry
from tests.sandbox.resources import (
    ADMIN_KINDS,
    NAMESPACES,
    NETWORKPOLICIES,
    NODES,
    PODS,
    SERVICES,
)
from tests.sandbox.store import Event, Store

SYNC_KINDS = (NAMESPACES, PODS, NETWORKPOLICIES, SERVICES, NODES, *ADMIN_KINDS)


@dataclass
class Cluster:
    store: Store
    registry: Registry
    dataplane: DataPlane
    kubelet: Kubelet
    controllers: Controllers
    authorizer: Authorizer
    policies_in_force: Callable[[], list[dict]] | None = None
    """With an enforcement lag (enforcement.py): the policies the data plane may see yet."""
    policy_history: Callable[[float], list[dict]] | None = None
    """The policies at least N seconds old (enforcement.py), for nodes that lag."""

    def snapshot(self) -> dict[str, list[dict]]:
        """The full desired state Network.sync takes."""
        return {"namespaces": self.store.list(NAMESPACES),
                "pods": pods_as_enforced(self.store.list(PODS), self.store.list(NODES)),
                "policies": self.policies_in_force() if self.policies_in_force
                else self.store.list(NETWORKPOLICIES),
                "services": self.store.list(SERVICES),
                "admin_policies": [o for rt in ADMIN_KINDS for o in self.store.list(rt)],
                "nodes": self.store.list(NODES),
                **self._node_policies()}

    def _node_policies(self) -> dict[str, dict[str, list[dict]]]:
        """Lagging nodes' policies (nodeenforcement.py), only when a node lags."""
        lags = node_lags(self.store.list(NODES))
        if not lags or self.policy_history is None:
            return {}
        history = self.policy_history
        return {"node_policies": {node: history(lag) for node, lag in lags.items()}}

    def watch_for_sync(self) -> None:
        """Any change the data plane cares about schedules a (coalesced) Network.sync."""
        def on_event(ev: Event) -> None:
            if ev.rt not in SYNC_KINDS:
                return
            if ev.rt == PODS and ev.type == "MODIFIED" and ev.old is not None and \
                    _pod_net_view(ev.old) == _pod_net_view(ev.obj):
                return
            self.dataplane.request_sync()
        self.store.listen(on_event)


def _pod_net_view(p: dict) -> tuple:
    st = p.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in st.get("conditions") or [])
    knob = (p["metadata"].get("annotations") or {}).get(ENFORCEMENT_ANNOTATION)
    return (p["metadata"].get("labels"), st.get("podIP"), ready,
            p["metadata"].get("deletionTimestamp"), knob)
