"""Deployment, ReplicaSet, Endpoints and garbage-collector controllers.

Behaviour worth copying from kube-controller-manager: a Deployment owns a ReplicaSet named
`<deploy>-<pod-template-hash>`, which owns pods `<rs>-<5 random>` with a controller
ownerReference; a deleted pod is replaced by a new one (new name, new uid, new IP) shortly
after; deleting an owner deletes its dependents (background propagation, kubectl's default).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import json
import logging
from dataclasses import dataclass

from tests.sandbox.endpointslices import endpoint_slices, owned_by
from tests.sandbox.graceful import is_terminating
from tests.sandbox.registry import Registry, rand_suffix
from tests.sandbox.resources import (
    DEPLOYMENTS,
    ENDPOINTS,
    ENDPOINTSLICES,
    PODS,
    REPLICASETS,
    SERVICES,
    ResourceType,
)
from tests.sandbox.selectors import selector_object_matches
from tests.sandbox.status import ApiError
from tests.sandbox.store import Event, Store

log = logging.getLogger("sandbox.controllers")
_ALPHA = "bcdfghjklmnpqrstvwxz2456789"


@dataclass(frozen=True)
class ControllerConfig:
    replace_delay: float = 0.3  # pod deleted → replacement created


def template_hash(template: dict) -> str:
    """Stands in for controller.ComputeHash (FNV of the template, SafeEncodeString)."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    return "".join(_ALPHA[b % len(_ALPHA)] for b in digest[:10])


