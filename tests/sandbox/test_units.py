"""Pure unit tests of the control plane's building blocks (no root, no processes)."""

from __future__ import annotations

import asyncio

import pytest

from tests.sandbox import admission, images, patch, selectors
from tests.sandbox.apiserver.auth import Authorizer
from tests.sandbox.apiserver.table import human_duration
from tests.sandbox.resources import PODS
from tests.sandbox.status import ApiError
from tests.sandbox.store import Store


def test_label_selector_parsing():
    reqs = selectors.parse_label_selector("app=web,tier in (a, b),!legacy,env!=prod,zone")
    labels = {"app": "web", "tier": "b", "zone": "x"}
    assert selectors.labels_match(reqs, labels)
    assert not selectors.labels_match(reqs, {**labels, "legacy": "1"})
    assert not selectors.labels_match(reqs, {**labels, "env": "prod"})
    assert selectors.labels_match(selectors.parse_label_selector("a notin (x)"), {})


def test_field_selector():
    m = selectors.parse_field_selector("metadata.name=p,status.phase!=Failed", resource="pods")
    assert m({"metadata": {"name": "p"}, "status": {"phase": "Running"}})
    assert not m({"metadata": {"name": "q"}, "status": {"phase": "Running"}})
    with pytest.raises(ApiError) as ei:
        selectors.parse_field_selector("spec.bogus=1", resource="pods")
    assert ei.value.code == 400


def test_selector_objects():
    sel = {"matchLabels": {"a": "1"}, "matchExpressions": [
        {"key": "b", "operator": "In", "values": ["x"]}]}
    assert selectors.selector_object_matches(sel, {"a": "1", "b": "x"})
    assert not selectors.selector_object_matches(sel, {"a": "1"})
    assert selectors.selector_object_matches({}, {})
    assert selectors.selector_object_to_string(sel) == "a=1,b in (x)"


def test_strategic_merge_appends_by_name():
    pod = {"spec": {"ephemeralContainers": [{"name": "a", "image": "x"}],
                    "containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}}
    out = patch.strategic_merge(pod, {"spec": {"ephemeralContainers": [{"name": "b"}]}})
    assert [c["name"] for c in out["spec"]["ephemeralContainers"]] == ["a", "b"]
    out = patch.strategic_merge(pod, {"metadata": {"labels": {"x": "1"}}})
    assert out["metadata"]["labels"] == {"x": "1"}
    out = patch.strategic_merge({"metadata": {"labels": {"x": "1", "y": "2"}}},
                                {"metadata": {"labels": {"x": None}}})
    assert out["metadata"]["labels"] == {"y": "2"}
    out = patch.strategic_merge(pod, {"spec": {"containers": [{"name": "c", "$patch": "delete"}]}})
    assert out["spec"]["containers"] == []


def test_json_and_merge_patch():
    doc = {"spec": {"ephemeralContainers": [{"name": "a"}]}, "metadata": {"labels": {"a": "1"}}}
    out = patch.apply_patch(doc, [{"op": "add", "path": "/spec/ephemeralContainers/-",
                                   "value": {"name": "b"}},
                                  {"op": "remove", "path": "/metadata/labels/a"}],
                            patch.JSON_PATCH)
    assert out == {"spec": {"ephemeralContainers": [{"name": "a"}, {"name": "b"}]},
                   "metadata": {"labels": {}}}
    out = patch.apply_patch(doc, {"spec": {"ephemeralContainers": []}}, patch.MERGE_PATCH)
    assert out["spec"]["ephemeralContainers"] == []
    with pytest.raises(ApiError) as ei:
        patch.apply_patch(doc, [{"op": "replace", "path": "/nope/x", "value": 1}],
                          patch.JSON_PATCH)
    assert ei.value.code == 422


def test_pod_security_messages():
    spec = {"containers": [{"name": "x"}]}
    assert admission.pod_security_violations(spec, level="restricted") == [
        'allowPrivilegeEscalation != false (container "x" must set '
        "securityContext.allowPrivilegeEscalation=false)",
        'unrestricted capabilities (container "x" must set '
        'securityContext.capabilities.drop=["ALL"])',
        'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true)',
        'seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to '
        '"RuntimeDefault" or "Localhost")']
    good = {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
    assert admission.pod_security_violations(
        {"containers": [{"name": "x", "securityContext": good}]}, level="restricted") == []
    bad = {**good, "runAsUser": 0, "capabilities": {"drop": ["ALL"], "add": ["NET_RAW"]}}
    assert admission.pod_security_violations(
        {"containers": [{"name": "x", "securityContext": bad}]}, level="restricted") == [
        'unrestricted capabilities (container "x" must not include "NET_RAW" in '
        "securityContext.capabilities.add)",
        'runAsUser=0 (container "x" must not set runAsUser=0)']
    assert admission.pod_security_violations(
        {"hostNetwork": True, "containers": [{"name": "x", "securityContext": {
            "capabilities": {"add": ["NET_ADMIN"]}}}]}, level="baseline") == [
        'non-default capabilities (container "x" must not include "NET_ADMIN" in '
        "securityContext.capabilities.add)", "host namespaces (hostNetwork=true)"]
    with pytest.raises(ApiError) as ei:
        admission.enforce_pod_security(
            namespace={"metadata": {"labels": {"pod-security.kubernetes.io/enforce":
                                               "restricted"}}},
            pod={"metadata": {"name": "web-1"}, "spec": spec})
    assert ei.value.code == 403
    assert ei.value.status["message"].startswith(
        'pods "web-1" is forbidden: violates PodSecurity "restricted:latest": '
        "allowPrivilegeEscalation != false")


def test_ephemeral_immutability():
    old = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}],
                                               "ephemeralContainers": [{"name": "a",
                                                                        "image": "i"}]}}
    admission.validate_ephemeral_update(old=old, new={"spec": {"ephemeralContainers": [
        {"name": "a", "image": "i"}, {"name": "b", "image": "i"}]}})
    for bad in ([{"name": "a", "image": "j"}], [], [{"name": "a", "image": "i"},
                                                  {"name": "c", "image": "i"}],
                [{"name": "a", "image": "i"}, {"name": "b", "image": "i",
                                               "ports": [{"containerPort": 1}]}]):
        with pytest.raises(ApiError) as ei:
            admission.validate_ephemeral_update(old=old, new={"spec": {
                "ephemeralContainers": bad}})
        assert ei.value.code == 422


