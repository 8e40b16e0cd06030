"""The 400 a Go JSON decoder gives when a field has the wrong JSON type.

kube-apiserver decodes the body into typed Go structs before anything else, so
`matchLabels: {ns: y}` from kubectl (go-yaml reads `y` as the boolean true) never reaches
validation: it is `BadRequest` with encoding/json's UnmarshalTypeError text, wrapped by the
codec as `<Kind> in version "<v>" cannot be handled as a <Kind>: ...`. The Go error names the
innermost struct and the JSON path without list indexes:
`json: cannot unmarshal bool into Go struct field LabelSelector.spec.podSelector.matchLabels
of type string`. Only the fields a policy test meets are typed here: label maps, selectors,
ports and CIDRs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.sandbox.status import ApiError

_META = [("metadata.labels", "ObjectMeta", "map[string]string"),
         ("metadata.annotations", "ObjectMeta", "map[string]string")]


def _selector(prefix: str) -> list[tuple[str, str, str]]:
    return [(f"{prefix}.matchLabels", "LabelSelector", "map[string]string")]


def _peers(direction: str, peers: str) -> list[tuple[str, str, str]]:
    rule = f"spec.{direction}[].{peers}[]"
    return [*_selector(f"{rule}.podSelector"), *_selector(f"{rule}.namespaceSelector"),
            (f"{rule}.ipBlock.cidr", "IPBlock", "string"),
            (f"spec.{direction}[].ports[].endPort", "NetworkPolicyPort", "int32"),
            (f"spec.{direction}[].ports[].port", "NetworkPolicyPort", "IntOrString"),
            (f"spec.{direction}[].ports[].protocol", "NetworkPolicyPort", "v1.Protocol")]


_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "NetworkPolicy": [*_META, *_selector("spec.podSelector"), *_peers("ingress", "from"),
                      *_peers("egress", "to")],
    "Pod": [*_META, ("spec.containers[].ports[].containerPort", "ContainerPort", "int32"),
            ("spec.containers[].ports[].protocol", "ContainerPort", "v1.Protocol")],
    "Service": [*_META, ("spec.selector", "ServiceSpec", "map[string]string"),
                ("spec.ports[].port", "ServicePort", "int32"),
                ("spec.ports[].targetPort", "ServicePort", "IntOrString")],
    "Namespace": _META,
    "Deployment": [*_META, *_selector("spec.selector"),
                   ("spec.template.metadata.labels", "ObjectMeta", "map[string]string")],
}
_FIELDS["ReplicaSet"] = _FIELDS["Deployment"]


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _walk(obj: Any, parts: list[str]) -> Iterator[Any]:
    """Values at a dotted path; `x[]` steps into every element of list x; absent → nothing."""
    if not parts:
        yield obj
        return
    if not isinstance(obj, dict):
        return
    head, rest = parts[0], parts[1:]
    key = head.removesuffix("[]")
    value = obj.get(key)
    if value is None:
        return
    if head.endswith("[]"):
        for item in value if isinstance(value, list) else []:
            yield from _walk(item, rest)
    else:
        yield from _walk(value, rest)


def _mismatch(value: Any, go_type: str) -> str | None:
    """The JSON type that cannot go into go_type, or None when it fits."""
    if go_type == "map[string]string":
        if not isinstance(value, dict):
            return _json_type(value)
        bad = [v for v in value.values() if v is not None and not isinstance(v, str)]
        return _json_type(bad[0]) if bad else None
    if go_type in ("int32", "IntOrString"):
        if go_type == "IntOrString" and isinstance(value, str):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and \
                -(1 << 31) <= value < (1 << 31):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"number {value}"  # UnmarshalTypeError{Value: "number " + literal}
        return _json_type(value)
    return None if isinstance(value, str) else _json_type(value)


def check_types(*, kind: str, api_version: str, obj: Any) -> None:
    """Raise the decoder's 400 for the first mistyped field (encoding/json order aside)."""
    for path, struct, go_type in _FIELDS.get(kind, []):
        for value in _walk(obj, path.split(".")):
            got = _mismatch(value, go_type)
            if got is None:
                continue
            elem = "string" if go_type == "map[string]string" and isinstance(value, dict) \
                else go_type
            version = api_version.rsplit("/", 1)[-1]
            where = path.replace("[]", "")
            # intstr.IntOrString.UnmarshalJSON decodes on its own: Go names no struct field
            target = "Go value of type int32" if go_type == "IntOrString" else \
                f"Go struct field {struct}.{where} of type {elem}"
            raise ApiError({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": f'{kind} in version "{version}" cannot be handled as a {kind}: '
                           f"json: cannot unmarshal {got} into {target}",
                "reason": "BadRequest", "code": 400})
