"""EndpointSlices (discovery.k8s.io/v1) for selector Services, as the EndpointSlice controller
writes them.

Copied behaviour (kubernetes pkg/controller/endpointslice and staging/src/k8s.io/
endpointslice/utils.go, reconciler.go):
- one slice per distinct set of resolved ports: a named `targetPort` that resolves to different
  numbers on different pods puts those pods in different slices (`getEndpointPorts` +
  `endpointSliceKey` by port hash);
- labels `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
  endpointslice-controller.k8s.io`; an ownerReference to the Service;
- every pod with an IP that the selector matches is listed, not only the ready ones, with
  `conditions` {ready: Ready and not terminating, serving: Ready, terminating}
  (`podToEndpoint`); `nodeName` and `targetRef` (kind Pod) on each endpoint;
- a pod whose named targetPort it does not declare is left out (`getEndpointPorts` skips the
  port; with no port left the pod is in no slice);
- a Service with no endpoints keeps one placeholder slice without endpoints or ports;
- one `addressType` per family of the Service's `ipFamilies` (a dual-stack Service has IPv4
  and IPv6 slices, from each pod's `status.podIPs`).
Names: the real controller uses generateName `<service>-`; here `<service>-<port hash>` so a
re-sync updates the same slice instead of making a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

MANAGED_BY = "endpointslice-controller.k8s.io"


def _named_port(pod: Mapping[str, Any], name: str, protocol: str) -> int | None:
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == name and str(port.get("protocol") or "TCP") == protocol:
                return int(port["containerPort"])
    return None


def _ports(service: Mapping[str, Any], pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for sp in (service.get("spec") or {}).get("ports") or []:
        protocol = str(sp.get("protocol") or "TCP")
        target = sp.get("targetPort", sp.get("port"))
        number = (
            _named_port(pod, target, protocol)
            if isinstance(target, str) and not target.isdigit()
            else int(target)
        )
        if number is None:
            continue
        entry: dict[str, Any] = {"name": sp.get("name") or "", "port": number,
                                 "protocol": protocol}
        out.append(entry)
    return out


def _ips(pod: Mapping[str, Any], family: str) -> list[str]:
    """The pod's addresses of one family (status.podIPs, else podIP)."""
    status = pod.get("status") or {}
    ips = [p["ip"] for p in status.get("podIPs") or () if p.get("ip")]
    if not ips and status.get("podIP"):
        ips = [status["podIP"]]
    return [ip for ip in ips if (":" in ip) == (family == "IPv6")][:1]


def endpoint_slices(
    service: Mapping[str, Any],
    pods: Sequence[Mapping[str, Any]],
    *,
    is_ready: Callable[[Mapping[str, Any]], bool],
    is_terminating: Callable[[Mapping[str, Any]], bool],
) -> list[dict[str, Any]]:
    """The slices of a selector Service (its pods already filtered by the selector)."""
    meta = service["metadata"]
    families = (service.get("spec") or {}).get("ipFamilies") or ["IPv4"]
    groups: dict[tuple[str, str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    wanted = [
        (p, f, ip)
        for p in sorted(pods, key=lambda p: p["metadata"]["name"])
        for f in families
        for ip in _ips(p, f)
    ]
    for pod, family, ip in wanted:
        ports = _ports(service, pod)
        if not ports and (service.get("spec") or {}).get("ports"):
            continue
        key = hashlib.sha256(json.dumps(ports, sort_keys=True).encode()).hexdigest()[:8]
        ready, terminating = is_ready(pod), is_terminating(pod)
        endpoint = {
            "addresses": [ip],
            "conditions": {"ready": ready and not terminating, "serving": ready,
                           "terminating": terminating},
            "nodeName": (pod.get("spec") or {}).get("nodeName"),
            "targetRef": {"kind": "Pod", "namespace": meta["namespace"],
                          "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]},
        }
        groups.setdefault((family, key), (ports, []))[1].append(endpoint)
    owner = {"apiVersion": "v1", "kind": "Service", "name": meta["name"],
             "uid": meta.get("uid", ""), "controller": True, "blockOwnerDeletion": True}
    if not groups:  # the controller keeps one placeholder slice with no endpoints
        groups[(families[0], "empty")] = ([], [])
    slices = []
    for (family, key), (ports, endpoints) in sorted(groups.items()):
        suffix = "" if family == "IPv4" else "-v6"
        slices.append({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{meta['name']}-{key}{suffix}", "namespace": meta["namespace"],
                         "labels": {"kubernetes.io/service-name": meta["name"],
                                    "endpointslice.kubernetes.io/managed-by": MANAGED_BY},
                         "ownerReferences": [owner]},
            "addressType": family, "endpoints": endpoints, "ports": ports,
        })
    return slices


def owned_by(slice_: Mapping[str, Any], service_name: str) -> bool:
    labels = (slice_.get("metadata") or {}).get("labels") or {}
    return bool(labels.get("kubernetes.io/service-name") == service_name
                and labels.get("endpointslice.kubernetes.io/managed-by") == MANAGED_BY)
