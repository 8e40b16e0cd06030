"""The three PATCH flavours the API server accepts.

* JSON Patch (RFC 6902, application/json-patch+json): what a list body in the Python client
  becomes, and kubectl's fallback for ephemeral containers.
* JSON Merge Patch (RFC 7386, application/merge-patch+json).
* Strategic Merge Patch (application/strategic-merge-patch+json): like merge patch, but lists
  with a patchMergeKey are merged element-wise. The merge keys below are the
  `patchMergeKey` tags of k8s.io/api/core/v1/types.go; any other list is replaced (atomic).
  This is why a patch naming only a new ephemeral container *appends* it.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.sandbox.status import ApiError, bad_request, unsupported_media

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"

# list field name -> merge key (k8s.io/api types.go patchMergeKey tags)
_MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "env": "name", "volumes": "name", "volumeMounts": "mountPath", "conditions": "type",
    "imagePullSecrets": "name", "ownerReferences": "uid", "hostAliases": "ip",
    "containerStatuses": "name", "ephemeralContainerStatuses": "name",
    "initContainerStatuses": "name", "podIPs": "ip", "readinessGates": "conditionType",
}
_PRIMITIVE_MERGE = {"finalizers"}  # patchStrategy:"merge" on a list of strings


def apply_patch(target: dict, patch: Any, content_type: str) -> dict:
    ct = (content_type or "").split(";")[0].strip()
    if ct == JSON_PATCH:
        if not isinstance(patch, list):
            raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        return json_patch(target, patch)
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal array into Go value of type "
                          "map[string]interface {}")
    if ct == MERGE_PATCH:
        return merge_patch(target, patch)
    if ct == STRATEGIC:
        return strategic_merge(target, patch)
    raise unsupported_media(ct)


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def _merge_key_for(field: str, items: list) -> str | None:
    if field == "ports":
        sample = next((i for i in items if isinstance(i, dict)), {})
        return "containerPort" if "containerPort" in sample else "port"
    return _MERGE_KEYS.get(field)


def strategic_merge(target: Any, patch: Any, field: str = "") -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith(("$setElementOrder/", "$retainKeys", "$deleteFromPrimitiveList/")):
            if k.startswith("$deleteFromPrimitiveList/"):
                name = k.split("/", 1)[1]
                out[name] = [x for x in out.get(name) or [] if x not in v]
            continue
        if k == "$patch":
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, list):
            out[k] = _merge_list(out.get(k), v, k)
        else:
            out[k] = strategic_merge(out.get(k), v, k)
    return out


def _merge_list(current: Any, patch: list, field: str) -> list:
    current = current if isinstance(current, list) else []
    if field in _PRIMITIVE_MERGE:
        return current + [x for x in patch if x not in current]
    key = _merge_key_for(field, patch + current)
    if key is None or not all(isinstance(i, dict) for i in patch):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    out = copy.deepcopy(current)
    for item in patch:
        if item.get("$patch") == "replace":
            return [copy.deepcopy(i) for i in patch if i.get("$patch") != "replace"]
        idx = next((n for n, c in enumerate(out)
                    if isinstance(c, dict) and c.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(strategic_merge({}, item, field))
        else:
            out[idx] = strategic_merge(out[idx], item, field)
    return out


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _walk(doc: Any, path: str) -> tuple[Any, str]:
    if not path.startswith("/"):
        raise bad_request(f"jsonpatch: invalid path {path!r}")
    parts = [_unescape(p) for p in path.split("/")[1:]]
    cur = doc
    for p in parts[:-1]:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    return cur, parts[-1]


def json_patch(target: dict, ops: list) -> dict:
    doc = copy.deepcopy(target)
    for op in ops:
        try:
            doc = _apply_op(doc, op)
        except ApiError:
            raise
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            # jsonpatch's messages, as wrapped by the apiserver (400 or 422 in practice)
            raise ApiError({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": f"the server rejected our request due to an error in our request: "
                           f"{op.get('op')} operation does not apply: doc is missing path: "
                           f"\"{op.get('path')}\": {exc}",
                "reason": "Invalid", "code": 422}) from exc
    return doc


def _apply_op(doc: Any, op: dict) -> Any:
    kind, path = op.get("op"), op.get("path", "")
    if path == "":
        return copy.deepcopy(op.get("value")) if kind in ("add", "replace") else doc
    parent, last = _walk(doc, path)
    if kind == "test":
        cur = parent[int(last)] if isinstance(parent, list) else parent[last]
        if cur != op.get("value"):
            raise ValueError("testing value failed")
        return doc
    if kind in ("add", "replace"):
        val = copy.deepcopy(op["value"])
        if isinstance(parent, list):
            if last == "-":
                parent.append(val)
            elif kind == "add":
                parent.insert(int(last), val)
            else:
                parent[int(last)] = val
        else:
            if kind == "replace" and last not in parent:
                raise KeyError(last)
            parent[last] = val
    elif kind == "remove":
        if isinstance(parent, list):
            parent.pop(int(last))
        else:
            del parent[last]
    elif kind in ("move", "copy"):
        src_parent, src_last = _walk(doc, op["from"])
        val = src_parent[int(src_last)] if isinstance(src_parent, list) else src_parent[src_last]
        val = copy.deepcopy(val)
        if kind == "move":
            doc = _apply_op(doc, {"op": "remove", "path": op["from"]})
        doc = _apply_op(doc, {"op": "add", "path": path, "value": val})
    else:
        raise bad_request(f"Unexpected kind: {kind}")
    return doc
