"""Value types of the data plane and read-only views of the Kubernetes objects it consumes.

The control plane hands `Network.sync` plain Kubernetes JSON dicts. Every compiler in this
package first turns them into the small frozen views below, so the compilers never poke at
nested dicts and the defaulting (protocol TCP, namespace label, hostNetwork, missing IP) lives
in exactly one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
PROTOCOLS = ("TCP", "UDP", "SCTP")
ENFORCEMENT_ANNOTATION = "sandbox.netpoltest.test/enforcement"
"""The "CNI does not enforce for this pod" knob: `off` makes the pod subject to no
NetworkPolicy in either direction (it can still be a peer), as on a node whose CNI agent is
down or a CNI without NetworkPolicy support. Any other value, or none, enforces.

    kubectl annotate pod web-0 sandbox.netpoltest.test/enforcement=off
"""


@dataclass(frozen=True)
class ContainerPort:
    """A port a pod (or external host) declares. SCTP ports are declared but get no server."""

    port: int
    protocol: str = "TCP"
    name: str | None = None


@dataclass(frozen=True)
class ExternalHost:
    """An "internet" host outside the cluster, living in its own sandbox netns."""

    name: str
    address: str
    dns_names: tuple[str, ...]
    ports: tuple[ContainerPort, ...]
    address6: str | None = None
    """Dual stack only: its IPv6 address in 2001:db8::/32 (network/dualstack.py)."""


@dataclass(frozen=True)
class NamespaceView:
    name: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class PodView:
    """What policy and services need of a pod. `ip` is None for pods that take no part."""

    uid: str
    namespace: str
    name: str
    labels: Mapping[str, str]
    ip: str | None
    host_network: bool
    ready: bool
    ports: tuple[ContainerPort, ...]
    enforced: bool = True
    """False: the enforcement knob is off for this pod (ENFORCEMENT_ANNOTATION)."""

    @property
    def selectable(self) -> bool:
        """Rules 28 and 32: hostNetwork pods and pods without an IP are no subject or peer."""
        return self.ip is not None and not self.host_network

    def named_port(self, name: str, protocol: str) -> int | None:
        """Rule 22: a name resolves only together with a matching protocol."""
        for p in self.ports:
            if p.name == name and p.protocol == protocol:
                return p.port
        return None


def namespace_view(obj: Mapping[str, Any]) -> NamespaceView:
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    labels = dict(meta.get("labels") or {})
    # Rule 14: the API server sets this label; be robust if a caller forgot it.
    labels.setdefault(NAMESPACE_NAME_LABEL, name)
    return NamespaceView(name=name, labels=labels)


def _is_ready(status: Mapping[str, Any]) -> bool:
    for cond in status.get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return status.get("phase", "Running") == "Running"


def pod_view(obj: Mapping[str, Any]) -> PodView:
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    ports = tuple(
        ContainerPort(
            port=int(p["containerPort"]),
            protocol=str(p.get("protocol") or "TCP").upper(),
            name=p.get("name"),
        )
        for c in spec.get("containers") or ()
        for p in c.get("ports") or ()
        if "containerPort" in p
    )
    ip = status.get("podIP") or None
    return PodView(
        uid=str(meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}"),
        namespace=meta.get("namespace") or "default",
        name=meta.get("name", ""),
        labels=dict(meta.get("labels") or {}),
        ip=ip,
        host_network=bool(spec.get("hostNetwork")),
        ready=_is_ready(status) and not meta.get("deletionTimestamp") and ip is not None,
        ports=ports,
        enforced=(meta.get("annotations") or {}).get(ENFORCEMENT_ANNOTATION) != "off",
    )


def views(
    *, namespaces: Sequence[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, NamespaceView], list[PodView]]:
    """Namespace views by name (pods in a namespace nobody declared get a default one)."""
    ns = {v.name: v for v in map(namespace_view, namespaces)}
    pv = [pod_view(p) for p in pods]
    for p in pv:
        if p.namespace not in ns:
            ns[p.namespace] = NamespaceView(
                name=p.namespace, labels={NAMESPACE_NAME_LABEL: p.namespace}
            )
    return ns, pv
