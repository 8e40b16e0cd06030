"""StatefulSet, DaemonSet and Job: defaulting and the controllers' pod replacement behaviour.

What matters to a tool that deletes pods is how each controller answers a deleted pod, copied
from kube-controller-manager (pkg/controller/...):
- StatefulSet (statefulset/stateful_set_control.go): pods `<set>-<ordinal>`; a deleted pod is
  recreated with the SAME name (new uid, new IP). OrderedReady (the default) creates an ordinal
  only when every lower one is Running and Ready; Parallel creates them all at once.
- DaemonSet (daemon/daemon_controller.go): one pod per node (`spec.nodeName` set), named
  `<ds>-<5 random>`; a deleted pod is replaced on the same node.
- Job (job/job_controller.go): `parallelism` pods `<job>-<5 random>`; a pod deleted before it
  succeeded is counted in `status.failed` (pod-tracking finalizers, 1.26+) and replaced only
  while `failed <= backoffLimit` (default 6); then the Job gets condition Failed
  (BackoffLimitExceeded) and its pods are not replaced any more.
Deleting the owner deletes its pods (background propagation). Readiness comes from the kubelet.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from typing import Any

from tests.sandbox.registry import Registry, rand_suffix
from tests.sandbox.resources import (
    DAEMONSETS,
    JOBS,
    NODES,
    PODS,
    STATEFULSETS,
    WORKLOAD_KINDS,
    ResourceType,
)
from tests.sandbox.status import ApiError, Cause, invalid
from tests.sandbox.store import Event, Store, now_iso

log = logging.getLogger("sandbox.workloads")
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"


def default(rt: ResourceType, obj: dict) -> None:
    """Defaulting as in pkg/apis/{apps,batch}/v1/defaults.go, plus the required selector."""
    from tests.sandbox import admission
    from tests.sandbox.selectors import selector_object_matches

    spec = obj.setdefault("spec", {})
    name = obj["metadata"]["name"]
    tmpl = spec.setdefault("template", {})
    tmeta = tmpl.setdefault("metadata", {})
    if rt == JOBS:
        spec.setdefault("parallelism", 1)
        spec.setdefault("completions", spec["parallelism"])
        spec.setdefault("backoffLimit", 6)
        if not spec.get("manualSelector"):
            # The real Job uses batch.kubernetes.io/controller-uid; the uid is not known before
            # the store assigns it here, so the sandbox selects on the job-name label it also sets.
            tmeta.setdefault("labels", {}).update({JOB_NAME_LABEL: name, "job-name": name})
            spec["selector"] = {"matchLabels": {JOB_NAME_LABEL: name}}
        tmpl.setdefault("spec", {}).setdefault("restartPolicy", "Never")
    elif rt == STATEFULSETS:
        spec.setdefault("replicas", 1)
        spec.setdefault("podManagementPolicy", "OrderedReady")
        spec.setdefault("serviceName", "")
    else:
        spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {
            "maxUnavailable": 1, "maxSurge": 0}})
    sel = spec.get("selector") or {}
    if not sel.get("matchLabels") and not sel.get("matchExpressions"):
        raise invalid(kind=rt.kind, group=rt.group, name=name, causes=[Cause(
            "spec.selector", "Required value", "FieldValueRequired")])
    if not selector_object_matches(sel, tmeta.get("labels") or {}):
        raise invalid(kind=rt.kind, group=rt.group, name=name, causes=[Cause(
            "spec.template.metadata.labels", "Invalid value: `selector` does not match "
            "template `labels`")])
    for c in tmpl.setdefault("spec", {}).get("containers") or []:
        admission.default_container(c)
    obj.setdefault("status", {})


def _controller_uid(obj: dict) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


def _is_ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


class WorkloadControllers:
    """The three controllers, event driven on the sandbox's asyncio loop."""

    def __init__(self, *, store: Store, registry: Registry, replace_delay: float) -> None:
        self.store = store
        self.registry = registry
        self.replace_delay = replace_delay
        self._queued: set[tuple[str, str, str]] = set()
        self._tasks: set[asyncio.Task] = set()
        self._by_uid: dict[str, tuple[ResourceType, str, str]] = {}
        store.listen(self._on_event)

    def _queue(self, rt: ResourceType, ns: str, name: str, delay: float = 0.0) -> None:
        key = (rt.kind, ns, name)
        if key in self._queued:
            return
        self._queued.add(key)

        async def run() -> None:
            await asyncio.sleep(delay)
            self._queued.discard(key)
            try:
                self._sync(rt, ns, name)
            except ApiError as exc:
                log.warning("%s %s/%s: %s", rt.kind, ns, name, exc)
            except Exception:
                log.exception("controller %s %s/%s", rt.kind, ns, name)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_event(self, ev: Event) -> None:
        md = ev.obj["metadata"]
        ns = md.get("namespace", "")
        if ev.rt in WORKLOAD_KINDS:
            if ev.type == "DELETED":
                self._by_uid.pop(md["uid"], None)
                self._collect_garbage(md["uid"], ns)
            else:
                self._by_uid[md["uid"]] = (ev.rt, ns, md["name"])
                self._queue(ev.rt, ns, md["name"])
        elif ev.rt == PODS:
            owner = self._by_uid.get(_controller_uid(ev.obj) or "")
            if owner is None:
                return
            rt, ons, oname = owner
            if ev.type == "DELETED" and rt == JOBS:
                self._count_job_failure(ons, oname, ev.obj)
            self._queue(rt, ons, oname, self.replace_delay if ev.type == "DELETED" else 0.05)

    def _collect_garbage(self, uid: str, ns: str) -> None:
        for pod in self.store.list(PODS, ns):
            if _controller_uid(pod) == uid:
                with contextlib.suppress(ApiError):
                    self.registry.delete(PODS, namespace=ns, name=pod["metadata"]["name"])

    # ---- sync -------------------------------------------------------------------------------
    def _sync(self, rt: ResourceType, ns: str, name: str) -> None:
        obj = self.store.peek(rt, ns, name)
        if obj is None:
            return
        obj = copy.deepcopy(obj)
        pods = [p for p in self.store.list(PODS, ns)
                if _controller_uid(p) == obj["metadata"]["uid"]]
        if rt == STATEFULSETS:
            status = self._sync_statefulset(obj, pods)
        elif rt == DAEMONSETS:
            status = self._sync_daemonset(obj, pods)
        else:
            status = self._sync_job(obj, pods)
        status["observedGeneration"] = obj["metadata"].get("generation", 1)
        if obj.get("status") != status:
            obj["status"] = status
            self.store.update(rt, obj)

    def _new_pod(self, owner: dict, rt: ResourceType, *, name: str,
                 node: str | None = None, generate: bool = False) -> dict:
        tmpl = copy.deepcopy(owner["spec"]["template"])
        md = tmpl.get("metadata") or {}
        ns = owner["metadata"]["namespace"]
        meta: dict[str, Any] = {
            "name": name, "namespace": ns, "labels": dict(md.get("labels") or {}),
            "ownerReferences": [{"apiVersion": rt.api_version, "kind": rt.kind,
                                 "name": owner["metadata"]["name"],
                                 "uid": owner["metadata"]["uid"], "controller": True,
                                 "blockOwnerDeletion": True}]}
        if generate:
            meta["generateName"] = f"{owner['metadata']['name']}-"
        if md.get("annotations"):
            meta["annotations"] = dict(md["annotations"])
        spec = tmpl.get("spec") or {}
        if node:
            spec["nodeName"] = node
        return self.registry.create(PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                                           "spec": spec}, namespace=ns)

    def _sync_statefulset(self, sts: dict, pods: list[dict]) -> dict:
        name = sts["metadata"]["name"]
        want = sts["spec"].get("replicas", 1)
        by_name = {p["metadata"]["name"]: p for p in pods}
        ordered = sts["spec"].get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        for ordinal in range(want):
            pod_name = f"{name}-{ordinal}"
            if pod_name in by_name:
                if ordered and not _is_ready(by_name[pod_name]):
                    break  # OrderedReady: wait for this one before creating the next
                continue
            by_name[pod_name] = self._new_pod(sts, STATEFULSETS, name=pod_name)
            if ordered:
                break
        for extra in sorted(by_name, reverse=True):
            ordinal = extra.rsplit("-", 1)[-1]
            if ordinal.isdigit() and int(ordinal) >= want:
                with contextlib.suppress(ApiError):
                    self.registry.delete(PODS, namespace=sts["metadata"]["namespace"],
                                         name=extra)
                by_name.pop(extra)
        ready = sum(1 for p in by_name.values() if _is_ready(p))
        status = {"replicas": len(by_name), "readyReplicas": ready, "availableReplicas": ready,
                  "currentReplicas": len(by_name), "updatedReplicas": len(by_name)}
        return {k: v for k, v in status.items() if v != 0 or k == "replicas"}

    def _sync_daemonset(self, ds: dict, pods: list[dict]) -> dict:
        nodes = [n["metadata"]["name"] for n in self.store.list(NODES)]
        on = {p["spec"].get("nodeName") for p in pods}
        for node in nodes:
            if node not in on:
                pods.append(self._new_pod(ds, DAEMONSETS, generate=True, node=node,
                                          name=f"{ds['metadata']['name']}-{rand_suffix()}"))
        ready = sum(1 for p in pods if _is_ready(p))
        return {"desiredNumberScheduled": len(nodes), "currentNumberScheduled": len(pods),
                "numberReady": ready, "numberAvailable": ready,
                "updatedNumberScheduled": len(pods), "numberMisscheduled": 0}

    def _sync_job(self, job: dict, pods: list[dict]) -> dict:
        status = dict(job.get("status") or {})
        failed = status.get("failed", 0)
        spec = job["spec"]
        finished = any(c.get("type") in ("Failed", "Complete") and c.get("status") == "True"
                       for c in status.get("conditions") or [])
        if failed > spec.get("backoffLimit", 6) and not finished:
            status["conditions"] = [{"type": "Failed", "status": "True",
                                     "reason": "BackoffLimitExceeded",
                                     "message": "Job has reached the specified backoff limit",
                                     "lastProbeTime": now_iso(),
                                     "lastTransitionTime": now_iso()}]
            finished = True
        if not finished:
            for _ in range(spec.get("parallelism", 1) - len(pods)):
                pods.append(self._new_pod(job, JOBS, generate=True,
                                          name=f"{job['metadata']['name']}-{rand_suffix()}"))
        status.setdefault("startTime", now_iso())
        status["active"] = len(pods)
        status["ready"] = sum(1 for p in pods if _is_ready(p))
        return {k: v for k, v in status.items() if v != 0 or k in ("active",)}

    def _count_job_failure(self, ns: str, name: str, pod: dict) -> None:
        """A pod deleted before it succeeded counts as a failure (job_controller.go)."""
        if (pod.get("status") or {}).get("phase") == "Succeeded":
            return
        job = self.store.peek(JOBS, ns, name)
        if job is None:
            return
        job = copy.deepcopy(job)
        job.setdefault("status", {})["failed"] = job["status"].get("failed", 0) + 1
        self.store.update(JOBS, job)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
