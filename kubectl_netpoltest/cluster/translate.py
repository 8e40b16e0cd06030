"""Turn client-library failures into our own errors at the border, with what to do about them.

The Kubernetes client raises `ApiException` (REST, with a Status JSON body as text), the same
class with status 0 for every websocket failure ("Handshake status 403 Forbidden ..." followed by
the body), urllib3 errors for an unreachable server and `ConfigException` for kubeconfig
trouble. Nothing of these leaks past `cluster/`: each becomes a `ClusterError` subclass whose
message names the object, the permission or the server involved.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import urllib3

from kubectl_netpoltest.errors import (
    ClusterError,
    Conflict,
    EphemeralUnsupported,
    Forbidden,
    NotFound,
    Unreachable,
)

_HANDSHAKE = re.compile(r"Handshake status (\d{3})")

UNREACHABLE = (
    urllib3.exceptions.MaxRetryError,
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.TimeoutError,
    ConnectionError,
    OSError,
)
"""What the client raises when the server could not be reached or the connection broke."""


def short_error(exc: BaseException) -> str:
    """The first line of an exception's text, bounded: client errors can be pages long."""
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:300]


@dataclass(frozen=True)
class Action:
    """What we were doing, for messages: e.g. "patch" "pods/ephemeralcontainers"."""

    verb: str
    resource: str
    namespace: str | None = None
    name: str | None = None

    def describe(self) -> str:
        target = f"{self.resource}"
        if self.name:
            target += f" {self.name!r}"
        if self.namespace:
            target += f" in namespace {self.namespace!r}"
        return f"{self.verb} {target}"


def _status_from_text(text: str) -> dict[str, Any]:
    if "-+-+-" in text:
        text = text.rsplit("-+-+-", 1)[-1]
    start = text.find("{")
    if start < 0:
        return {}
    try:
        data = json.loads(text[start:])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def api_error(*, status: int, body: str, reason: str, action: Action) -> ClusterError:
    """Map an HTTP failure to a ClusterError; `body` is the raw response text."""
    data = _status_from_text(body)
    # websocket-client's text: "Handshake status 400 Bad Request -+-+- {headers} -+-+- body"
    plain = body.rsplit("-+-+-", 1)[-1].strip() if "-+-+-" in body else ""
    message = str(data.get("message") or plain or reason or "no message").strip()
    if status == 0 and _untrusted(f"{body} {reason}"):
        return untrusted_certificate(
            where=f"the API server (while trying to {action.describe()})",
            detail=message if _untrusted(message) else f"{reason} {body}".strip(),
        )
    if status == 401:
        return Forbidden(
            f"the cluster did not accept our credentials while trying to "
            f"{action.describe()}: {message}",
            hint="Log in again or refresh the kubeconfig's credentials.",
        )
    if status == 403 and "violates PodSecurity" in message:
        return _pod_security(message, action)
    if status == 403:
        flag = f" -n {action.namespace}" if action.namespace else ""
        where = f" in namespace {action.namespace}" if action.namespace else ""
        return Forbidden(
            message,
            hint=f"Needed: {action.verb} {action.resource}{where}. Check with: kubectl auth "
            f"can-i {action.verb} {action.resource}{flag}; `kubectl netpoltest rbac` prints the "
            "Role the tool needs.",
        )
    if status == 404:
        if action.resource == "pods/ephemeralcontainers":
            details = data.get("details") or {}
            if not details.get("name"):
                return EphemeralUnsupported(
                    "the cluster has no pods/ephemeralcontainers API",
                    hint="kubectl-netpoltest needs Kubernetes 1.25 or later (ephemeral "
                    "containers GA).",
                )
        return NotFound(f"{message} (while trying to {action.describe()})")
    if status == 409:
        return Conflict(f"{message} (while trying to {action.describe()})")
    if status == 422:
        return ClusterError(f"the cluster rejected the request to {action.describe()}: {message}")
    return ClusterError(f"could not {action.describe()}: HTTP {status}: {message}")


_POD_SECURITY = re.compile(r'violates PodSecurity "(\w+):([\w.]+)"')


def _pod_security(message: str, action: Action) -> Forbidden:
    """Pod Security admission, not RBAC: the permission is there, the pod is what is refused.
    It judges the whole pod with our container added, so an app container that breaks the
    namespace's level makes any ephemeral container fail (pod-security-admission checks the
    pods/ephemeralcontainers update like a pod create)."""
    match = _POD_SECURITY.search(message)
    level = match.group(1) if match else "the"
    where = f" of namespace {action.namespace}" if action.namespace else ""
    return Forbidden(
        message,
        hint=f"Pod Security admission enforces the {level!r} level{where} "
        "(label pod-security.kubernetes.io/enforce) and judges the pod together with the debug "
        "container. The default debug container passes 'restricted' (non-root 65532, no "
        "privilege escalation, capabilities dropped, RuntimeDefault seccomp): if the violation "
        "is the debug container's, use an --image that runs as a non-root user; if it is the "
        "pod's own (its app containers break the level), ask for the namespace's level to "
        "allow the pod or pick another source pod.",
    )


def websocket_error(*, reason: str, action: Action) -> ClusterError:
    """The client flattens websocket failures into text; recover the HTTP status from it."""
    match = _HANDSHAKE.search(reason)
    if match:
        return api_error(status=int(match.group(1)), body=reason, reason=reason, action=action)
    return ClusterError(f"could not {action.describe()}: {reason}")


def _untrusted(text: str) -> bool:
    return "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text


def untrusted_certificate(*, where: str, detail: str) -> Unreachable:
    """The server answered the TLS handshake, so it is up: its certificate is not trusted."""
    detail = " ".join(detail.split())
    return Unreachable(
        f"{where} answered, but its TLS certificate is not trusted: {detail}",
        hint="The kubeconfig's certificate-authority(-data) for this cluster does not sign the "
        "server's certificate: fix or refresh the kubeconfig (or check that the server "
        "address is the right cluster's).",
    )


def unreachable(*, server: str | None, context: str | None, detail: str) -> Unreachable:
    where = server or "the API server"
    ctx = f" (context {context!r})" if context else ""
    if _untrusted(detail):
        return untrusted_certificate(where=f"{where}{ctx}", detail=detail)
    return Unreachable(
        f"cannot reach {where}{ctx}: {detail}",
        hint="Check that the cluster is up and that --context/--kubeconfig point at it.",
    )
