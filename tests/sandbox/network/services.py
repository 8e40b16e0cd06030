"""Services → DNAT rules and DNS records, pure.

kube-proxy's job, reduced to ClusterIP: for each Service port, the endpoints are the *ready*
pods of the Service's namespace that match its selector and, for a named `targetPort`, declare
that name with the port's protocol. The DNAT runs in every source pod's own netns (nat output
hook), so the router's policy sees the backend pod IP and target port (rule 25), and a pod that
reaches itself through its Service never leaves its netns (Service hairpin is allowed: rule 9,
`service-hairpin`). Only DNAT lives in a pod netns — never a filter rule: a filter there would
turn a dropped UDP datagram into an instant EPERM for the sender, which no real CNI does.
A Service without endpoints gets no rule: its ClusterIP is unroutable, so the client sees
"unreachable" at once, like kube-proxy's reject.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import ExternalHost, PodView, pod_view
from .selectors import matches

CLUSTER_DOMAIN = "cluster.local"


@dataclass(frozen=True)
class Backend:
    ip: str
    port: int


@dataclass(frozen=True)
class ServiceRoute:
    cluster_ip: str
    protocol: str
    port: int
    backends: tuple[Backend, ...]


def _endpoints(svc: Mapping[str, Any], pods: Sequence[PodView]) -> list[PodView]:
    meta = svc.get("metadata") or {}
    selector = (svc.get("spec") or {}).get("selector")
    if not selector:
        return []  # no selector: endpoints are managed by hand; the sandbox has none
    ns = meta.get("namespace") or "default"
    return [
        p
        for p in pods
        if p.namespace == ns
        and p.ready
        and matches({"matchLabels": selector}, p.labels)
    ]


def _target(port: Mapping[str, Any], pod: PodView, protocol: str) -> int | None:
    target = port.get("targetPort", port["port"])
    if isinstance(target, str) and not target.isdigit():
        return pod.named_port(target, protocol)
    return int(target)


def service_routes(
    *, services: Sequence[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]]
) -> list[ServiceRoute]:
    views = [pod_view(p) for p in pods]
    routes = []
    for svc in services:
        spec = svc.get("spec") or {}
        cip = spec.get("clusterIP")
        if not cip or cip == "None" or spec.get("type") == "ExternalName":
            continue
        eps = _endpoints(svc, views)
        for port in spec.get("ports") or ():
            protocol = str(port.get("protocol") or "TCP").upper()
            backends = []
            for p in eps:
                n = _target(port, p, protocol)
                if n is not None and p.ip is not None:
                    backends.append(Backend(ip=p.ip, port=n))
            routes.append(
                ServiceRoute(
                    cluster_ip=cip,
                    protocol=protocol,
                    port=int(port["port"]),
                    backends=tuple(backends),
                )
            )
    return routes


def render_nat(*, table: str, routes: Iterable[ServiceRoute]) -> str:
    """nft script that atomically replaces `ip <table>` (nat output) in a pod netns."""
    out = [f"table ip {table} {{}}", f"delete table ip {table}", f"table ip {table} {{"]
    out += ["  chain output {", "    type nat hook output priority -100; policy accept;"]
    for r in routes:
        if not r.backends:
            continue
        match = f"ip daddr {r.cluster_ip} meta l4proto {r.protocol.lower()} th dport {r.port}"
        if len(r.backends) == 1:
            b = r.backends[0]
            out.append(f"    {match} dnat ip to {b.ip}:{b.port}")
        else:
            entries = ", ".join(f"{i} : {b.ip} . {b.port}" for i, b in enumerate(r.backends))
            out.append(
                f"    {match} dnat ip to numgen random mod {len(r.backends)} map {{ {entries} }}"
            )
    out += ["  }", "}"]
    return "\n".join(out) + "\n"


def dns_records(
    *,
    services: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    externals: Sequence[ExternalHost],
) -> list[tuple[str, str]]:
    """(name, IPv4) pairs: <svc>.<ns>.svc.cluster.local and the external hosts' names.

    Headless Services (clusterIP None) resolve to their ready endpoints, like CoreDNS.
    """
    views = [pod_view(p) for p in pods]
    records: list[tuple[str, str]] = []
    for svc in services:
        meta = svc.get("metadata") or {}
        spec = svc.get("spec") or {}
        fqdn = f"{meta.get('name')}.{meta.get('namespace') or 'default'}.svc.{CLUSTER_DOMAIN}"
        cip = spec.get("clusterIP")
        if cip == "None":
            records += [(fqdn, p.ip) for p in _endpoints(svc, views) if p.ip]
        elif cip:
            records.append((fqdn, cip))
    for ext in externals:
        records += [(name.rstrip("."), ext.address) for name in ext.dns_names]
    return records
