"""The write path shared by the HTTP routes, the controllers and the scenario loader.

Like the real registry (pkg/registry/*/strategy.go), every create/update goes through
defaulting, validation and admission, whoever the caller is: a ReplicaSet's pods face Pod
Security just as `kubectl apply` would.
"""

from __future__ import annotations

import copy
import ipaddress
import secrets
from typing import Any

from tests.sandbox import admission, graceful, validation
from tests.sandbox.network.dualstack import dual_service
from tests.sandbox.resources import (
    ADMIN_KINDS,
    DEPLOYMENTS,
    NAMESPACES,
    NETWORKPOLICIES,
    PODS,
    REPLICASETS,
    SERVICES,
    WORKLOAD_KINDS,
    ResourceType,
)
from tests.sandbox.scheduler import pick_node
from tests.sandbox.status import (
    Cause,
    bad_request,
    conflict,
    forbidden_reason,
    invalid,
    not_found,
)
from tests.sandbox.store import Store, now_iso

NS_NAME_LABEL = "kubernetes.io/metadata.name"
_ALPHA = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand alphanums
WITH_STATUS = {PODS, DEPLOYMENTS, REPLICASETS, NAMESPACES, SERVICES, *WORKLOAD_KINDS}


def rand_suffix(n: int = 5) -> str:
    return "".join(secrets.choice(_ALPHA) for _ in range(n))


