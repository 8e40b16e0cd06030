"""Server-side printing: metav1 Table for `kubectl get` (Accept: ...;as=Table;g=meta.k8s.io).

Columns copy pkg/printers/internalversion/printers.go; priority-1 columns are the `-o wide`
ones. Ages use the apimachinery HumanDuration format ("5s", "3m2s", "4h", "2d").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.sandbox.resources import (
    ADMIN_KINDS,
    DEPLOYMENTS,
    ENDPOINTS,
    NAMESPACES,
    NETWORKPOLICIES,
    PODS,
    REPLICASETS,
    SERVICES,
    ResourceType,
)
from tests.sandbox.selectors import selector_object_to_string


def human_duration(seconds: float) -> str:
    s = int(seconds)
    if s < 0:
        return "<invalid>"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = s // 3600
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    d = h // 24
    return f"{d}d{h % 24}h" if d < 8 and h % 24 else f"{d}d"


def _age(obj: dict) -> str:
    ts = obj["metadata"].get("creationTimestamp")
    if not ts:
        return "<unknown>"
    t = dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return human_duration((dt.datetime.now(dt.UTC) - t).total_seconds())


def _col(name: str, priority: int = 0, typ: str = "string", fmt: str = "") -> dict:
    return {"name": name, "type": typ, "format": fmt, "description": name, "priority": priority}


def _pod_status(p: dict) -> str:
    if p["metadata"].get("deletionTimestamp"):
        return "Terminating"
    st = p.get("status") or {}
    reason = st.get("reason") or st.get("phase", "Pending")
    for cs in st.get("containerStatuses") or []:
        w = (cs.get("state") or {}).get("waiting")
        if w and w.get("reason"):
            reason = w["reason"]
    return reason


def _pod_row(p: dict) -> list:
    st = p.get("status") or {}
    css = st.get("containerStatuses") or []
    total = len(p["spec"].get("containers") or [])
    ready = sum(1 for c in css if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in css)
    return [p["metadata"]["name"], f"{ready}/{total}", _pod_status(p), restarts, _age(p),
            st.get("podIP") or "<none>", p["spec"].get("nodeName") or "<none>", "<none>",
            "<none>"]


def _svc_row(s: dict) -> list:
    spec = s["spec"]
    ports = ",".join(f"{p['port']}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or [])
    sel = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    return [s["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP", ""),
            "<none>", ports or "<none>", _age(s), sel or "<none>"]


def _deploy_row(d: dict) -> list:
    st = d.get("status") or {}
    cs = d["spec"]["template"]["spec"].get("containers") or []
    return [d["metadata"]["name"], f"{st.get('readyReplicas', 0)}/{d['spec'].get('replicas', 1)}",
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), _age(d),
            ",".join(c["name"] for c in cs), ",".join(c.get("image", "") for c in cs),
            selector_object_to_string(d["spec"].get("selector"))]


def _rs_row(r: dict) -> list:
    st = r.get("status") or {}
    cs = r["spec"]["template"]["spec"].get("containers") or []
    return [r["metadata"]["name"], r["spec"].get("replicas", 1), st.get("replicas", 0),
            st.get("readyReplicas", 0), _age(r), ",".join(c["name"] for c in cs),
            ",".join(c.get("image", "") for c in cs),
            selector_object_to_string(r["spec"].get("selector"))]


def _ep_row(e: dict) -> list:
    eps = [f"{a['ip']}:{p['port']}" for s in e.get("subsets") or []
           for a in s.get("addresses") or [] for p in s.get("ports") or []]
    shown = ",".join(eps[:3]) + (f" + {len(eps) - 3} more..." if len(eps) > 3 else "")
    return [e["metadata"]["name"], shown or "<none>", _age(e)]


_PRINTERS: dict[ResourceType, tuple[list[dict], Callable[[dict], list]]] = {
    PODS: ([_col("Name", fmt="name"), _col("Ready"), _col("Status"),
            _col("Restarts", typ="string"), _col("Age"), _col("IP", 1), _col("Node", 1),
            _col("Nominated Node", 1), _col("Readiness Gates", 1)], _pod_row),
    NAMESPACES: ([_col("Name", fmt="name"), _col("Status"), _col("Age")],
                 lambda n: [n["metadata"]["name"], (n.get("status") or {}).get("phase", ""),
                            _age(n)]),
    SERVICES: ([_col("Name", fmt="name"), _col("Type"), _col("Cluster-IP"), _col("External-IP"),
                _col("Port(s)"), _col("Age"), _col("Selector", 1)], _svc_row),
    DEPLOYMENTS: ([_col("Name", fmt="name"), _col("Ready"), _col("Up-to-date", typ="integer"),
                   _col("Available", typ="integer"), _col("Age"), _col("Containers", 1),
                   _col("Images", 1), _col("Selector", 1)], _deploy_row),
    REPLICASETS: ([_col("Name", fmt="name"), _col("Desired", typ="integer"),
                   _col("Current", typ="integer"), _col("Ready", typ="integer"), _col("Age"),
                   _col("Containers", 1), _col("Images", 1), _col("Selector", 1)], _rs_row),
    NETWORKPOLICIES: ([_col("Name", fmt="name"), _col("Pod-Selector"), _col("Age")],
                      lambda n: [n["metadata"]["name"],
                                 selector_object_to_string(n["spec"].get("podSelector")) if
                                 n["spec"].get("podSelector") else "<none>", _age(n)]),
    ENDPOINTS: ([_col("Name", fmt="name"), _col("Endpoints"), _col("Age")], _ep_row),
}


def to_table(rt: ResourceType, items: list[dict], *, resource_version: str,
             include_object: str = "Metadata") -> dict:
    cols, row_fn = _PRINTERS.get(rt, ([_col("Name", fmt="name"), _col("Age")],
                                      lambda o: [o["metadata"]["name"], _age(o)]))
    if rt in ADMIN_KINDS:
        from tests.sandbox import crds  # the CRD's additionalPrinterColumns

        cols, row_fn = crds.table_printer(rt, age=_age)
    rows = []
    for o in items:
        row: dict = {"cells": row_fn(o)}
        if include_object == "Object":
            row["object"] = o
        elif include_object != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": o["metadata"]}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": cols, "rows": rows}


def wants_table(accept: str) -> bool:
    return "as=Table" in (accept or "")
