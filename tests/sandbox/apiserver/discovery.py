"""Legacy (non-aggregated) discovery documents and /version.

kubectl 1.32 asks /api and /apis for the aggregated form first
(Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, ...) and falls
back to the legacy documents when the answer's content type is plain application/json, as a
server without aggregated discovery would answer.
"""

from __future__ import annotations

from tests.sandbox.resources import ALL, group_versions

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-sandbox",
           "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
           "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.3", "compiler": "gc",
           "platform": "linux/amd64"}

_CATEGORIES = {"pods": ["all"], "services": ["all"], "deployments": ["all"],
               "replicasets": ["all"]}


def api_versions(server_address: str) -> dict:
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group_list() -> dict:
    """One entry per group, its versions newest first (the admin-tier CRDs put v1alpha2 and
    v1alpha1 in policy.networking.k8s.io); the preferred version is the first, as
    apiextensions-apiserver's discovery orders CRD versions by version priority."""
    by_group: dict[str, list[str]] = {}
    for gv in group_versions():
        if "/" in gv:
            group, version = gv.split("/")
            by_group.setdefault(group, []).append(version)
    groups = []
    for group, versions in by_group.items():
        vs = [{"groupVersion": f"{group}/{v}", "version": v}
              for v in sorted(versions, reverse=True)]
        groups.append({"name": group, "versions": vs, "preferredVersion": vs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(group: str) -> dict | None:
    for g in api_group_list()["groups"]:
        if g["name"] == group:
            return {"kind": "APIGroup", "apiVersion": "v1", **g}
    return None


def resource_list(group_version: str) -> dict | None:
    rts = group_versions().get(group_version)
    if rts is None:
        return None
    resources = []
    for rt in rts:
        entry = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
                 "kind": rt.kind, "verbs": list(rt.verbs)}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.plural in _CATEGORIES:
            entry["categories"] = _CATEGORIES[rt.plural]
        resources.append(entry)
        for sub in rt.subresources:
            verbs = {"exec": ["create", "get"], "log": ["get"],
                     "ephemeralcontainers": ["get", "patch", "update"]}.get(
                sub, ["get", "patch", "update"])
            kind = {"exec": "PodExecOptions", "log": "Pod", "scale": "Scale"}.get(sub, rt.kind)
            resources.append({"name": f"{rt.plural}/{sub}", "singularName": "",
                              "namespaced": rt.namespaced, "kind": kind, "verbs": verbs})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": resources}


__all__ = ["ALL", "VERSION"]
