"""Just enough OpenAPI v3 for kubectl.

`kubectl apply` validates with `--validate=strict` by default. It first asks /openapi/v3
whether the server takes the `fieldValidation` query parameter (kubectl's
QueryParamVerifierV3: a PATCH operation tagged with the kind's x-kubernetes-group-version-kind
that lists the parameter); if so the server validates and no client-side schema is needed.
Without this, kubectl falls back to the protobuf /openapi/v2 and fails with "failed to
download openapi". The documents carry no schemas, so for patch computation kubectl falls
back to its compiled-in types, which is what a real server's schemas would give anyway.
/openapi/v2 stays a 404.
"""

from __future__ import annotations

import hashlib
import json

from tests.sandbox.resources import group_versions


def _gv_path(gv: str) -> str:
    return f"api/{gv}" if "/" not in gv else f"apis/{gv}"


def gv_doc(gv: str) -> dict | None:
    rts = group_versions().get(gv)
    if rts is None:
        return None
    paths = {}
    for rt in rts:
        group, version = (gv.split("/") if "/" in gv else ("", gv))
        op = {"operationId": f"patchSandbox{rt.kind}",
              "x-kubernetes-group-version-kind": {"group": group, "version": version,
                                                  "kind": rt.kind},
              "parameters": [{"name": "fieldValidation", "in": "query",
                              "schema": {"type": "string", "uniqueItems": True}},
                             {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                             {"name": "fieldManager", "in": "query",
                              "schema": {"type": "string"}}],
              "responses": {}}
        # keyed apart from the real object paths on purpose (see module docstring)
        paths[f"/{_gv_path(gv)}/sandbox-verify/{rt.plural}"] = {"patch": op}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0-sandbox"},
            "paths": paths, "components": {"schemas": {}}}


def root() -> dict:
    out = {}
    for gv in group_versions():
        digest = hashlib.sha512(json.dumps(gv_doc(gv), sort_keys=True).encode()).hexdigest()
        out[_gv_path(gv)] = {"serverRelativeURL": f"/openapi/v3/{_gv_path(gv)}?hash="
                                                  f"{digest.upper()}"}
    return {"paths": out}


def lookup(path: str) -> dict | None:
    """`path` without the /openapi/v3/ prefix, e.g. `apis/apps/v1`."""
    for gv in group_versions():
        if _gv_path(gv) == path:
            return gv_doc(gv)
    return None
