"""Which validation runs for which kind: the registry strategies' Validate (create) and
ValidateUpdate (update), pkg/registry/<group>/<kind>/strategy.go."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tests.sandbox.validation import core, networking
from tests.sandbox.validation.field import FieldError, to_invalid

Check = Callable[[Mapping[str, Any], Mapping[str, Any] | None], list[FieldError]]

_CHECKS: dict[str, Check] = {
    "NetworkPolicy": networking.validate_network_policy,
    "Namespace": lambda obj, old: core.validate_namespace(obj),
    "Service": lambda obj, old: core.validate_service(obj),
    "Pod": lambda obj, old: core.validate_pod(obj),
    "Deployment": lambda obj, old: core.validate_workload(obj),
    "ReplicaSet": lambda obj, old: core.validate_workload(obj),
}


def errors_for(kind: str, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None
               ) -> list[FieldError]:
    check = _CHECKS.get(kind)
    return check(obj, old) if check else []


def validate(*, kind: str, group: str, obj: Mapping[str, Any],
             old: Mapping[str, Any] | None = None) -> None:
    """Raise the 422 Invalid Status kube-apiserver gives, or return when the object is valid."""
    errs = errors_for(kind, obj, old)
    if errs:
        name = (obj.get("metadata") or {}).get("name") or ""
        raise to_invalid(kind=kind, group=group, name=name, errors=errs)
