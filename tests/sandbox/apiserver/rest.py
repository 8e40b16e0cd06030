"""Generic REST verbs for every resource: list (+Table), watch, get, create, update, patch,
delete, deletecollection. Kind-specific behaviour lives in the registry, not here."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import yaml
from aiohttp import web

from tests.sandbox import graceful, selectors
from tests.sandbox.apiserver import protobuf
from tests.sandbox.apiserver.table import to_table, wants_table
from tests.sandbox.cluster import SYNC_KINDS, Cluster
from tests.sandbox.patch import APPLY, apply_patch
from tests.sandbox.resources import ADMIN_KINDS, ResourceType
from tests.sandbox.status import (
    ApiError,
    bad_request,
    method_not_allowed,
    success,
    unsupported_media,
)
from tests.sandbox.store import Event

WATCH_DEFAULT_TIMEOUT = 1800


async def read_body(request: web.Request) -> Any:
    raw = await request.read()
    ct = request.content_type
    if "protobuf" in ct:
        obj = protobuf.decode(raw)
        if obj is None:  # a kind the minimal decoder doesn't know
            raise unsupported_media(ct)
        return obj
    if "cbor" in ct:
        raise unsupported_media(ct)
    if not raw:
        raise bad_request("the body of the request was empty")
    if "yaml" in ct and ct != APPLY:
        return yaml.safe_load(raw)
    return json.loads(raw)


def _strict(request: web.Request, rt: ResourceType, body: Any) -> None:
    """Unknown fields of the admin-tier custom resources under fieldValidation=Strict."""
    if rt in ADMIN_KINDS and request.query.get("fieldValidation") == "Strict":
        from tests.sandbox import crds

        crds.strict_check(rt, body)


def _dry(request: web.Request) -> bool:
    return bool(request.query.getall("dryRun", []))


def _json(obj: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(obj).encode(), status=status,
                        content_type="application/json")


async def handle(request: web.Request, cluster: Cluster, rt: ResourceType, *,
                 namespace: str | None, name: str | None, verb: str, sub: str
                 ) -> web.StreamResponse:
    store, reg = cluster.store, cluster.registry
    if sub == "scale":
        return await _scale(request, cluster, rt, namespace=namespace, name=name or "")
    if sub and sub != "status":
        raise method_not_allowed(res=rt.res, action=verb)
    if verb in ("patch", "update") and not name:
        raise method_not_allowed(res=rt.res, action=request.method)
    if verb in ("list", "watch"):
        reqs = selectors.parse_label_selector(request.query.get("labelSelector"))
        fmatch = selectors.parse_field_selector(request.query.get("fieldSelector"),
                                                resource=rt.plural)

        def match(o: dict) -> bool:
            return selectors.labels_match(reqs, o["metadata"].get("labels")) and fmatch(o)

        if verb == "watch":
            return await watch(request, cluster, rt, namespace, match)
        rv = store.resource_version
        items = [o for o in store.list(rt, namespace) if match(o)]
        if wants_table(request.headers.get("Accept", "")):
            return _json(to_table(rt, items, resource_version=rv,
                                  include_object=request.query.get("includeObject",
                                                                   "Metadata")))
        for o in items:
            o.pop("apiVersion", None)
            o.pop("kind", None)
        return _json({"kind": f"{rt.kind}List", "apiVersion": rt.api_version,
                      "metadata": {"resourceVersion": rv}, "items": items})
    if verb == "get":
        obj = store.get(rt, namespace, name)
        if wants_table(request.headers.get("Accept", "")):
            return _json(to_table(rt, [obj], resource_version=store.resource_version,
                                  include_object=request.query.get("includeObject",
                                                                   "Metadata")))
        return _json(obj)
    if verb == "create":
        if name:
            raise method_not_allowed(res=rt.res, action="POST")
        body = await read_body(request)
        _strict(request, rt, body)
        out = reg.create(rt, body, namespace=namespace) if not _dry(request) else \
            _dry_create(cluster, rt, body, namespace)
        await _settle(cluster, rt)
        return _json(out, 201)
    if verb == "update":
        body = await read_body(request)
        _strict(request, rt, body)
        out = reg.update(rt, body, namespace=namespace, name=name or "")
        await _settle(cluster, rt)
        return _json(out)
    if verb == "patch":
        if request.content_type == APPLY:
            from tests.sandbox.apiserver.apply import server_side_apply

            return await server_side_apply(request, cluster, rt, namespace=namespace,
                                           name=name or "")
        patch = await read_body(request)
        cur = store.get(rt, namespace, name)
        new = apply_patch(cur, patch, request.content_type)
        _strict(request, rt, new)
        if _dry(request):
            return _json(new)
        new.setdefault("metadata", {})["resourceVersion"] = None
        new["metadata"].pop("resourceVersion")
        out = reg.update(rt, new, namespace=namespace, name=name or "")
        await _settle(cluster, rt)
        return _json(out)
    if verb in ("delete", "deletecollection"):
        options = await _delete_options(request)
        grace = graceful.requested_grace(options, request.query)
    if verb == "delete":
        if _dry(request):
            return _json(store.get(rt, namespace, name))
        out = reg.delete(rt, namespace=namespace, name=name or "", grace_period=grace,
                         options=options)
        await _settle(cluster, rt)
        return _json(out)
    if verb == "deletecollection":
        reqs = selectors.parse_label_selector(request.query.get("labelSelector"))
        for o in store.list(rt, namespace):
            if selectors.labels_match(reqs, o["metadata"].get("labels")):
                with contextlib.suppress(ApiError):
                    reg.delete(rt, namespace=o["metadata"].get("namespace"),
                               name=o["metadata"]["name"], grace_period=grace)
        await _settle(cluster, rt)
        return _json(success())
    raise method_not_allowed(res=rt.res, action=verb)


async def _delete_options(request: web.Request) -> dict | None:
    """The DeleteOptions body kubectl and client-go send with DELETE (may be empty)."""
    if not request.can_read_body:
        return None
    raw = await request.read()
    if not raw.strip():
        return None
    body = protobuf.decode(raw) if "protobuf" in request.content_type else json.loads(raw)
    return body if isinstance(body, dict) else None


async def _scale(request: web.Request, cluster: Cluster, rt: ResourceType, *,
                 namespace: str | None, name: str) -> web.Response:
    """autoscaling/v1 Scale of a Deployment/ReplicaSet (`kubectl scale`)."""
    obj = cluster.store.get(rt, namespace, name)
    if request.method in ("PUT", "PATCH"):
        body = await read_body(request)
        cur = _scale_of(obj)
        new = body if request.method == "PUT" else apply_patch(cur, body, request.content_type)
        replicas = (new.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise bad_request("spec.replicas must be a non-negative integer")
        obj["spec"]["replicas"] = replicas
        obj = cluster.registry.update(rt, obj, namespace=namespace, name=name)
    elif request.method != "GET":
        raise method_not_allowed(res=rt.res, action=request.method)
    return _json(_scale_of(obj))


def _scale_of(obj: dict) -> dict:
    from tests.sandbox.selectors import selector_object_to_string

    md = obj["metadata"]
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                             "creationTimestamp") if k in md},
            "spec": {"replicas": obj["spec"].get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                       "selector": selector_object_to_string(obj["spec"].get("selector"))}}


def _dry_create(cluster: Cluster, rt: ResourceType, body: Any, namespace: str | None) -> dict:
    """Run admission on a throw-away store copy; nothing is persisted or started."""
    from tests.sandbox.registry import Registry
    from tests.sandbox.store import Store

    scratch = Store()
    for other in (*SYNC_KINDS,):
        for o in cluster.store.list(other):
            scratch._objs[scratch.key(other, o["metadata"].get("namespace"),
                                      o["metadata"]["name"])] = o
    return Registry(store=scratch).create(rt, body, namespace=namespace)


async def _settle(cluster: Cluster, rt: ResourceType) -> None:
    """Answer only once the data plane enforces the change (policies, labels, services)."""
    if rt in SYNC_KINDS:
        await cluster.dataplane.synced()


async def watch(request: web.Request, cluster: Cluster, rt: ResourceType,
                namespace: str | None, match: Any) -> web.StreamResponse:
    store = cluster.store
    rv = request.query.get("resourceVersion")
    timeout = float(request.query.get("timeoutSeconds") or WATCH_DEFAULT_TIMEOUT)
    as_table = wants_table(request.headers.get("Accept", ""))
    include = request.query.get("includeObject", "Metadata")
    initial: list[dict] = []
    if rv in (None, "", "0"):
        # "Get State and Start at Most Recent": synthetic ADDED for what exists now
        initial = [o for o in store.list(rt, namespace) if match(o)]
        since = int(store.resource_version)
    else:
        try:
            since = int(rv)
        except ValueError:
            raise bad_request(f'Invalid value: "{rv}": resourceVersion must be an integer') \
                from None
    w = store.watch(rt, namespace, since)
    resp = web.StreamResponse(headers={"Content-Type": "application/json",
                                       "Cache-Control": "no-cache, private"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)

    async def send(ev_type: str, obj: dict) -> None:
        if as_table:
            obj = to_table(rt, [obj], resource_version=obj["metadata"]["resourceVersion"],
                           include_object=include)
        line = json.dumps({"type": ev_type, "object": obj}) + "\n"
        await resp.write(line.encode())

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        for o in initial:
            await send("ADDED", o)
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                ev: Event = await asyncio.wait_for(w.queue.get(), remaining)
            except TimeoutError:
                break
            now, before = match(ev.obj), ev.old is not None and match(ev.old)
            if ev.type == "ADDED" and now:
                await send("ADDED", ev.obj)
            elif ev.type == "DELETED" and match(ev.obj):
                await send("DELETED", ev.obj)
            elif ev.type == "MODIFIED":
                if now and before:
                    await send("MODIFIED", ev.obj)
                elif now:
                    await send("ADDED", ev.obj)
                elif before:
                    await send("DELETED", ev.obj)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        store.unwatch(w)
    with contextlib.suppress(ConnectionResetError, RuntimeError):
        await resp.write_eof()
    return resp
