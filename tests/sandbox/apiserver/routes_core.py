"""Pod subresources (ephemeralcontainers, exec, status, log) and SelfSubjectAccessReview."""

from __future__ import annotations

import copy

from aiohttp import web

from tests.sandbox.apiserver import exec_ws
from tests.sandbox.apiserver.auth import User
from tests.sandbox.apiserver.rest import _json, read_body
from tests.sandbox.cluster import Cluster
from tests.sandbox.kubelet import ExecError
from tests.sandbox.patch import APPLY, apply_patch
from tests.sandbox.resources import PODS
from tests.sandbox.status import bad_request, method_not_allowed, unsupported_media


async def pod_subresource(request: web.Request, cluster: Cluster, namespace: str | None,
                          name: str | None, sub: str) -> web.StreamResponse:
    ns, pname = namespace or "default", name or ""
    pod = cluster.store.get(PODS, ns, pname)  # 404 `pods "x" not found` first, like the real one
    m = request.method
    if sub == "ephemeralcontainers":
        if m == "GET":
            return _json(pod)
        if m == "PATCH":
            if request.content_type == APPLY:
                raise unsupported_media(APPLY)
            new = apply_patch(pod, await read_body(request), request.content_type)
        elif m == "PUT":
            new = await read_body(request)
        else:
            raise method_not_allowed(res=PODS.res, action=m)
        if request.query.getall("dryRun", []):
            from tests.sandbox import admission

            admission.validate_ephemeral_update(old=pod, new=new)
            out = copy.deepcopy(pod)
            out["spec"]["ephemeralContainers"] = new["spec"].get("ephemeralContainers")
            # A dry run still goes through admission, PodSecurity included: "see if the request
            # would have succeeded (admission chain, validation, merge conflicts, ...)" (KEP-576,
            # kubernetes/kubernetes#66391); only the write is skipped.
            if len(out["spec"]["ephemeralContainers"] or []) != len(
                    pod["spec"].get("ephemeralContainers") or []):
                from tests.sandbox.resources import NAMESPACES

                admission.enforce_pod_security(
                    namespace=cluster.store.peek(NAMESPACES, None, ns), pod=out)
            return _json(out)
        return _json(cluster.registry.update_ephemeral(namespace=ns, name=pname, new=new))
    if sub == "status":
        if m != "GET":
            raise method_not_allowed(res=PODS.res, action=m)
        return _json(pod)
    if sub == "log":
        from tests.sandbox.apiserver.logs import pod_log

        return await pod_log(request, cluster.kubelet, pod)
    if sub == "exec":
        return await _exec(request, cluster, pod)
    raise method_not_allowed(res=PODS.res, action=m)


def _flag(request: web.Request, key: str, default: bool) -> bool:
    v = request.query.get(key)
    if v is None:
        return default
    return v.lower() in ("true", "1")


async def _exec(request: web.Request, cluster: Cluster, pod: dict) -> web.StreamResponse:
    q = request.query
    argv = q.getall("command", [])
    stdin, stdout = _flag(request, "stdin", False), _flag(request, "stdout", True)
    stderr, tty = _flag(request, "stderr", True), _flag(request, "tty", False)
    if tty and stderr:
        stderr = False  # kubelet remotecommand NewOptions: tty bypasses stderr
    if not (stdin or stdout or stderr):
        raise bad_request("you must specify at least 1 of stdin, stdout, stderr")
    spec = pod["spec"]
    names = [c["name"] for c in spec.get("containers") or []]
    init = [c["name"] for c in spec.get("initContainers") or []]
    eph = [c["name"] for c in spec.get("ephemeralContainers") or []]
    container = q.get("container", "")
    if not container:
        if len(names) == 1:
            container = names[0]
        else:
            # pkg/registry/core/pod/strategy.go validateContainer
            msg = (f"a container name must be specified for pod {pod['metadata']['name']}, "
                   f"choose one of: [{' '.join(names)}]")
            if init:
                msg += f" or one of the init containers: [{' '.join(init)}]"
            if eph:
                msg += f" or one of the ephemeral containers: [{' '.join(eph)}]"
            raise bad_request(msg)
    if container not in names + init + eph:
        raise bad_request(f"container {container} is not valid for pod "
                          f"{pod['metadata']['name']}")
    if not argv:
        raise bad_request("you must specify a command")  # kubectl checks this before sending
    try:  # the kubelet's 500 comes before any protocol upgrade
        cluster.kubelet.check_exec(pod, container)
    except ExecError as exc:
        return web.Response(status=500, text=str(exc), content_type="text/plain")
    if request.headers.get("Upgrade", "").lower() != "websocket":
        # what a websocket/SPDY-less request gets from the upgrade-aware proxy
        raise bad_request("Upgrade request required")
    return await exec_ws.serve_exec(request, kubelet=cluster.kubelet, pod=pod,
                                    container=container, argv=argv, stdin=stdin,
                                    stdout=stdout, stderr=stderr)


async def self_subject_access_review(request: web.Request, cluster: Cluster,
                                     user: User) -> web.Response:
    if request.method != "POST":
        from tests.sandbox.resources import SSAR

        raise method_not_allowed(res=SSAR.res, action=request.method)
    body = await read_body(request)
    spec = body.get("spec") or {}
    ra = spec.get("resourceAttributes")
    if ra is not None:
        allowed = cluster.authorizer.allowed(
            user, verb=ra.get("verb", ""), group=ra.get("group", ""),
            resource=ra.get("resource", ""), subresource=ra.get("subresource", ""),
            namespace=ra.get("namespace", ""))
    else:
        allowed = user.admin
    status: dict = {"allowed": allowed}
    if allowed:
        # the RBAC authorizer's reason wording (plugin/pkg/auth/authorizer/rbac/rbac.go)
        status["reason"] = (
            f'RBAC: allowed by ClusterRoleBinding "sandbox-{user.name}" of ClusterRole '
            f'"{"cluster-admin" if user.admin else "sandbox-" + user.name}" to User '
            f'"{user.name}"')
    out = {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
           "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}
    return _json(out, 201)
