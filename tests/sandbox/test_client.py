"""The official Python client against every endpoint the product uses (real data plane)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

pytestmark = pytest.mark.sandbox
NS = "exposure"
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.53"
RESTRICTED_SC = {"runAsNonRoot": True, "runAsUser": 65532, "allowPrivilegeEscalation": False,
                 "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}


def core(sb, user="admin"):
    return client.CoreV1Api(sb.api_client(user))


def first_pod(sb, app="httpd-wamblee-org"):
    return sb.pods(NS, f"app={app}")[0]["metadata"]["name"]


def add_debug(sb, pod, name, *, image=AGNHOST, command=("sleep", "600"), sc=None, user="admin"):
    body = {"spec": {"ephemeralContainers": [{
        "name": name, "image": image, "command": list(command), "stdin": False, "tty": False,
        **({"securityContext": sc} if sc else {})}]}}
    return core(sb, user).patch_namespaced_pod_ephemeralcontainers(pod, NS, body)


def wait_running(sb, pod, name, timeout=10):
    return sb.wait_for(lambda: sb.ephemeral_state(NS, pod, name).get("running"),
                       timeout=timeout, what=f"{name} running")


def exec_(sb, pod, container, argv, *, protocol=None, user="admin"):
    api = core(sb, user)  # own ApiClient per exec (stream() patches it)
    kw = {"_headers": {"sec-websocket-protocol": protocol}} if protocol else {}
    resp = stream(api.connect_get_namespaced_pod_exec, pod, NS, container=container,
                  command=argv, stdin=False, stdout=True, stderr=True, tty=False,
                  _preload_content=False, **kw)
    resp.run_forever(timeout=20)
    out, err = resp.read_stdout(), resp.read_stderr()
    status = json.loads(resp.read_channel(3) or "null")
    proto = resp.subprotocol
    resp.close()
    return out, err, status, proto


def test_list_with_label_and_field_selectors(readme_sandbox):
    sb = readme_sandbox
    api = core(sb)
    pods = api.list_namespaced_pod(NS, label_selector="app=httpd-wamblee-org").items
    assert len(pods) == 2
    name = pods[0].metadata.name
    assert [p.metadata.name for p in api.list_namespaced_pod(
        NS, field_selector=f"metadata.name={name}").items] == [name]
    assert len(api.list_namespaced_pod(NS, field_selector="status.phase=Running").items) == 3
    assert len(api.list_pod_for_all_namespaces(
        field_selector="spec.nodeName=sandbox-node,status.phase=Running").items) >= 4
    assert not api.list_namespaced_pod(NS, label_selector="app in (nope,none)").items
    p = pods[0]
    assert p.status.pod_ip and p.status.host_ip and p.status.phase == "Running"
    assert any(c.type == "Ready" and c.status == "True" for c in p.status.conditions)
    assert p.metadata.owner_references[0].kind == "ReplicaSet"
    assert p.metadata.owner_references[0].controller is True


def test_not_found_status(readme_sandbox):
    with pytest.raises(ApiException) as ei:
        core(readme_sandbox).read_namespaced_pod("nope", NS)
    assert ei.value.status == 404
    body = json.loads(ei.value.body)
    assert body["reason"] == "NotFound" and body["message"] == 'pods "nope" not found'


def test_watch_sees_label_patch(readme_sandbox):
    sb = readme_sandbox
    name = first_pod(sb, "httpd-brakkee-org")
    seen = []

    def patch_later():
        time.sleep(0.3)
        core(sb).patch_namespaced_pod(name, NS, {"metadata": {"labels": {"probe": "yes"}}})

    t = threading.Thread(target=patch_later)
    t.start()
    w = watch.Watch()
    for ev in w.stream(core(sb).list_namespaced_pod, NS, field_selector=f"metadata.name={name}",
                       timeout_seconds=5):
        seen.append((ev["type"], (ev["object"].metadata.labels or {}).get("probe")))
        if ev["type"] == "MODIFIED":
            w.stop()
    t.join()
    assert seen[0] == ("ADDED", None)
    assert ("MODIFIED", "yes") in seen
    # JSON patch and merge patch remove it again
    core(sb).patch_namespaced_pod(name, NS, [{"op": "remove", "path": "/metadata/labels/probe"}])
    assert "probe" not in core(sb).read_namespaced_pod(name, NS).metadata.labels


def test_watch_resource_version_and_timeout(readme_sandbox):
    sb = readme_sandbox
    lst = core(sb).list_namespaced_pod(NS)
    t0 = time.monotonic()
    events = list(watch.Watch().stream(core(sb).list_namespaced_pod, NS,
                                       resource_version=lst.metadata.resource_version,
                                       timeout_seconds=1))
    assert time.monotonic() - t0 < 3
    assert all(e["type"] != "ADDED" for e in events)


def test_ephemeral_container_lifecycle_and_exec(readme_sandbox):
    sb = readme_sandbox
    pod = first_pod(sb)
    ret = add_debug(sb, pod, "probe1")
    assert ret.kind == "Pod" and [c.name for c in ret.spec.ephemeral_containers][-1] == "probe1"
    st = sb.ephemeral_state(NS, pod, "probe1")
    assert st.get("waiting", {}).get("reason") == "ContainerCreating" or "running" in st
    # exec before the container runs: the kubelet's 500
    if "waiting" in sb.ephemeral_state(NS, pod, "probe1"):
        with pytest.raises(ApiException) as ei:
            exec_(sb, pod, "probe1", ["true"])
        assert "500" in str(ei.value.reason) or ei.value.status == 0
        assert 'container not found (\\"probe1\\")' in str(ei.value) or \
            'container not found ("probe1")' in str(ei.value)
    wait_running(sb, pod, "probe1")
    for proto in ("v5.channel.k8s.io", "v4.channel.k8s.io"):
        out, err, status, got = exec_(sb, pod, "probe1", ["sh", "-c", "echo out; echo err >&2"],
                                      protocol=proto)
        assert (out, err, status, got) == ("out\n", "err\n", {"metadata": {},
                                                               "status": "Success"}, proto)
        out, _, status, _ = exec_(sb, pod, "probe1", ["sh", "-c", "exit 7"], protocol=proto)
        assert status["reason"] == "NonZeroExitCode"
        assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "7"}]
    _, _, status, _ = exec_(sb, pod, "probe1", ["no-such-tool"])
    assert status["reason"] == "InternalError" and status["code"] == 500
    assert "executable file not found in $PATH" in status["message"]
    # as the container's user: the default image user is root
    out, _, _, _ = exec_(sb, pod, "probe1", ["id", "-u"])
    assert out == "0\n"


def test_exec_streams_output_as_it_comes(readme_sandbox):
    sb = readme_sandbox
    pod = first_pod(sb)
    add_debug(sb, pod, "stream1")
    wait_running(sb, pod, "stream1")
    api = core(sb)
    resp = stream(api.connect_get_namespaced_pod_exec, pod, NS, container="stream1",
                  command=["sh", "-c", "echo one; sleep 1; echo two"], stdin=False,
                  stdout=True, stderr=True, tty=False, _preload_content=False)
    t0 = time.monotonic()
    first = ""
    while resp.is_open() and not first:
        resp.update(timeout=2)
        first = resp.read_stdout()
    assert first == "one\n" and time.monotonic() - t0 < 0.9
    resp.run_forever(timeout=5)
    assert resp.read_stdout() == "two\n"
    resp.close()


def test_json_patch_append_and_immutability(readme_sandbox):
    sb = readme_sandbox
    pod = first_pod(sb)
    api = core(sb)
    api.patch_namespaced_pod_ephemeralcontainers(pod, NS, [{
        "op": "add", "path": "/spec/ephemeralContainers/-",
        "value": {"name": "jp1", "image": AGNHOST, "command": ["sleep", "60"]}}])
    names = [c.name for c in api.read_namespaced_pod(pod, NS).spec.ephemeral_containers]
    assert "jp1" in names
    with pytest.raises(ApiException) as ei:  # changing it: 422 Invalid
        api.patch_namespaced_pod_ephemeralcontainers(pod, NS, {"spec": {"ephemeralContainers": [
            {"name": "jp1", "image": AGNHOST, "command": ["sleep", "1"]}]}})
    assert ei.value.status == 422
    body = json.loads(ei.value.body)
    assert body["reason"] == "Invalid" and "may not be changed" in body["message"]
    with pytest.raises(ApiException) as ei:  # removing all: 422 too
        api.patch_namespaced_pod_ephemeralcontainers(pod, NS, [
            {"op": "replace", "path": "/spec/ephemeralContainers", "value": []}])
    assert ei.value.status == 422


def test_image_pull_failure(readme_sandbox):
    sb = readme_sandbox
    pod = first_pod(sb)
    add_debug(sb, pod, "badimg", image="no-such-image")
    w = sb.wait_for(lambda: (sb.ephemeral_state(NS, pod, "badimg").get("waiting") or {})
                    .get("reason") == "ErrImagePull" and sb.ephemeral_state(NS, pod, "badimg"),
                    what="ErrImagePull")
    assert 'failed to pull and unpack image "docker.io/library/no-such-image:latest"' in \
        w["waiting"]["message"]
    b = sb.wait_for(lambda: (sb.ephemeral_state(NS, pod, "badimg").get("waiting") or {})
                    .get("reason") == "ImagePullBackOff" and sb.ephemeral_state(NS, pod, "badimg"),
                    what="ImagePullBackOff")
    assert b["waiting"]["message"] == 'Back-off pulling image "no-such-image"'


def test_container_exits_terminated(readme_sandbox):
    sb = readme_sandbox
    pod = first_pod(sb)
    add_debug(sb, pod, "short1", command=("sh", "-c", "exit 3"))
    t = sb.wait_for(lambda: sb.ephemeral_state(NS, pod, "short1").get("terminated"),
                    what="terminated")
    assert t["exitCode"] == 3 and t["reason"] == "Error"


def test_rbac_forbidden(readme_sandbox):
    sb = readme_sandbox
    pod = first_pod(sb)
    with pytest.raises(ApiException) as ei:
        add_debug(sb, pod, "nope1", user="viewer")
    assert ei.value.status == 403
    assert json.loads(ei.value.body)["message"] == (
        f'pods "{pod}" is forbidden: User "viewer" cannot patch resource '
        f'"pods/ephemeralcontainers" in API group "" in the namespace "{NS}"')
    add_debug(sb, pod, "noexec1", user="noexec")
    wait_running(sb, pod, "noexec1")
    with pytest.raises(ApiException) as ei:
        exec_(sb, pod, "noexec1", ["true"], user="noexec")
    text = str(ei.value).replace('\\"', '"')  # ws errors arrive flattened (status=0)
    assert "403" in text and 'User "noexec" cannot create resource "pods/exec"' in text
    add_debug(sb, pod, "prober1", user="prober")
    wait_running(sb, pod, "prober1")
    assert exec_(sb, pod, "prober1", ["true"], user="prober")[2]["status"] == "Success"


def test_self_subject_access_review(readme_sandbox):
    sb = readme_sandbox
    authz = client.AuthorizationV1Api(sb.api_client("viewer"))

    def can(verb, resource, sub=""):
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": {"namespace": NS, "verb": verb,
                                                "resource": resource, "subresource": sub}}}
        return authz.create_self_subject_access_review(body).status.allowed

    assert can("list", "pods") is True
    assert can("patch", "pods", "ephemeralcontainers") is False
    assert can("create", "pods", "exec") is False


def test_pod_security_restricted(readme_sandbox):
    sb = readme_sandbox
    api = core(sb)
    api.create_namespace({"metadata": {"name": "locked", "labels": {
        "pod-security.kubernetes.io/enforce": "restricted"}}})
    try:
        ns = api.read_namespace("locked")
        assert ns.metadata.labels["kubernetes.io/metadata.name"] == "locked"
        api.create_namespaced_pod("locked", {"metadata": {"name": "web-1", "labels": {"a": "b"}},
                                             "spec": {"securityContext": {
                                                 "runAsNonRoot": True,
                                                 "seccompProfile": {"type": "RuntimeDefault"}},
                                                      "containers": [{
                                                          "name": "web", "image": "nginx",
                                                          "securityContext": RESTRICTED_SC,
                                                          "ports": [{"containerPort": 8080}]}]}})
        sb.wait_for(lambda: sb.pod("locked", "web-1")["status"]["phase"] == "Running")
        body = {"spec": {"ephemeralContainers": [{"name": "x", "image": AGNHOST,
                                                  "command": ["sleep", "60"]}]}}
        with pytest.raises(ApiException) as ei:
            api.patch_namespaced_pod_ephemeralcontainers("web-1", "locked", body)
        assert ei.value.status == 403
        # the pod-level seccomp/runAsNonRoot cover the new container; the rest doesn't
        assert json.loads(ei.value.body)["message"] == (
            'pods "web-1" is forbidden: violates PodSecurity "restricted:latest": '
            'allowPrivilegeEscalation != false (container "x" must set '
            'securityContext.allowPrivilegeEscalation=false), unrestricted capabilities '
            '(container "x" must set securityContext.capabilities.drop=["ALL"])')
        body["spec"]["ephemeralContainers"][0]["securityContext"] = RESTRICTED_SC
        api.patch_namespaced_pod_ephemeralcontainers("web-1", "locked", body)
        sb.wait_for(lambda: sb.ephemeral_state("locked", "web-1", "x").get("running"))
        api2 = client.CoreV1Api(sb.api_client())
        resp = stream(api2.connect_get_namespaced_pod_exec, "web-1", "locked", container="x",
                      command=["id", "-u"], stdin=False, stdout=True, stderr=True, tty=False)
        assert resp == "65532\n"
    finally:
        api.delete_namespace("locked")


def test_replacement_pod_after_delete(readme_sandbox):
    sb = readme_sandbox
    api = core(sb)
    old = api.list_namespaced_pod(NS, label_selector="app=httpd-brakkee-org").items[0]
    api.delete_namespaced_pod(old.metadata.name, NS)
    new = sb.wait_for(lambda: [p for p in sb.pods(NS, "app=httpd-brakkee-org")
                               if p["metadata"]["name"] != old.metadata.name
                               and p["status"]["phase"] == "Running"
                               and p["status"].get("podIP")], what="replacement pod")[0]
    assert new["metadata"]["uid"] != old.metadata.uid
    assert new["status"]["podIP"] != old.status.pod_ip
    assert new["metadata"]["ownerReferences"][0]["name"] == \
        old.metadata.owner_references[0].name
    apps = client.AppsV1Api(sb.api_client())
    rs = apps.read_namespaced_replica_set(old.metadata.owner_references[0].name, NS)
    assert rs.metadata.owner_references[0].kind == "Deployment"
    # a bare pod stays deleted
    api.create_namespaced_pod(NS, {"metadata": {"name": "bare"}, "spec": {"containers": [
        {"name": "c", "image": "busybox"}]}})
    sb.wait_for(lambda: sb.pod(NS, "bare")["status"]["phase"] == "Running")
    api.delete_namespaced_pod("bare", NS)
    time.sleep(0.6)
    assert not [p for p in sb.pods(NS) if p["metadata"]["name"] == "bare"]


def test_networkpolicy_defaults_and_errors(readme_sandbox):
    sb = readme_sandbox
    net = client.NetworkingV1Api(sb.api_client())
    np = {"metadata": {"name": "eg"}, "spec": {"podSelector": {}, "egress": [{}]}}
    created = net.create_namespaced_network_policy(NS, np)
    try:
        assert created.spec.policy_types == ["Ingress", "Egress"]
        with pytest.raises(ApiException) as ei:
            net.create_namespaced_network_policy(NS, np)
        assert ei.value.status == 409 and json.loads(ei.value.body)["message"] == \
            'networkpolicies.networking.k8s.io "eg" already exists'
    finally:
        net.delete_namespaced_network_policy("eg", NS)
    code, body = sb.request("PATCH", f"/api/v1/namespaces/{NS}/pods", {})
    assert code == 405 and body["reason"] == "MethodNotAllowed"
