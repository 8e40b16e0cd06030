"""KubernetesInspector: `ClusterInspector` over the official client's plain REST transport.

Raw paths rather than the generated API classes, because several reads (CRDs such as Calico's
FelixConfiguration, discovery documents) have no generated method, and because the answers are
wanted as plain JSON anyway. Authentication, TLS and proxies still come from the client's
`ApiClient`, configured exactly like the gateway's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from kubernetes import client as k8s

from kubectl_netpoltest.cluster.inspector import AccessReview, PodDetails, ServerVersion
from kubectl_netpoltest.cluster.kube import KubernetesGateway
from kubectl_netpoltest.cluster.podjson import pod_info
from kubectl_netpoltest.cluster.rawrest import RawRest
from kubectl_netpoltest.cluster.translate import UNREACHABLE, Action, api_error, unreachable
from kubectl_netpoltest.errors import NotFound

_STRATEGIC = "application/strategic-merge-patch+json"


def _number(text: str) -> int:
    """`minor` may read "27+" on managed clusters (GKE, EKS)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits else 0


class KubernetesInspector:
    """Read-only REST calls, errors translated like the gateway's."""

    def __init__(
        self,
        *,
        api_client: k8s.ApiClient,
        context: str | None,
        request_timeout: float | None,
        verbosity: int = 0,
    ) -> None:
        self._rest = RawRest(
            api_client=api_client,
            context=context,
            request_timeout=request_timeout,
            verbosity=verbosity,
        )
        self._client = api_client

    def _request(
        self,
        action: Action,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str = "application/json",
    ) -> Any:
        return self._rest.request(
            action, method, path, query=query, body=body, content_type=content_type
        )

    def _get_or_none(self, action: Action, path: str) -> Mapping[str, Any] | None:
        try:
            data = self._request(action, "GET", path)
        except NotFound:
            return None
        return data if isinstance(data, dict) else None

    # ------------------------------------------------------------------ reads

    def server_version(self) -> ServerVersion:
        data = self._request(Action("get", "version"), "GET", "/version")
        return ServerVersion(
            major=_number(str(data.get("major", ""))),
            minor=_number(str(data.get("minor", ""))),
            git_version=str(data.get("gitVersion", "")),
        )

    def served_resources(self, *, group_version: str) -> frozenset[str] | None:
        path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        data = self._get_or_none(Action("get", f"discovery {group_version}"), path)
        if data is None:
            return None
        return frozenset(str(r.get("name", "")) for r in data.get("resources") or [])

    def can_i(self, *, verb: str, resource: str, group: str, namespace: str | None) -> AccessReview:
        plural, _, subresource = resource.partition("/")
        attributes = {"verb": verb, "group": group, "resource": plural}
        if subresource:
            attributes["subresource"] = subresource
        if namespace:
            attributes["namespace"] = namespace
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attributes},
        }
        data = self._request(
            Action("create", "selfsubjectaccessreviews.authorization.k8s.io"),
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            body=body,
        )
        status = data.get("status") or {}
        shown = f"{plural}.{group}" if group and not subresource else resource
        return AccessReview(
            verb=verb,
            resource=shown,
            namespace=namespace,
            allowed=bool(status.get("allowed")),
            reason=str(status.get("reason") or status.get("evaluationError") or ""),
        )

    def get_namespace(self, *, name: str) -> Mapping[str, Any] | None:
        return self._get_or_none(
            Action("get", "namespaces", None, name), f"/api/v1/namespaces/{name}"
        )

    def list_namespaces(self) -> list[Mapping[str, Any]]:
        data = self._request(Action("list", "namespaces"), "GET", "/api/v1/namespaces")
        return list(data.get("items") or [])

    def list_pods(self, *, namespace: str | None) -> list[PodDetails]:
        path = f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"
        data = self._request(Action("list", "pods", namespace), "GET", path)
        return [PodDetails(info=pod_info(item), raw=item) for item in data.get("items") or []]

    def get_config_map(self, *, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._get_or_none(
            Action("get", "configmaps", namespace, name),
            f"/api/v1/namespaces/{namespace}/configmaps/{name}",
        )

    def get_cluster_object(
        self, *, group: str, version: str, plural: str, name: str
    ) -> Mapping[str, Any] | None:
        return self._get_or_none(
            Action("get", f"{plural}.{group}", None, name),
            f"/apis/{group}/{version}/{plural}/{name}",
        )

    def list_network_policies(self, *, namespace: str | None) -> list[Mapping[str, Any]]:
        base = "/apis/networking.k8s.io/v1"
        path = (
            f"{base}/namespaces/{namespace}/networkpolicies"
            if namespace
            else (f"{base}/networkpolicies")
        )
        data = self._request(
            Action("list", "networkpolicies.networking.k8s.io", namespace), "GET", path
        )
        return list(data.get("items") or [])

    def watch_network_policies(
        self,
        *,
        namespace: str,
        timeout_seconds: int,
        on_listed: Callable[[Mapping[str, str]], None] | None = None,
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        path = f"/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies"
        action = Action("watch", "networkpolicies.networking.k8s.io", namespace)
        listed = self._request(action, "GET", path)
        version = str((listed.get("metadata") or {}).get("resourceVersion", ""))
        if on_listed is not None:
            on_listed(
                {
                    str((item.get("metadata") or {}).get("name")): str(
                        (item.get("metadata") or {}).get("resourceVersion")
                    )
                    for item in listed.get("items") or []
                }
            )
        query = [
            ("watch", "1"),
            ("resourceVersion", version),
            ("timeoutSeconds", str(timeout_seconds)),
        ]
        params = self._client.param_serialize(
            method="GET",
            resource_path=path,
            query_params=query,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        try:
            response = self._client.call_api(*params, _request_timeout=timeout_seconds + 10)
            if response.status != 200:
                data: bytes = response.read()  # type: ignore[no-untyped-call]
                raise api_error(
                    status=int(response.status),
                    body=data.decode("utf-8", "replace"),
                    reason=str(response.reason or ""),
                    action=action,
                )
            buffer = b""
            for chunk in response.response.stream(4096, decode_content=True):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.strip():
                        event = json.loads(line)
                        if event.get("type") in ("ADDED", "MODIFIED", "DELETED"):
                            yield str(event["type"]), event.get("object") or {}
                        elif event.get("type") == "ERROR":
                            return  # 410 Gone and the like: the caller lists again
        except UNREACHABLE as exc:
            raise unreachable(
                server=self._rest.host, context=self._rest.context, detail=str(exc)[:300]
            ) from exc

    def dry_run_ephemeral(self, *, namespace: str, pod: str, container: Mapping[str, Any]) -> None:
        self._request(
            Action("patch", "pods/ephemeralcontainers", namespace, pod),
            "PATCH",
            f"/api/v1/namespaces/{namespace}/pods/{pod}/ephemeralcontainers",
            query=[("dryRun", "All")],
            body={"spec": {"ephemeralContainers": [dict(container)]}},
            content_type=_STRATEGIC,
        )


def inspector_for(
    gateway: KubernetesGateway,
    *,
    context: str | None,
    request_timeout: float | None,
    verbosity: int = 0,
) -> KubernetesInspector:
    """An inspector sharing the gateway's ApiClient: same credentials, TLS and --as headers."""
    return KubernetesInspector(
        api_client=gateway._core.api_client,  # the gateway's own client, impersonation included
        context=context,
        request_timeout=request_timeout,
        verbosity=verbosity,
    )
