"""The aiohttp application: path parsing, authentication, authorization, error rendering.

Paths follow the real layout: /api/v1/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]
and /apis/{group}/{version}/... . Every failure is a metav1.Status with the real code.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from aiohttp import web

from tests.sandbox import resources
from tests.sandbox.apiserver import discovery, openapi, rest, routes_core
from tests.sandbox.cluster import Cluster
from tests.sandbox.resources import ResourceType
from tests.sandbox.status import ApiError, forbidden, path_not_found, unauthorized

log = logging.getLogger("sandbox.apiserver")
CLUSTER_KEY = web.AppKey("cluster", Cluster)


@dataclass(frozen=True)
class Target:
    rt: ResourceType
    namespace: str | None
    name: str | None
    sub: str


def status_response(err: ApiError) -> web.Response:
    return web.json_response(err.status, status=err.code)


def parse(path: str) -> Target | None:
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"] and len(parts) >= 3:
        group, version, rest_ = "", parts[1], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 4:
        group, version, rest_ = parts[1], parts[2], parts[3:]
    else:
        return None
    ns = None
    if rest_[0] == "namespaces" and len(rest_) >= 3 and \
            (rt := resources.lookup(group, version, rest_[2])) and rt.namespaced:
        ns, rest_ = rest_[1], rest_[2:]
    rt = resources.lookup(group, version, rest_[0])
    if rt is None or len(rest_) > 3:
        return None
    name = rest_[1] if len(rest_) > 1 else None
    sub = rest_[2] if len(rest_) > 2 else ""
    if sub and sub not in rt.subresources:
        return None
    return Target(rt, ns, name, sub)


def verb_of(request: web.Request, t: Target) -> str:
    m = request.method
    if m == "GET":
        if t.name:
            return "get"
        return "watch" if request.query.get("watch") in ("true", "1") else "list"
    return {"POST": "create", "PUT": "update", "PATCH": "patch",
            "DELETE": "delete" if t.name else "deletecollection"}.get(m, m.lower())


async def handle(request: web.Request) -> web.StreamResponse:
    cluster = request.app[CLUSTER_KEY]
    path = request.path.rstrip("/") or "/"
    user = cluster.authorizer.authenticate(request.headers.get("Authorization"))
    if path in ("/healthz", "/livez", "/readyz"):
        return web.Response(text="ok")
    if user is None:
        raise unauthorized()
    if path == "/version":
        return web.json_response(discovery.VERSION)
    if path == "/openapi/v3":
        return web.json_response(openapi.root())
    if path.startswith("/openapi/v3/") and (doc := openapi.lookup(path[len("/openapi/v3/"):])):
        return web.json_response(doc)
    if path == "/api":
        return web.json_response(discovery.api_versions(request.host))
    if path == "/apis":
        return web.json_response(discovery.api_group_list())
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"] and len(parts) == 2 and (doc := discovery.resource_list(parts[1])):
        return web.json_response(doc)
    if parts[:1] == ["apis"] and len(parts) == 2 and (doc := discovery.api_group(parts[1])):
        return web.json_response(doc)
    if parts[:1] == ["apis"] and len(parts) == 3 and \
            (doc := discovery.resource_list(f"{parts[1]}/{parts[2]}")):
        return web.json_response(doc)
    t = parse(path)
    if t is None:
        raise path_not_found()
    verb = verb_of(request, t)
    if t.sub == "exec":
        # websocket exec is a GET; authorise as create (1.35 default) *and* get (older rule)
        for v in ("create", "get"):
            _authorize(cluster, user.name, user, v, t)
    else:
        _authorize(cluster, user.name, user, verb, t)
    if t.rt == resources.SSAR:
        return await routes_core.self_subject_access_review(request, cluster, user)
    if t.rt == resources.PODS and t.sub:
        return await routes_core.pod_subresource(request, cluster, t.namespace, t.name, t.sub)
    return await rest.handle(request, cluster, t.rt, namespace=t.namespace, name=t.name,
                             verb=verb, sub=t.sub)


def _authorize(cluster: Cluster, username: str, user: object, verb: str, t: Target) -> None:
    if not cluster.authorizer.allowed(user, verb=verb, group=t.rt.group, resource=t.rt.plural,
                                      subresource=t.sub, namespace=t.namespace or ""):
        raise forbidden(user=username, verb=verb, res=t.rt.res, subresource=t.sub,
                        name=t.name or "", namespace=t.namespace or "")


@web.middleware
async def errors(request: web.Request, handler: object) -> web.StreamResponse:
    try:
        return await handler(request)  # type: ignore[operator]
    except ApiError as err:
        return status_response(err)
    except json.JSONDecodeError as exc:
        return status_response(ApiError({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": f"error decoding from json: {exc}", "reason": "BadRequest",
            "code": 400}))
    except web.HTTPException:
        raise
    except Exception as exc:
        log.exception("unhandled error on %s %s", request.method, request.path)
        from tests.sandbox.status import internal_error

        return status_response(internal_error(repr(exc)))


def make_app(cluster: Cluster) -> web.Application:
    app = web.Application(middlewares=[errors], client_max_size=16 << 20)
    app[CLUSTER_KEY] = cluster
    app.router.add_route("*", "/{tail:.*}", handle)
    return app