def _controller_of(obj: dict) -> dict | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def _owner_ref(owner: dict, rt: ResourceType) -> dict:
    return {"apiVersion": rt.api_version, "kind": rt.kind, "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def _is_ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


class Controllers:
    def __init__(self, *, store: Store, registry: Registry, config: ControllerConfig) -> None:
        self.store = store
        self.registry = registry
        self.config = config
        self._queued: set[tuple[str, str, str]] = set()
        self._tasks: set[asyncio.Task] = set()
        store.listen(self._on_event)

    def _queue(self, kind: str, ns: str, name: str, delay: float = 0.0) -> None:
        key = (kind, ns, name)
        if key in self._queued:
            return
        self._queued.add(key)

        async def run() -> None:
            await asyncio.sleep(delay)
            self._queued.discard(key)
            try:
                {"deploy": self._sync_deployment, "rs": self._sync_rs,
                 "ep": self._sync_endpoints}[kind](ns, name)
            except ApiError as exc:
                log.warning("%s %s/%s: %s", kind, ns, name, exc)
            except Exception:
                log.exception("controller %s %s/%s", kind, ns, name)

        t = asyncio.get_running_loop().create_task(run())
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    def _on_event(self, ev: Event) -> None:
        md = ev.obj["metadata"]
        ns = md.get("namespace", "")
        if ev.type == "DELETED":
            self._collect_garbage(ev)
        if ev.rt == DEPLOYMENTS and ev.type != "DELETED":
            self._queue("deploy", ns, md["name"])
        elif ev.rt == REPLICASETS:
            if ev.type != "DELETED":
                self._queue("rs", ns, md["name"])
            ref = _controller_of(ev.obj)
            if ref:
                self._queue("deploy", ns, ref["name"])
        elif ev.rt == PODS:
            ref = _controller_of(ev.obj)
            if ref and ref["kind"] == "ReplicaSet":
                gone = ev.type == "DELETED" or is_terminating(ev.obj)
                delay = self.config.replace_delay if gone else 0.05
                self._queue("rs", ns, ref["name"], delay)
            for svc in self.store.list(SERVICES, ns):
                self._queue("ep", ns, svc["metadata"]["name"], 0.05)
        elif ev.rt == SERVICES:
            self._queue("ep", ns, md["name"])

    def _collect_garbage(self, ev: Event) -> None:
        uid = ev.obj["metadata"]["uid"]
        ns = ev.obj["metadata"].get("namespace")
        if ev.rt == SERVICES:
            if self.store.peek(ENDPOINTS, ns, ev.obj["metadata"]["name"]):
                self.store.delete(ENDPOINTS, ns, ev.obj["metadata"]["name"])
            self._sync_slices(ns, ev.obj["metadata"]["name"], None, [])
            return
        if ev.rt not in (DEPLOYMENTS, REPLICASETS):
            return
        child = REPLICASETS if ev.rt == DEPLOYMENTS else PODS
        for o in self.store.list(child, ns):
            if any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or []):
                with contextlib.suppress(ApiError):
                    self.registry.delete(child, namespace=ns, name=o["metadata"]["name"])

    # ---- deployments ------------------------------------------------------------------------
    def _sync_deployment(self, ns: str, name: str) -> None:
        d = self.store.peek(DEPLOYMENTS, ns, name)
        if d is None:
            return
        d = copy.deepcopy(d)
        tmpl = copy.deepcopy(d["spec"]["template"])
        h = template_hash(tmpl)
        rs_name = f"{name}-{h}"
        owned = [rs for rs in self.store.list(REPLICASETS, ns)
                 if (_controller_of(rs) or {}).get("uid") == d["metadata"]["uid"]]
        current = next((rs for rs in owned if rs["metadata"]["name"] == rs_name), None)
        replicas = d["spec"].get("replicas", 1)
        if current is None:
            labels = {**(tmpl.get("metadata") or {}).get("labels", {}), "pod-template-hash": h}
            tmpl.setdefault("metadata", {})["labels"] = labels
            sel = copy.deepcopy(d["spec"]["selector"])
            sel.setdefault("matchLabels", {})["pod-template-hash"] = h
            rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {
                "name": rs_name, "namespace": ns, "labels": labels,
                "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas),
                                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                                "deployment.kubernetes.io/revision": str(len(owned) + 1)},
                "ownerReferences": [_owner_ref(d, DEPLOYMENTS)]},
                "spec": {"replicas": replicas, "selector": sel, "template": tmpl}}
            current = self.registry.create(REPLICASETS, rs, namespace=ns)
        elif current["spec"].get("replicas") != replicas:
            current["spec"]["replicas"] = replicas
            current = self.registry.update(REPLICASETS, current, namespace=ns, name=rs_name)
        for rs in owned:  # Recreate-like rollout: old ReplicaSets go away at once
            if rs["metadata"]["name"] != rs_name and rs["spec"].get("replicas"):
                rs["spec"]["replicas"] = 0
                self.registry.update(REPLICASETS, rs, namespace=ns, name=rs["metadata"]["name"])
        st = current.get("status") or {}
        ready = st.get("readyReplicas", 0)
        status = {"observedGeneration": d["metadata"].get("generation", 1),
                  "replicas": st.get("replicas", 0), "updatedReplicas": st.get("replicas", 0),
                  "readyReplicas": ready, "availableReplicas": ready,
                  "conditions": [
                      {"type": "Available", "status": "True" if ready >= replicas else "False",
                       "reason": "MinimumReplicasAvailable" if ready >= replicas else
                       "MinimumReplicasUnavailable",
                       "message": "Deployment has minimum availability." if ready >= replicas
                       else "Deployment does not have minimum availability."},
                      {"type": "Progressing", "status": "True",
                       "reason": "NewReplicaSetAvailable",
                       "message": f'ReplicaSet "{rs_name}" has successfully progressed.'}]}
        if ready < replicas:
            status["unavailableReplicas"] = replicas - ready
        status = {k: v for k, v in status.items() if v != 0 or k == "observedGeneration"}
        if d.get("status") != status:
            d["status"] = status
            self.store.update(DEPLOYMENTS, d)

    # ---- replicasets ------------------------------------------------------------------------
    def _sync_rs(self, ns: str, name: str) -> None:
        rs = self.store.peek(REPLICASETS, ns, name)
        if rs is None:
            return
        rs = copy.deepcopy(rs)
        # controller.FilterActivePods: a Terminating pod no longer counts as a replica
        pods = [p for p in self.store.list(PODS, ns)
                if (_controller_of(p) or {}).get("uid") == rs["metadata"]["uid"]
                and not is_terminating(p)]
        want = rs["spec"].get("replicas", 1)
        for _ in range(want - len(pods)):
            tmpl = copy.deepcopy(rs["spec"]["template"])
            md = tmpl.get("metadata") or {}
            pod = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": f"{name}-{rand_suffix()}", "generateName": f"{name}-",
                                "namespace": ns, "labels": md.get("labels", {}),
                                "annotations": md.get("annotations", {}),
                                "ownerReferences": [_owner_ref(rs, REPLICASETS)]},
                   "spec": tmpl.get("spec", {})}
            if not pod["metadata"]["annotations"]:
                del pod["metadata"]["annotations"]
            pods.append(self.registry.create(PODS, pod, namespace=ns))
        for extra in sorted(pods, key=lambda p: p["metadata"]["creationTimestamp"])[want:]:
            self.registry.delete(PODS, namespace=ns, name=extra["metadata"]["name"])
        pods = pods[:want]
        ready = sum(1 for p in pods if _is_ready(p))
        status = {"replicas": len(pods), "fullyLabeledReplicas": len(pods),
                  "readyReplicas": ready, "availableReplicas": ready,
                  "observedGeneration": rs["metadata"].get("generation", 1)}
        status = {k: v for k, v in status.items() if v != 0 or k == "replicas"}
        if rs.get("status") != status:
            rs["status"] = status
            self.store.update(REPLICASETS, rs)

    # ---- endpoints --------------------------------------------------------------------------
    def _sync_endpoints(self, ns: str, name: str) -> None:
        svc = self.store.peek(SERVICES, ns, name)
        if svc is None or not svc["spec"].get("selector"):
            return
        sel = {"matchLabels": svc["spec"]["selector"]}
        pods = [p for p in self.store.list(PODS, ns)
                if selector_object_matches(sel, p["metadata"].get("labels"))
                and (p.get("status") or {}).get("podIP")]
        # the endpoints controller drops a Terminating pod from the ready addresses
        self._sync_slices(ns, name, svc, pods)
        ready = [p for p in pods if _is_ready(p) and not is_terminating(p)]
        subsets = []
        if ready:
            addrs = [{"ip": p["status"]["podIP"], "nodeName": p["spec"].get("nodeName"),
                      "targetRef": {"kind": "Pod", "namespace": ns,
                                    "name": p["metadata"]["name"],
                                    "uid": p["metadata"]["uid"]}} for p in ready]
            ports = [{k: v for k, v in (("name", sp.get("name")), ("port", _target(sp, ready[0])),
                                        ("protocol", sp.get("protocol", "TCP"))) if v}
                     for sp in svc["spec"].get("ports") or []]
            subsets = [{"addresses": addrs, "ports": ports}]
        ep = {"apiVersion": "v1", "kind": "Endpoints",
              "metadata": {"name": name, "namespace": ns,
                           "labels": svc["metadata"].get("labels") or {}},
              "subsets": subsets}
        if not ep["subsets"]:
            del ep["subsets"]
        cur = self.store.peek(ENDPOINTS, ns, name)
        if cur is None:
            self.store.create(ENDPOINTS, ep)
        elif cur.get("subsets") != ep.get("subsets"):
            ep["metadata"] = {**cur["metadata"], "labels": ep["metadata"]["labels"]}
            self.store.update(ENDPOINTS, ep)

    def _sync_slices(self, ns: str, name: str, svc: dict | None, pods: list[dict]) -> None:
        """The EndpointSlice controller's view of the same pods (endpointslices.py)."""
        want = {} if svc is None else {
            s["metadata"]["name"]: s
            for s in endpoint_slices(svc, pods, is_ready=_is_ready, is_terminating=is_terminating)}
        for cur in self.store.list(ENDPOINTSLICES, ns):
            cur_name = cur["metadata"]["name"]
            if owned_by(cur, name) and cur_name not in want:
                self.store.delete(ENDPOINTSLICES, ns, cur_name)
        for slice_name, new in want.items():
            cur = self.store.peek(ENDPOINTSLICES, ns, slice_name)
            if cur is None:
                self.store.create(ENDPOINTSLICES, new)
            elif (cur.get("endpoints"), cur.get("ports")) != (new["endpoints"], new["ports"]):
                new["metadata"] = {**cur["metadata"], "labels": new["metadata"]["labels"]}
                self.store.update(ENDPOINTSLICES, new)

    def resync_endpoints(self, namespace: str, name: str) -> None:
        self._queue("ep", namespace, name)

    async def close(self) -> None:
        for t in list(self._tasks):
            t.cancel()


def _target(sp: dict, pod: dict) -> int | None:
    tp = sp.get("targetPort", sp.get("port"))
    if isinstance(tp, int):
        return tp
    for c in pod["spec"].get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == tp:
                return p["containerPort"]
    return None
