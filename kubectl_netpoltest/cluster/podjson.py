"""Pods and controllers as JSON → our frozen data (no client import: pure conversions).

Why here and not with the gateway: the JSON shape is all these need, and several readers
(the gateway, the inspector for doctor/generate) turn the same objects into the same data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from kubectl_netpoltest.cluster.gateway import ContainerState, OwnerRef, PodInfo


def pod_info(data: Mapping[str, Any]) -> PodInfo:
    """Our view of a Pod from its JSON; tolerant of missing fields (pods in every state)."""
    meta = data.get("metadata") or {}
    spec = data.get("spec") or {}
    status = data.get("status") or {}
    conditions = status.get("conditions") or []
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
    ips = tuple(p["ip"] for p in status.get("podIPs") or [] if p.get("ip"))
    if not ips and status.get("podIP"):
        ips = (status["podIP"],)
    images = {c.get("name"): c.get("image", "") for c in spec.get("ephemeralContainers") or []}
    ephemeral = []
    for item in status.get("ephemeralContainerStatuses") or []:
        state = item.get("state") or {}
        kind = next(
            (k for k in ("running", "waiting", "terminated") if state.get(k) is not None), "unknown"
        )
        detail = state.get(kind) or {}
        ephemeral.append(
            ContainerState(
                name=item.get("name", ""),
                image=images.get(item.get("name")) or item.get("image", ""),
                state=kind,
                reason=detail.get("reason"),
                message=detail.get("message"),
                exit_code=detail.get("exitCode"),
            )
        )
    return PodInfo(
        namespace=meta.get("namespace", ""),
        name=meta.get("name", ""),
        uid=meta.get("uid", ""),
        labels=dict(meta.get("labels") or {}),
        phase=status.get("phase") or "Unknown",
        ready=ready,
        host_network=bool(spec.get("hostNetwork")),
        ips=ips,
        owners=tuple(
            OwnerRef(
                kind=o.get("kind", ""), name=o.get("name", ""), controller=bool(o.get("controller"))
            )
            for o in meta.get("ownerReferences") or []
        ),
        containers=tuple(
            c.get("name", "")
            for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
        ),
        ephemeral_specs=tuple(images),
        ephemeral_images={str(k): str(v) for k, v in images.items()},
        ephemeral=tuple(ephemeral),
        deleting=meta.get("deletionTimestamp") is not None,
        node=spec.get("nodeName") or None,
        annotations=dict(meta.get("annotations") or {}),
        resource_version=str(meta.get("resourceVersion") or ""),
    )


def selector_string(selector: Mapping[str, Any] | None) -> str | None:
    if not selector:
        return None
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts) or None


def pod_deleted(pod: PodInfo) -> PodInfo:
    return replace(pod, deleting=True, phase="Deleted")
