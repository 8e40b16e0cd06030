"""The admin-tier custom resources the sandbox serves, from their real CRD files.

* `policy.networking.k8s.io_clusternetworkpolicies.yaml`: ClusterNetworkPolicy v1alpha2,
  kubernetes-sigs/network-policy-api tag v0.2.0 (a17adecd), experimental channel (so the
  `nodes` and `domainNames` egress peers are served).
* `policy.networking.k8s.io_{admin,baseline}networkpolicies.yaml`: AdminNetworkPolicy and
  BaselineAdminNetworkPolicy v1alpha1, tag v0.1.7 (0638d394), experimental channel.

All three are cluster-scoped. `validate` applies what apiextensions-apiserver applies to a
custom resource on create/update (schema.py); `prepare` adds the registry behaviour of a CRD
with a status subresource (status is ignored on create and kept from the old object on update,
generation counts spec changes), as in apiextensions-apiserver
pkg/registry/customresource/strategy.go PrepareForCreate/PrepareForUpdate.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.sandbox.crds.cel import RULES
from tests.sandbox.crds.schema import Validator
from tests.sandbox.resources import ResourceType
from tests.sandbox.status import bad_request, invalid

GROUP = "policy.networking.k8s.io"  # the resource types live in resources.py
_DIR = Path(__file__).parent



@functools.cache
def crd(rt: ResourceType) -> dict[str, Any]:
    """The vendored CustomResourceDefinition of one admin kind."""
    doc: dict[str, Any] = yaml.safe_load(
        (_DIR / f"{GROUP}_{rt.plural}.yaml").read_text(encoding="utf-8"))
    return doc


@functools.cache
def _version(rt: ResourceType) -> dict[str, Any]:
    for v in crd(rt)["spec"]["versions"]:
        if v["name"] == rt.version:
            return dict(v)
    raise LookupError(f"{rt.plural}: CRD has no version {rt.version}")


@functools.cache
def _validator(rt: ResourceType) -> Validator:
    return Validator(_version(rt)["schema"]["openAPIV3Schema"], RULES)


def printer_columns(rt: ResourceType) -> list[dict[str, Any]]:
    """`additionalPrinterColumns` (kubectl get shows Tier and Priority for cnp)."""
    return list(_version(rt).get("additionalPrinterColumns") or ())


def prepare(rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
    """Prune, default and validate `obj` in place; raise the real 422 if it is invalid."""
    obj.pop("status", None)
    causes = _validator(rt).validate(obj)
    if causes:
        raise invalid(kind=rt.kind, group=rt.group, name=obj["metadata"].get("name", ""),
                      causes=causes)
    if old is None:
        obj["metadata"]["generation"] = 1
        return
    if "status" in old:
        obj["status"] = copy.deepcopy(old["status"])
    gen = old["metadata"].get("generation", 1)
    obj["metadata"]["generation"] = gen + (obj.get("spec") != old.get("spec"))


def _json_path(obj: dict[str, Any], path: str) -> Any:
    value: Any = obj
    for key in path.strip(".").split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def table_printer(rt: ResourceType, *, age: Callable[[dict[str, Any]], str]
                  ) -> tuple[list[dict[str, Any]], Callable[[dict[str, Any]], list[Any]]]:
    """Columns and row function for `kubectl get`: Name plus the CRD's printer columns
    (apiextensions-apiserver pkg/registry/customresource/tableconvertor: `date` columns print
    as an age, the rest as the JSONPath value)."""
    specs = printer_columns(rt)
    cols = [{"name": "Name", "type": "string", "format": "name", "description": "Name",
             "priority": 0}]
    cols += [{"name": c["name"], "type": c["type"], "format": "", "description": c["name"],
              "priority": c.get("priority", 0)} for c in specs]

    def row(obj: dict[str, Any]) -> list[Any]:
        cells: list[Any] = [obj["metadata"]["name"]]
        for c in specs:
            value = _json_path(obj, c["jsonPath"])
            cells.append(age(obj) if c["type"] == "date" else
                         "" if value is None else str(value))
        return cells

    return cols, row


def strict_check(rt: ResourceType, obj: Any) -> None:
    """`fieldValidation=Strict` (kubectl's default `--validate=strict`): a field the schema
    does not declare is a 400 instead of being pruned silently; message as the apiserver's
    strict decoding error (apiserver/pkg/endpoints/handlers: "cannot be handled as a ...")."""
    if not isinstance(obj, dict):
        return
    pruned: list[str] = []
    _validator(rt).validate(copy.deepcopy(obj), pruned=pruned)
    if pruned:
        fields = ", ".join(f'unknown field "{p}"' for p in pruned)
        raise bad_request(f'{rt.kind} in version "{rt.version}" cannot be handled as a '
                          f"{rt.kind}: strict decoding error: {fields}")
