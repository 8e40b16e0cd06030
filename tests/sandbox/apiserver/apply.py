"""Server-side apply: PATCH with application/apply-patch+yaml (`kubectl apply --server-side`).

What is copied from kube-apiserver (k8s.io/apiserver/pkg/endpoints/handlers/patch.go,
sigs.k8s.io/structured-merge-diff): the object is created when missing (201); `fieldManager`
is required (422 on PatchOptions); each applier's fields are recorded in
`metadata.managedFields` (operation Apply, fieldsType FieldsV1); a field this manager applied
before and no longer applies is removed unless another manager owns it; changing a field
another applier owns is a 409 Conflict unless `force=true`, which takes the field over.

Simplified (and said so in README): list fields are owned as a whole (atomic), not per
element key; only Apply operations are tracked, so create/update/patch writers never own
fields and never conflict; the merge itself is the strategic merge of patch.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import yaml
from aiohttp import web

from tests.sandbox.cluster import Cluster
from tests.sandbox.patch import strategic_merge
from tests.sandbox.resources import ResourceType
from tests.sandbox.status import ApiError, bad_request
from tests.sandbox.validation.field import required, to_invalid

Path = tuple[str, ...]
_SKIP: set[Path] = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace"),
                    ("metadata", "managedFields"), ("metadata", "resourceVersion")}


def leaves(obj: Any, prefix: Path = ()) -> set[Path]:
    """The fields an applied configuration sets: scalar and list leaves (lists atomic)."""
    if prefix in _SKIP:
        return set()
    if isinstance(obj, dict) and obj:
        out: set[Path] = set()
        for k, v in obj.items():
            out |= leaves(v, (*prefix, str(k)))
        return out
    return {prefix} if prefix else set()


def to_fields_v1(paths: set[Path]) -> dict[str, Any]:
    """FieldsV1 JSON: {"f:spec": {"f:replicas": {}}} (atomic lists end in {} as well)."""
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for part in path:
            node = node.setdefault(f"f:{part}", {})
    return root


def from_fields_v1(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for k, v in tree.items():
        path = (*prefix, k[2:] if k.startswith("f:") else k)
        out |= from_fields_v1(v, path) if v else {path}
    return out


def _value(obj: Any, path: Path) -> Any:
    for part in path:
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _remove(obj: dict[str, Any], path: Path) -> None:
    node: Any = obj
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(path[-1], None)


def _entry(manager: str, api_version: str, paths: set[Path]) -> dict[str, Any]:
    return {"manager": manager, "operation": "Apply", "apiVersion": api_version,
            "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(paths)}


def _conflict(rt: ResourceType, name: str, found: list[tuple[str, str, Path]]) -> ApiError:
    """k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager NewConflictError wording."""
    def dotted(p: Path) -> str:
        return "." + ".".join(p)

    if len(found) == 1:
        mgr, ver, path = found[0]
        body = f'conflict with "{mgr}" using {ver}: {dotted(path)}'
    else:
        lines: list[str] = []
        for mgr, ver in dict.fromkeys((m, v) for m, v, _ in found):
            lines.append(f'conflicts with "{mgr}" using {ver}:')
            lines += [f"- {dotted(p)}" for m, _, p in found if m == mgr]
        body = "\n".join(lines)
    n = len(found)
    return ApiError({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f"Apply failed with {n} conflict{'s' if n != 1 else ''}: {body}",
        "reason": "Conflict", "code": 409,
        "details": {"name": name, "group": rt.group, "kind": rt.plural, "causes": [
            {"reason": "FieldManagerConflict", "message": f'conflict with "{m}" using {v}',
             "field": dotted(p)} for m, v, p in found]}})


def _json(obj: Any, status: int) -> web.Response:
    return web.Response(body=json.dumps(obj).encode(), status=status,
                        content_type="application/json")


async def server_side_apply(request: web.Request, cluster: Cluster, rt: ResourceType, *,
                            namespace: str | None, name: str) -> web.Response:
    q = request.query
    manager = q.get("fieldManager", "")
    if not manager:
        raise to_invalid(kind="PatchOptions", group="meta.k8s.io", name="", errors=[
            required("fieldManager", "is required for apply patch")])
    force = q.get("force") in ("true", "1")
    dry = bool(q.getall("dryRun", []))
    applied = yaml.safe_load(await request.read())
    if not isinstance(applied, dict):
        raise bad_request("error decoding YAML: the apply body must be an object")
    md = applied.setdefault("metadata", {})
    if md.get("name") and md["name"] != name:
        raise bad_request(f'the name of the object ({md["name"]}) does not match the name on '
                          f"the URL ({name})")
    md["name"] = name
    paths = leaves(applied)
    reg = cluster.registry
    current = cluster.store.peek(rt, namespace, name)
    if current is None:
        obj = copy.deepcopy(applied)
        obj["metadata"]["managedFields"] = [_entry(manager, rt.api_version, paths)]
        if dry:
            from tests.sandbox.apiserver.rest import _dry_create

            return _json(_dry_create(cluster, rt, obj, namespace), 201)
        out = reg.create(rt, obj, namespace=namespace)
        await _settle(cluster, rt)
        return _json(out, 201)
    entries = copy.deepcopy(current["metadata"].get("managedFields") or [])
    mine = next((e for e in entries if e.get("manager") == manager
                 and e.get("operation") == "Apply"), None)
    others = [e for e in entries if e is not mine]
    owned = {id(e): from_fields_v1(e.get("fieldsV1") or {}) for e in others}
    found = [(e["manager"], e.get("apiVersion", rt.api_version), p)
             for e in others for p in sorted(paths & owned[id(e)])
             if _value(current, p) != _value(applied, p)]
    if found and not force:
        raise _conflict(rt, name, found)
    for e in others:  # force: the fields move to this manager
        if owned[id(e)] & paths and e.get("operation") == "Apply":
            e["fieldsV1"] = to_fields_v1(owned[id(e)] - paths)
    merged = strategic_merge(current, {k: v for k, v in applied.items()
                                       if k not in ("apiVersion", "kind")})
    before = from_fields_v1(mine.get("fieldsV1") or {}) if mine else set()
    still_owned = set().union(*owned.values()) if owned else set()
    for p in sorted(before - paths - still_owned, key=len, reverse=True):
        _remove(merged, p)
    kept = [e for e in others if e.get("operation") != "Apply" or e.get("fieldsV1")]
    merged["metadata"]["managedFields"] = [*kept, _entry(manager, rt.api_version, paths)]
    merged["metadata"].pop("resourceVersion", None)
    if dry:
        return _json(merged, 200)
    out = reg.update(rt, merged, namespace=namespace, name=name)
    await _settle(cluster, rt)
    return _json(out, 200)


async def _settle(cluster: Cluster, rt: ResourceType) -> None:
    from tests.sandbox.apiserver.rest import _settle as settle

    await settle(cluster, rt)