class Registry:
    def __init__(self, *, store: Store, service_cidr: str = "10.96.0.0/16",
                 reserved_ips: tuple[str, ...] = ()) -> None:
        self.store = store
        self._svc_ips = (str(ip) for ip in ipaddress.ip_network(service_cidr).hosts()
                         if int(ip) % 256 >= 20)
        self._reserved = set(reserved_ips)
        self.dual_stack = False
        """Dual-stack cluster (SandboxConfig ipFamilies): Services may get an IPv6 ClusterIP."""

    def _next_cluster_ip(self) -> str:
        used = {s["spec"].get("clusterIP") for s in self.store.list(SERVICES)} | self._reserved
        for ip in self._svc_ips:
            if ip not in used:
                return ip
        raise RuntimeError("service CIDR exhausted")

    # ---- create ---------------------------------------------------------------------------
    def create(self, rt: ResourceType, obj: Any, *, namespace: str | None) -> dict:
        obj = admission.require_kind(obj, kind=rt.kind, api_version=rt.api_version)
        validation.check_types(kind=rt.kind, api_version=rt.api_version, obj=obj)
        obj = copy.deepcopy(obj)
        md = obj.setdefault("metadata", {})
        if rt.namespaced:
            if md.get("namespace") and namespace and md["namespace"] != namespace:
                raise bad_request("the namespace of the provided object does not match the "
                                  "namespace sent on the request")
            md["namespace"] = namespace or md.get("namespace") or "default"
            nso = self.store.peek(NAMESPACES, None, md["namespace"])
            if nso is None:
                raise not_found(res=NAMESPACES.res, name=md["namespace"])
            if nso.get("status", {}).get("phase") == "Terminating":
                raise forbidden_reason(
                    res=rt.res, name=md.get("name", ""),
                    why=f'unable to create new content in namespace {md["namespace"]} because '
                        "it is being terminated")
        else:
            md.pop("namespace", None)
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + rand_suffix()
        admission.validate_name(kind=rt.kind, group=rt.group, name=md.get("name"))
        for k in ("resourceVersion", "uid", "creationTimestamp", "deletionTimestamp"):
            md.pop(k, None)
        if rt in (DEPLOYMENTS, REPLICASETS, NETWORKPOLICIES, *WORKLOAD_KINDS):
            md["generation"] = 1
        self._prepare(rt, obj, None)
        return self.store.create(rt, obj)

    def _prepare(self, rt: ResourceType, obj: dict, old: dict | None) -> None:
        md = obj["metadata"]
        if rt == NAMESPACES:
            md.setdefault("labels", {})[NS_NAME_LABEL] = md["name"]
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj["status"] = old["status"] if old else {"phase": "Active"}
        elif rt == PODS:
            if old is None:
                if not (obj.get("spec") or {}).get("nodeName"):
                    node = pick_node(self.store, obj)  # several nodes: scheduler.py
                    if node is not None:
                        obj.setdefault("spec", {})["nodeName"] = node
                admission.default_pod(obj)
                admission.validate_pod(obj)
                validation.validate(kind=rt.kind, group=rt.group, obj=obj)  # before PodSecurity
                ns = self.store.peek(NAMESPACES, None, md["namespace"])
                admission.enforce_pod_security(namespace=ns, pod=obj)
            else:
                self._check_pod_update(obj, old)
        elif rt == SERVICES:
            if old is None:
                admission.default_service(obj, cluster_ip=self._next_cluster_ip())
                if self.dual_stack:
                    dual_service(obj)
            else:
                obj["spec"].setdefault("clusterIP", old["spec"].get("clusterIP"))
                obj["spec"].setdefault("clusterIPs", old["spec"].get("clusterIPs"))
                admission.default_service(obj, cluster_ip=old["spec"].get("clusterIP"))
        elif rt == NETWORKPOLICIES:
            admission.default_network_policy(obj)
        elif rt in ADMIN_KINDS:
            from tests.sandbox import crds  # schema pruning, defaulting, CRD validation

            crds.prepare(rt, obj, old)
            return
        elif rt in (DEPLOYMENTS, REPLICASETS):
            self._default_workload(rt, obj)
        elif rt in WORKLOAD_KINDS:
            from tests.sandbox import workloads  # StatefulSet, DaemonSet, Job

            workloads.default(rt, obj)
        if old is not None:
            if rt in WITH_STATUS:
                obj["status"] = copy.deepcopy(old.get("status", {}))
            if "generation" in old["metadata"]:
                md["generation"] = old["metadata"]["generation"] + (
                    1 if obj.get("spec") != old.get("spec") else 0)
        if not (rt == PODS and old is None):
            validation.validate(kind=rt.kind, group=rt.group, obj=obj, old=old)

    def _default_workload(self, rt: ResourceType, obj: dict) -> None:
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        if rt == DEPLOYMENTS:
            spec.setdefault("strategy", {"type": "RollingUpdate", "rollingUpdate": {
                "maxUnavailable": "25%", "maxSurge": "25%"}})
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
        tmpl = spec.setdefault("template", {})
        labels = (tmpl.get("metadata") or {}).get("labels") or {}
        sel = spec.get("selector") or {}
        name = obj["metadata"]["name"]
        if not sel.get("matchLabels") and not sel.get("matchExpressions"):
            raise invalid(kind=rt.kind, group=rt.group, name=name, causes=[Cause(
                "spec.selector", "Required value", "FieldValueRequired")])
        from tests.sandbox.selectors import selector_object_matches

        if not selector_object_matches(sel, labels):
            raise invalid(kind=rt.kind, group=rt.group, name=name, causes=[Cause(
                "spec.template.metadata.labels",
                f"Invalid value: map[string]string{{{_go_map(labels)}}}: `selector` does not "
                "match template `labels`")])
        pspec = tmpl.setdefault("spec", {})
        for c in pspec.get("containers") or []:
            admission.default_container(c)
        obj.setdefault("status", {})

    def _check_pod_update(self, obj: dict, old: dict) -> None:
        """Pod spec is immutable apart from images (validation.go ValidatePodUpdate)."""
        new_spec = copy.deepcopy(obj.get("spec") or {})
        old_spec = copy.deepcopy(old["spec"])
        new_spec.pop("ephemeralContainers", None)
        old_spec.pop("ephemeralContainers", None)
        for s in (new_spec, old_spec):
            for c in s.get("containers") or []:
                c.pop("image", None)
        admission.default_pod({"spec": new_spec})
        if new_spec != old_spec:
            raise invalid(kind="Pod", group="", name=old["metadata"]["name"], causes=[Cause(
                "spec", "Forbidden: pod updates may not change fields other than "
                "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
                "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if "
                "it was previously negative)", "FieldValueForbidden")])
        obj["spec"] = {**obj["spec"], "ephemeralContainers": old["spec"].get(
            "ephemeralContainers")}
        if obj["spec"]["ephemeralContainers"] is None:
            obj["spec"].pop("ephemeralContainers")

    # ---- update -----------------------------------------------------------------------------
    def update(self, rt: ResourceType, obj: Any, *, namespace: str | None, name: str) -> dict:
        obj = admission.require_kind(obj, kind=rt.kind, api_version=rt.api_version)
        validation.check_types(kind=rt.kind, api_version=rt.api_version, obj=obj)
        obj = copy.deepcopy(obj)
        old = self.store.get(rt, namespace, name)
        md = obj.setdefault("metadata", {})
        if md.get("name") and md["name"] != name:
            raise bad_request("the name of the object "
                              f'({md["name"]}) does not match the name on the URL ({name})')
        md["name"] = name
        if rt.namespaced:
            md["namespace"] = namespace
        expect = md.get("resourceVersion")
        for k in ("deletionTimestamp", "deletionGracePeriodSeconds"):
            md.pop(k, None)
            if k in old["metadata"]:  # only DELETE sets them; updates keep them
                md[k] = old["metadata"][k]
        if rt in (DEPLOYMENTS, REPLICASETS, NETWORKPOLICIES, *WORKLOAD_KINDS) and \
                "generation" not in md:
            md["generation"] = old["metadata"].get("generation", 1)
        self._prepare(rt, obj, old)
        return self.store.update(rt, obj, expect_rv=expect)

    def update_ephemeral(self, *, namespace: str, name: str, new: dict) -> dict:
        old = self.store.get(PODS, namespace, name)
        pod = copy.deepcopy(old)
        ecs = copy.deepcopy((new.get("spec") or {}).get("ephemeralContainers") or [])
        for c in ecs:
            admission.default_container(c, ephemeral=True)
        admission.validate_ephemeral_update(old=old, new={"spec": {"ephemeralContainers": ecs}})
        pod["spec"]["ephemeralContainers"] = ecs
        ns = self.store.peek(NAMESPACES, None, namespace)
        if len(ecs) != len(old["spec"].get("ephemeralContainers") or []):
            admission.enforce_pod_security(namespace=ns, pod=pod)
        # A patch (or PUT) that carries metadata.resourceVersion is a precondition, as for any
        # update in kube-apiserver (rest.Update with the object's resourceVersion): 409 Conflict
        # when the pod changed since the client read it.
        expect = str((new.get("metadata") or {}).get("resourceVersion") or "") or None
        return self.store.update(PODS, pod, expect_rv=expect)

    # ---- delete -----------------------------------------------------------------------------
    def delete(self, rt: ResourceType, *, namespace: str | None, name: str,
               grace_period: int | None = None, options: dict | None = None) -> dict:
        """DELETE; a pod is only marked Terminating (graceful.py) unless its grace is 0."""
        obj = self.store.get(rt, namespace, name)
        why = graceful.check_uid_precondition(obj, options)
        if why:
            raise conflict(res=rt.res, name=name, why=why)
        if rt == NAMESPACES:
            from tests.sandbox.resources import ALL

            phased = copy.deepcopy(obj)
            phased["status"] = {"phase": "Terminating"}
            phased["metadata"]["deletionTimestamp"] = now_iso()
            self.store.update(NAMESPACES, phased)
            for other in ALL:
                if other.namespaced:
                    for o in self.store.list(other, name):
                        self.store.delete(other, name, o["metadata"]["name"])
            out = self.store.delete(rt, None, name)
            out["status"] = {"phase": "Terminating"}
            return out
        if rt == PODS:
            grace = graceful.grace_for(obj, grace_period)
            if grace > 0:
                marked = graceful.mark_terminating(obj, grace)
                return obj if marked is None else self.store.update(PODS, marked)
        return self.store.delete(rt, namespace, name)


def _go_map(labels: dict) -> str:
    return ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items()))
