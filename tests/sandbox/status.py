"""metav1.Status builders with the real codes, reasons and message formats.

Clients (kubectl, the Python client, the product) parse these, so the shapes follow
k8s.io/apimachinery/pkg/api/errors/errors.go (NewNotFound, NewForbidden, NewAlreadyExists,
NewInvalid, NewMethodNotSupported, NewBadRequest, NewInternalError, NewResourceExpired).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resource:
    """What an error names: `pods` in group "" (core) or `deployments.apps`."""

    group: str
    resource: str

    @property
    def qualified(self) -> str:
        # errors.go: qualifiedResource.String() is "resource" or "resource.group"
        return f"{self.resource}.{self.group}" if self.group else self.resource


class ApiError(Exception):
    """Raised anywhere in the server; the app turns it into the Status response."""

    def __init__(self, status: dict[str, Any]) -> None:
        super().__init__(status.get("message", ""))
        self.status = status

    @property
    def code(self) -> int:
        return int(self.status["code"])


def _status(*, code: int, reason: str, message: str, details: dict | None = None) -> dict:
    out: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        out["details"] = details
    return out


def success() -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}


def deleted(*, res: Resource, name: str, uid: str) -> dict:
    """What DELETE of a namespaced object returns for kinds that answer a Status."""
    out = success()
    out["details"] = {"name": name, "group": res.group, "kind": res.resource, "uid": uid}
    return out


def not_found(*, res: Resource, name: str) -> ApiError:
    # errors.go NewNotFound: `%s "%s" not found`
    return ApiError(_status(
        code=404, reason="NotFound", message=f'{res.qualified} "{name}" not found',
        details={"name": name, "group": res.group, "kind": res.resource} if name else
        {"group": res.group, "kind": res.resource}))


def path_not_found() -> ApiError:
    """The 404 the real server gives for an unknown path (no resource named)."""
    return ApiError(_status(code=404, reason="NotFound",
                            message="the server could not find the requested resource",
                            details={}))


def already_exists(*, res: Resource, name: str) -> ApiError:
    return ApiError(_status(
        code=409, reason="AlreadyExists", message=f'{res.qualified} "{name}" already exists',
        details={"name": name, "group": res.group, "kind": res.resource}))


def conflict(*, res: Resource, name: str, why: str) -> ApiError:
    return ApiError(_status(
        code=409, reason="Conflict",
        message=f'Operation cannot be fulfilled on {res.qualified} "{name}": {why}',
        details={"name": name, "group": res.group, "kind": res.resource}))


def forbidden(*, user: str, verb: str, res: Resource, subresource: str = "", name: str = "",
              namespace: str = "") -> ApiError:
    """RBAC denial; message format of the apiserver's authorization filter.

    k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage:
    `User "u" cannot patch resource "pods/ephemeralcontainers" in API group "" in the
    namespace "ns"`, wrapped by NewForbidden as `pods "x" is forbidden: <that>`.
    """
    resource = f"{res.resource}/{subresource}" if subresource else res.resource
    why = f'User "{user}" cannot {verb} resource "{resource}" in API group "{res.group}"'
    why += f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    return forbidden_reason(res=res, name=name, why=why)


def forbidden_reason(*, res: Resource, name: str, why: str) -> ApiError:
    # errors.go NewForbidden: `%s "%s" is forbidden: %v`, or `%s is forbidden: %v` without name
    head = f'{res.qualified} "{name}"' if name else res.qualified
    return ApiError(_status(
        code=403, reason="Forbidden", message=f"{head} is forbidden: {why}",
        details={"name": name, "group": res.group, "kind": res.resource} if name else
        {"group": res.group, "kind": res.resource}))


def unauthorized() -> ApiError:
    return ApiError(_status(code=401, reason="Unauthorized", message="Unauthorized"))


@dataclass(frozen=True)
class Cause:
    field: str
    message: str
    reason: str = "FieldValueInvalid"


def invalid(*, kind: str, group: str, name: str, causes: list[Cause]) -> ApiError:
    """422 Invalid; errors.go NewInvalid joins `field: message` of each cause.

    Message: `Pod "web-1" is invalid: spec.ephemeralContainers: Forbidden: existing
    ephemeral containers "dbg" may not be changed` (validation.go
    ValidatePodEphemeralContainersUpdate).
    """
    qualified = f"{kind}.{group}" if group else kind
    parts = [f"{c.field}: {c.message}" for c in causes]
    agg = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return ApiError(_status(
        code=422, reason="Invalid", message=f'{qualified} "{name}" is invalid: {agg}',
        details={"name": name, "group": group, "kind": kind,
                 "causes": [{"reason": c.reason, "message": c.message, "field": c.field}
                            for c in causes]}))


def method_not_allowed(*, res: Resource, action: str) -> ApiError:
    # errors.go NewMethodNotSupported: `%s is not supported on resources of kind %q`
    return ApiError(_status(
        code=405, reason="MethodNotAllowed",
        message=f'{action} is not supported on resources of kind "{res.qualified}"',
        details={"group": res.group, "kind": res.resource}))


def bad_request(message: str) -> ApiError:
    return ApiError(_status(code=400, reason="BadRequest", message=message))


def unsupported_media(content_type: str) -> ApiError:
    # handlers/rest.go: `the body of the request was in an unknown format - accepted media
    # types include: ...`
    return ApiError(_status(code=415, reason="UnsupportedMediaType",
                            message="the body of the request was in an unknown format - "
                                    "accepted media types include: application/json, "
                                    "application/yaml, application/json-patch+json, "
                                    "application/merge-patch+json, "
                                    "application/strategic-merge-patch+json",
                            details={"causes": [{"reason": "UnexpectedServerResponse",
                                                 "message": content_type}]}))


def gone(message: str) -> ApiError:
    # NewResourceExpired: 410 "Expired"; the watch cache says "too old resource version: X (Y)"
    return ApiError(_status(code=410, reason="Expired", message=message))


def internal_error(message: str) -> ApiError:
    # NewInternalError: `Internal error occurred: %v`
    return ApiError(_status(code=500, reason="InternalError",
                            message=f"Internal error occurred: {message}",
                            details={"causes": [{"message": message}]}))
