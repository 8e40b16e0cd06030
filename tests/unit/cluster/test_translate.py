"""API failures become errors that say what was refused and what to do."""

from __future__ import annotations

import json

from kubectl_netpoltest.cluster.translate import Action, api_error, unreachable, websocket_error
from kubectl_netpoltest.errors import EphemeralUnsupported, Forbidden, NotFound

FORBIDDEN = json.dumps(
    {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "reason": "Forbidden",
        "code": 403,
        "message": 'pods "web-1" is forbidden: User "dev" cannot patch resource '
        '"pods/ephemeralcontainers" in API group "" in the namespace "shop"',
    }
)


def test_403_keeps_the_servers_message_and_names_the_permission() -> None:
    error = api_error(
        status=403,
        body=FORBIDDEN,
        reason="Forbidden",
        action=Action("patch", "pods/ephemeralcontainers", "shop", "web-1"),
    )
    assert isinstance(error, Forbidden)
    assert error.message.startswith('pods "web-1" is forbidden: User "dev" cannot patch')
    assert error.hint is not None
    assert "Needed: patch pods/ephemeralcontainers in namespace shop" in error.hint
    assert "kubectl auth can-i patch pods/ephemeralcontainers -n shop" in error.hint


def test_websocket_handshake_failures_keep_their_status() -> None:
    reason = (
        "Handshake status 403 Forbidden -+-+- {'content-type': 'application/json'} -+-+- "
        + FORBIDDEN
    )
    error = websocket_error(reason=reason, action=Action("create", "pods/exec", "shop", "web-1"))
    assert isinstance(error, Forbidden)
    assert "cannot patch resource" in error.message
    plain = websocket_error(
        reason="Handshake status 400 Bad Request -+-+- {'a': 'b'} -+-+- request line too long",
        action=Action("create", "pods/exec", "shop", "web-1"),
    )
    assert plain.message.endswith("HTTP 400: request line too long")


def test_missing_ephemeral_subresource_names_the_minimum_version() -> None:
    body = json.dumps(
        {
            "kind": "Status",
            "code": 404,
            "message": "the server could not find the requested resource",
            "details": {},
        }
    )
    error = api_error(
        status=404,
        body=body,
        reason="Not Found",
        action=Action("patch", "pods/ephemeralcontainers", "shop", "web-1"),
    )
    assert isinstance(error, EphemeralUnsupported)
    assert error.hint is not None and "1.25" in error.hint
    pod_missing = api_error(
        status=404,
        body=json.dumps({"message": 'pods "web-1" not found', "details": {"name": "web-1"}}),
        reason="",
        action=Action("patch", "pods/ephemeralcontainers", "shop", "web-1"),
    )
    assert isinstance(pod_missing, NotFound)


def test_unreachable_names_server_and_context() -> None:
    error = unreachable(server="https://10.1.2.3:6443", context="prod", detail="refused")
    assert error.message == "cannot reach https://10.1.2.3:6443 (context 'prod'): refused"
