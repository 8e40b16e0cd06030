"""The resource types the sandbox serves, with what discovery and errors need to know."""

from __future__ import annotations

from dataclasses import dataclass

from tests.sandbox.status import Resource


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ("create", "delete", "deletecollection", "get", "list", "patch",
                              "update", "watch")
    subresources: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def res(self) -> Resource:
        return Resource(self.group, self.plural)

    @property
    def singular(self) -> str:
        return self.kind.lower()


NAMESPACES = ResourceType("", "v1", "Namespace", "namespaces", False, ("ns",),
                          ("create", "delete", "get", "list", "patch", "update", "watch"),
                          ("status", "finalize"))
NODES = ResourceType("", "v1", "Node", "nodes", False, ("no",), subresources=("status",))
PODS = ResourceType("", "v1", "Pod", "pods", True, ("po",),
                    subresources=("ephemeralcontainers", "exec", "status", "log"))
SERVICES = ResourceType("", "v1", "Service", "services", True, ("svc",),
                        ("create", "delete", "deletecollection", "get", "list", "patch",
                         "update", "watch"), ("status",))
ENDPOINTS = ResourceType("", "v1", "Endpoints", "endpoints", True, ("ep",))
ENDPOINTSLICES = ResourceType("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True)
SERVICEACCOUNTS = ResourceType("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",))
CONFIGMAPS = ResourceType("", "v1", "ConfigMap", "configmaps", True, ("cm",))
EVENTS = ResourceType("", "v1", "Event", "events", True, ("ev",))
DEPLOYMENTS = ResourceType("apps", "v1", "Deployment", "deployments", True, ("deploy",),
                           subresources=("status", "scale"))
REPLICASETS = ResourceType("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",),
                           subresources=("status", "scale"))
NETWORKPOLICIES = ResourceType("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies",
                               True, ("netpol",))
STATEFULSETS = ResourceType("apps", "v1", "StatefulSet", "statefulsets", True, ("sts",),
                            subresources=("status", "scale"))
DAEMONSETS = ResourceType("apps", "v1", "DaemonSet", "daemonsets", True, ("ds",),
                          subresources=("status",))
JOBS = ResourceType("batch", "v1", "Job", "jobs", True, (), subresources=("status",))
WORKLOAD_KINDS = (STATEFULSETS, DAEMONSETS, JOBS)  # controllers: workloads.py
SSAR = ResourceType("authorization.k8s.io", "v1", "SelfSubjectAccessReview",
                    "selfsubjectaccessreviews", False, (), ("create",))
# The admin-tier kinds (cluster-scoped custom resources; schemas and validation: crds/).
CLUSTER_NETWORK_POLICIES = ResourceType("policy.networking.k8s.io", "v1alpha2",
                                        "ClusterNetworkPolicy", "clusternetworkpolicies", False,
                                        ("cnp",), subresources=("status",))
ADMIN_NETWORK_POLICIES = ResourceType("policy.networking.k8s.io", "v1alpha1",
                                      "AdminNetworkPolicy", "adminnetworkpolicies", False,
                                      ("anp",), subresources=("status",))
BASELINE_ADMIN_NETWORK_POLICIES = ResourceType("policy.networking.k8s.io", "v1alpha1",
                                               "BaselineAdminNetworkPolicy",
                                               "baselineadminnetworkpolicies", False,
                                               ("banp",), subresources=("status",))
ADMIN_KINDS = (CLUSTER_NETWORK_POLICIES, ADMIN_NETWORK_POLICIES, BASELINE_ADMIN_NETWORK_POLICIES)

ALL: tuple[ResourceType, ...] = (NAMESPACES, NODES, PODS, SERVICES, ENDPOINTS, ENDPOINTSLICES,
                                 SERVICEACCOUNTS, CONFIGMAPS, EVENTS, DEPLOYMENTS, REPLICASETS,
                                 NETWORKPOLICIES,
                                 SSAR, *ADMIN_KINDS, *WORKLOAD_KINDS)


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    for rt in ALL:
        if rt.group == group and rt.version == version and rt.plural == plural:
            return rt
    return None


def by_kind(api_version: str, kind: str) -> ResourceType | None:
    for rt in ALL:
        if rt.api_version == api_version and rt.kind == kind:
            return rt
    return None


def group_versions() -> dict[str, list[ResourceType]]:
    out: dict[str, list[ResourceType]] = {}
    for rt in ALL:
        out.setdefault(rt.api_version, []).append(rt)
    return out