def test_networkpolicy_defaults():
    np = {"spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}}
    admission.default_network_policy(np)
    assert np["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert np["spec"]["egress"][0]["ports"][0]["protocol"] == "TCP"
    np = {"spec": {"podSelector": {}}}
    admission.default_network_policy(np)
    assert np["spec"]["policyTypes"] == ["Ingress"]


def test_images():
    assert images.toolset_for("registry.k8s.io/e2e-test-images/agnhost:2.53", {}) == "agnhost"
    assert images.toolset_for("alpine:3.19", {}) == "alpine"
    assert images.toolset_for("nicolaka/netshoot", {}) == "agnhost"  # Alpine/musl too
    assert images.toolset_for("busybox:1.36", {}) == "busybox"
    assert images.toolset_for("my.reg/probe:1", {"my.reg/probe": "busybox"}) == "busybox"
    assert images.toolset_for("nginx", {}) is None
    assert images.normalize("nginx") == "docker.io/library/nginx:latest"


def test_store_watch_replay_and_gone():
    async def run():
        store = Store(log_size=3)
        for i in range(5):
            store.create(PODS, {"metadata": {"name": f"p{i}", "namespace": "n"}})
        w = store.watch(PODS, "n", int(store.resource_version) - 2)
        assert [w.queue.get_nowait().obj["metadata"]["name"] for _ in range(2)] == ["p3", "p4"]
        with pytest.raises(ApiError) as ei:
            store.watch(PODS, "n", 1)
        assert ei.value.code == 410
    asyncio.run(run())


def test_rbac_rules():
    authz = Authorizer.from_config([{"name": "u", "allow": ["get,list pods",
                                                            "create pods/exec"]}])
    u = authz.users["u"]
    assert authz.allowed(u, verb="list", group="", resource="pods")
    assert not authz.allowed(u, verb="list", group="", resource="pods", subresource="exec")
    assert authz.allowed(u, verb="create", group="", resource="pods", subresource="exec")
    assert not authz.allowed(u, verb="patch", group="", resource="pods",
                             subresource="ephemeralcontainers")
    assert authz.allowed(u, verb="create", group="authorization.k8s.io",
                         resource="selfsubjectaccessreviews")
    assert authz.authenticate(f"Bearer {u.token}") == u
    assert authz.authenticate("Bearer nope") is None


def test_human_duration():
    assert [human_duration(s) for s in (5, 119, 150, 3600, 86400 * 3)] == [
        "5s", "119s", "2m30s", "60m", "3d"]
