"""Addresses → pods: Service ClusterIPs and cluster DNS names, resolved the way kube-proxy and
CoreDNS would, because policies see traffic after DNAT (semantics rule 25)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubectl_netpoltest.core.labels import LabelSelector
from kubectl_netpoltest.core.labels import selector_matches as matches
from kubectl_netpoltest.core.policy.objects import EndpointSlice, Pod, Service, ServicePort

CLUSTER_DOMAIN = "cluster.local"


@dataclass(frozen=True)
class Backend:
    pod: Pod | None
    ip: str | None
    port: int


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def service_for_name(
    host: str, *, from_namespace: str, services: Mapping[tuple[str, str], Service]
) -> Service | None:
    """`svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local` (the pod's search path)."""
    name = host.rstrip(".").lower()
    suffix = f".svc.{CLUSTER_DOMAIN}"
    if name.endswith(suffix):
        name = name[: -len(suffix)]
    elif name.endswith(".svc"):
        name = name[: -len(".svc")]
    parts = name.split(".")
    if len(parts) == 1:
        return services.get((from_namespace, parts[0]))
    if len(parts) == 2:
        return services.get((parts[1], parts[0]))
    return None


def _service_port(service: Service, port: int, protocol: str) -> ServicePort | None:
    return next((p for p in service.ports if p.port == port and p.protocol == protocol), None)


def _target_number(pod: Pod | None, sport: ServicePort) -> int | None:
    target = sport.target_port
    if target is None:
        return sport.port
    if isinstance(target, int):
        return target
    if pod is None:
        return None
    return next(
        (p.port for p in pod.ports if p.name == target and p.protocol == sport.protocol), None
    )


def backends(
    service: Service,
    *,
    port: int,
    protocol: str,
    slices: Sequence[EndpointSlice],
    pods: Sequence[Pod],
    pods_by_ip: Mapping[str, Pod],
    headless: bool,
) -> list[Backend] | None:
    """The (pod, port) pairs a connection to the Service lands on; None = port not served.

    Live, EndpointSlices say which addresses and numbers; offline, the selector over the pods
    and targetPort resolved on each pod's container ports stand for them. A headless name
    resolves to the pods themselves, so the port is not translated.
    """
    sport = _service_port(service, port, protocol)
    if headless:
        sport = ServicePort(port=port, protocol=protocol, target_port=port)
    if sport is None:
        return None
    if slices:
        found = []
        for s in slices:
            numbers = [
                p.port
                for p in s.ports
                if p.protocol == protocol and (p.name == sport.name or len(s.ports) == 1)
            ]
            for addr in s.addresses:
                if numbers:
                    found.append(Backend(pods_by_ip.get(addr), addr, numbers[0]))
        return found
    if service.selector is None:
        return []
    sel = LabelSelector(match_labels=service.selector)
    out = []
    for pod in pods:
        if pod.namespace == service.namespace and matches(sel, pod.labels):
            number = _target_number(pod, sport)
            if number is not None:
                out.append(Backend(pod, pod.ip, number))
    return out
