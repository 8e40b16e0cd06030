"""Where a probe to a Service goes: its front doors (ClusterIPs, DNS name) and every ready
backend on its resolved targetPort, read from the Service and its EndpointSlices.

Why every backend and not only the ClusterIP: kube-proxy picks one backend per connection, so
a ClusterIP probe is a coin flip when the backends differ in labels and the policy treats them
differently. Policies see the packet after DNAT (backend pod IP, targetPort), so each backend
is probed on its own, on the number its EndpointSlice lists (named target ports resolved per
pod by the EndpointSlice controller).

Why EndpointSlices: they are what kube-proxy programs from, with the readiness (`ready`) and
the node of each endpoint; a backend that is not ready receives no Service traffic, so it is
left out (and counted in the message). A Service with no ready endpoint is an ERROR: kube-proxy
refuses the connection (REJECT), which says nothing about policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubectl_netpoltest.core.model import ServiceRef


@dataclass(frozen=True)
class Door:
    """A front door: a ClusterIP or the DNS name, on the Service port."""

    host: str
    port: int
    label: str


@dataclass(frozen=True)
class Backend:
    """A ready endpoint: the pod (namespace/name, if the slice names it), IP, port and node."""

    pod: str | None
    ip: str
    port: int
    node: str | None

    @property
    def label(self) -> str:
        node = f" ({self.node})" if self.node else ""
        return f"{self.pod or 'endpoint'}{node} {_hostport(self.ip, self.port)}"


@dataclass(frozen=True)
class ServiceEndpoints:
    """What a probe to a Service tries; `problem` (an ERROR) when there is nothing to try."""

    doors: tuple[Door, ...] = ()
    backends: tuple[Backend, ...] = ()
    not_ready: int = 0
    problem: str | None = None


def _hostport(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _service_port(spec: Mapping[str, Any], port: int, protocol: str) -> Mapping[str, Any] | None:
    for entry in spec.get("ports") or ():
        if int(entry.get("port", 0)) == port and str(entry.get("protocol") or "TCP") == protocol:
            return dict(entry)
    return None


def _slice_port(slice_: Mapping[str, Any], name: str, protocol: str) -> int | None:
    """The number a slice gives the Service port `name` (EndpointPort.name is the Service
    port's name, "" when the Service has a single unnamed port)."""
    for entry in slice_.get("ports") or ():
        if (entry.get("name") or "") == name and str(entry.get("protocol") or "TCP") == protocol:
            value = entry.get("port")
            return int(value) if value is not None else None
    return None


def resolve_service(
    ref: ServiceRef,
    *,
    service: Mapping[str, Any] | None,
    slices: Sequence[Mapping[str, Any]],
    port: int,
    protocol: str,
) -> ServiceEndpoints:
    """The doors and ready backends of `ref` for `port`/`protocol` (the Service port)."""
    where = f"Service {ref.namespace}/{ref.service}"
    if service is None:
        return ServiceEndpoints(problem=f"{where} not found ({ref.name} in the spec)")
    spec = service.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return ServiceEndpoints(
            problem=f"{where} is an ExternalName Service (a DNS alias, no endpoints): "
            "name its target in `addresses:` instead"
        )
    headless = spec.get("clusterIP") == "None"
    sport = _service_port(spec, port, protocol)
    if sport is None and not headless:
        served = ", ".join(
            f"{p.get('port')}/{p.get('protocol') or 'TCP'}" for p in spec.get("ports") or ()
        )
        return ServiceEndpoints(
            problem=f"{where} has no port {port}/{protocol} (it serves: {served or 'none'})"
        )
    ips = [str(ip) for ip in spec.get("clusterIPs") or () if ip and ip != "None"]
    if not ips and spec.get("clusterIP") not in (None, "", "None"):
        ips = [str(spec["clusterIP"])]
    doors = [] if headless else [Door(ip, port, f"ClusterIP {_hostport(ip, port)}") for ip in ips]
    if ref.dns:
        doors.append(Door(ref.dns_name, port, f"DNS {ref.dns_name}:{port}"))
    name = str((sport or {}).get("name") or "")
    backends: list[Backend] = []
    not_ready = 0
    for slice_ in slices:
        number = port if headless else _slice_port(slice_, name, protocol)
        for endpoint in slice_.get("endpoints") or ():
            if (endpoint.get("conditions") or {}).get("ready") is False:
                not_ready += 1
                continue
            if number is None:
                continue  # this pod does not declare the named targetPort
            target = endpoint.get("targetRef") or {}
            pod = (
                f"{target.get('namespace') or ref.namespace}/{target['name']}"
                if (target.get("kind") == "Pod" and target.get("name"))
                else None
            )
            backends.extend(
                Backend(pod, str(ip), number, endpoint.get("nodeName"))
                for ip in endpoint.get("addresses") or ()
            )
    if not backends:
        extra = f" ({not_ready} not ready)" if not_ready else ""
        return ServiceEndpoints(
            problem=f"{where} has no ready endpoints{extra} for {port}/{protocol}: kube-proxy "
            "refuses the connection, which says nothing about NetworkPolicy; make a backend "
            "Ready (or check the Service's selector) and run execute again"
        )
    return ServiceEndpoints(tuple(doors), tuple(backends), not_ready)


def service_summary(
    *, backend_passed: Sequence[tuple[Backend, bool]], expect_allowed: bool, noun: str = "backends"
) -> str:
    """The prefix of a Service result: "allowed as expected on 2/3 backends; not on ..."."""
    total = len(backend_passed)
    good = [b for b, ok in backend_passed if ok]
    bad = [b for b, ok in backend_passed if not ok]
    word = "allowed" if expect_allowed else "blocked"
    text = f"{word} as expected on {len(good)}/{total} {noun}"
    if bad:
        text += f"; not on {', '.join(b.label for b in bad)}"
    return text
