"""Structural-schema validation of custom resources, as kube-apiserver's apiextensions does it.

The sandbox serves the admin-tier kinds from their *real* CRD files (vendored next to this
module), so what it accepts and rejects is whatever those schemas say, not a hand-written
copy. This module walks an `openAPIV3Schema` the way apiextensions-apiserver does on create and
update:

1. pruning: fields the schema does not declare are dropped (structural pruning,
   apiextensions-apiserver pkg/apiserver/schema/pruning);
2. defaulting: `default:` values are filled in where a field is absent
   (pkg/apiserver/schema/defaulting);
3. OpenAPI validation (kube-openapi pkg/validation/validate), with the errors converted to
   field errors exactly as `kubeOpenAPIResultToFieldErrors` in
   apiextensions-apiserver/pkg/apiserver/validation/validation.go does (Required,
   NotSupported, TooLong, TooMany, TypeInvalid, everything else Invalid with the go-openapi
   message such as `spec.priority in body should be less than or equal to 1000`);
4. `x-kubernetes-list-type: set` uniqueness (Duplicate value) and the CEL rules of
   `x-kubernetes-validations` (see cel.py: only the rules these CRDs use are known; an unknown
   rule is an error at load time, so a newer CRD can never be validated silently less).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from tests.sandbox.status import Cause

Rule = Callable[[Any], bool]


def _go_value(value: Any) -> str:
    """How field.Error prints a value: strings quoted, numbers bare, the rest as JSON."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _type_ok(want: str, value: Any) -> bool:
    have = _type_of(value)
    return have == want or (want == "number" and have == "integer")


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Validator:
    """One CRD version's schema; `validate` prunes and defaults `obj` in place."""

    def __init__(self, schema: Mapping[str, Any], rules: Mapping[str, Rule]) -> None:
        self._schema = schema
        self._rules = rules
        self._pruned: list[str] = []
        self._check_rules(schema)

    def _check_rules(self, node: Any) -> None:
        if isinstance(node, dict):
            for xv in node.get("x-kubernetes-validations") or ():
                if xv["rule"] not in self._rules:
                    raise ValueError(f"CEL rule not implemented by the sandbox: {xv['rule']}")
            for value in node.values():
                self._check_rules(value)
        elif isinstance(node, list):
            for value in node:
                self._check_rules(value)

    def validate(self, obj: dict[str, Any], *, pruned: list[str] | None = None) -> list[Cause]:
        """Prune, default and validate `obj` in place; the paths of pruned (unknown) fields
        go to `pruned`, for `fieldValidation=Strict`."""
        causes: list[Cause] = []
        self._pruned = pruned if pruned is not None else []
        self._walk(self._schema, obj, "", causes, root=True)
        return causes

    # ------------------------------------------------------------------ the walk

    def _walk(self, schema: Mapping[str, Any], value: Any, path: str, causes: list[Cause],
              *, root: bool = False) -> bool:
        """Validate one node; returns False when its type is wrong (CEL then skips it)."""
        want = schema.get("type")
        if want and not _type_ok(want, value):
            causes.append(Cause(path or "<nil>", f"Invalid value: {_go_value(value)}: "
                                f"{path or 'body'} in body must be of type {want}: "
                                f'"{_type_of(value)}"', "FieldValueTypeInvalid"))
            return False
        if want == "object" or "properties" in schema:
            self._object(schema, value, path, causes, root=root)
        elif want == "array":
            self._array(schema, value, path, causes)
        else:
            self._scalar(schema, value, path, causes)
        for xv in schema.get("x-kubernetes-validations") or ():
            if not self._rules[xv["rule"]](value):
                causes.append(Cause(path or "<nil>", f'Invalid value: "{want or "object"}": '
                                    f"{xv['message']}"))
        return True

    def _object(self, schema: Mapping[str, Any], value: dict[str, Any], path: str,
                causes: list[Cause], *, root: bool) -> None:
        props: Mapping[str, Any] = schema.get("properties") or {}
        if props and not schema.get("x-kubernetes-preserve-unknown-fields"):
            for key in [k for k in value if k not in props]:
                if not (root and key in ("apiVersion", "kind", "metadata")):
                    del value[key]  # structural pruning
                    self._pruned.append(_child(path, key))
        for key, sub in props.items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
        for key in schema.get("required") or ():
            if key not in value:
                causes.append(Cause(_child(path, key), "Required value", "FieldValueRequired"))
        n = len(value)
        if "maxProperties" in schema and n > schema["maxProperties"]:
            causes.append(Cause(path, f"Too many: {n}: must have at most "
                                f"{schema['maxProperties']} items", "FieldValueTooMany"))
        if "minProperties" in schema and n < schema["minProperties"]:
            causes.append(Cause(path, f"Invalid value: {n}: {path} in body should have at "
                                f"least {schema['minProperties']} properties"))
        for key, sub in props.items():
            if key in value and not (root and key == "metadata"):
                self._walk(sub, value[key], _child(path, key), causes)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, item in value.items():
                self._walk(extra, item, _child(path, key), causes)

    def _array(self, schema: Mapping[str, Any], value: list[Any], path: str,
               causes: list[Cause]) -> None:
        n = len(value)
        if "maxItems" in schema and n > schema["maxItems"]:
            causes.append(Cause(path, f"Too many: {n}: must have at most "
                                f"{schema['maxItems']} items", "FieldValueTooMany"))
        if "minItems" in schema and n < schema["minItems"]:
            causes.append(Cause(path, f"Invalid value: {n}: {path} in body should have at "
                                f"least {schema['minItems']} items"))
        items = schema.get("items")
        if items:
            for i, item in enumerate(value):
                self._walk(items, item, f"{path}[{i}]", causes)
        if schema.get("x-kubernetes-list-type") == "set":
            seen: list[Any] = []
            for i, item in enumerate(value):
                if item in seen:
                    causes.append(Cause(f"{path}[{i}]", f"Duplicate value: {_go_value(item)}",
                                        "FieldValueDuplicate"))
                seen.append(item)

    def _scalar(self, schema: Mapping[str, Any], value: Any, path: str,
                causes: list[Cause]) -> None:
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(_go_value(v) for v in schema["enum"])
            causes.append(Cause(path, f"Unsupported value: {_go_value(value)}: supported "
                                f"values: {allowed}", "FieldValueNotSupported"))
        if isinstance(value, int | float) and not isinstance(value, bool):
            if "maximum" in schema and value > schema["maximum"]:
                causes.append(Cause(path, f"Invalid value: {_go_value(value)}: {path} in body "
                                    f"should be less than or equal to {schema['maximum']}"))
            if "minimum" in schema and value < schema["minimum"]:
                causes.append(Cause(path, f"Invalid value: {_go_value(value)}: {path} in body "
                                    f"should be greater than or equal to {schema['minimum']}"))
        if isinstance(value, str):
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                causes.append(Cause(path, f"Too long: may not be more than "
                                    f"{schema['maxLength']} bytes", "FieldValueTooLong"))
            if "pattern" in schema and not re.search(schema["pattern"], value):
                causes.append(Cause(path, f"Invalid value: {_go_value(value)}: {path} in body "
                                    f"should match '{schema['pattern']}'"))
