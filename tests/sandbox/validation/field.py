"""field.Error and friends (k8s.io/apimachinery/pkg/util/validation/field/errors.go), and
NewInvalid (k8s.io/apimachinery/pkg/api/errors/errors.go): how a list of field errors becomes
the 422 Status with `details.causes`.

Why a port and not just a message: kubectl and the product show `message`, tests and
clients read `causes[].field`/`reason`, so both must come out exactly as upstream builds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.sandbox.status import ApiError

# ErrorType → (reason, ErrorType.String())
_TYPES = {
    "Invalid": ("FieldValueInvalid", "Invalid value"),
    "Required": ("FieldValueRequired", "Required value"),
    "Duplicate": ("FieldValueDuplicate", "Duplicate value"),
    "NotSupported": ("FieldValueNotSupported", "Unsupported value"),
    "Forbidden": ("FieldValueForbidden", "Forbidden"),
    "TooLong": ("FieldValueTooLong", "Too long"),
}
_NO_VALUE = {"Required", "Forbidden", "TooLong"}


@dataclass(frozen=True)
class GoRepr:
    """A bad value printed with Go's %#v, e.g. `[]networking.PolicyType{"Ingress"}`."""

    text: str


@dataclass(frozen=True)
class FieldError:
    type: str          # a key of _TYPES
    field: str         # field.Path.String(): `spec.ingress[0].ports[1].port`
    value: Any = None
    detail: str = ""

    @property
    def reason(self) -> str:
        return _TYPES[self.type][0]

    def body(self) -> str:
        """Error.ErrorBody(): `Invalid value: "x": detail` (no value for Required etc.)."""
        label = _TYPES[self.type][1]
        s = label if self.type in _NO_VALUE else f"{label}: {go_value(self.value)}"
        return f"{s}: {self.detail}" if self.detail else s

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


def go_value(value: Any) -> str:
    """ErrorBody's value printing: %v for numbers and bools, %q for strings, null for nil."""
    if isinstance(value, GoRepr):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # Go %q for the printable cases
    return repr(value)


def invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError("Invalid", path, value, detail)


def required(path: str, detail: str = "") -> FieldError:
    return FieldError("Required", path, "", detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError("Forbidden", path, "", detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError("Duplicate", path, value)


def not_supported(path: str, value: Any, valid: list[str]) -> FieldError:
    # field.NotSupported: `supported values: "TCP", "UDP"`
    detail = "supported values: " + ", ".join(json.dumps(v) for v in valid) if valid else ""
    return FieldError("NotSupported", path, value, detail)


def to_invalid(*, kind: str, group: str, name: str, errors: list[FieldError]) -> ApiError:
    """errors.NewInvalid: 422, one cause per error, message from ErrorList.ToAggregate()
    (duplicates by message dropped; one error bare, several in `[a, b]`)."""
    qualified = f"{kind}.{group}" if group else kind
    msgs: list[str] = []
    for e in errors:
        if str(e) not in msgs:
            msgs.append(str(e))
    agg = msgs[0] if len(msgs) == 1 else "[" + ", ".join(msgs) + "]"
    return ApiError({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'{qualified} "{name}" is invalid: {agg}', "reason": "Invalid",
        "details": {"name": name, "group": group, "kind": kind,
                    "causes": [{"reason": e.reason, "message": e.body(), "field": e.field}
                               for e in errors]},
        "code": 422})
