"""Read-only list calls for the policy evaluator: one per kind, never one per probe.

`explain`, `coverage` and execute's predictions need the cluster's Namespaces, Pods,
Services, EndpointSlices and NetworkPolicies as plain Kubernetes JSON — the same shape the
evaluator reads from manifest files. Each kind is listed once for all namespaces; when RBAC
allows only some namespaces, the caller falls back to one list per namespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from kubectl_netpoltest.cluster.rawrest import RawRest
from kubectl_netpoltest.cluster.translate import Action

if TYPE_CHECKING:  # annotations only: importing the client here put it on every `--help`
    from kubernetes import client as k8s

    from kubectl_netpoltest.cluster.kube import KubernetesGateway


class Kind(StrEnum):
    """Listable kinds, with their API path prefix and RBAC resource name."""

    NAMESPACES = "namespaces"
    PODS = "pods"
    SERVICES = "services"
    ENDPOINTSLICES = "endpointslices"
    NETWORKPOLICIES = "networkpolicies"

    @property
    def base(self) -> str:
        if self is Kind.ENDPOINTSLICES:
            return "/apis/discovery.k8s.io/v1"
        if self is Kind.NETWORKPOLICIES:
            return "/apis/networking.k8s.io/v1"
        return "/api/v1"

    @property
    def resource(self) -> str:
        if self is Kind.ENDPOINTSLICES:
            return "endpointslices.discovery.k8s.io"
        if self is Kind.NETWORKPOLICIES:
            return "networkpolicies.networking.k8s.io"
        return self.value

    @property
    def namespaced(self) -> bool:
        return self is not Kind.NAMESPACES


class ObjectReader(Protocol):
    """`list_objects` raises `Forbidden` on a 403, other `ClusterError`s on the rest."""

    def list_objects(self, *, kind: Kind, namespace: str | None) -> list[Mapping[str, Any]]: ...


class KubernetesObjectReader:
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

    def list_objects(self, *, kind: Kind, namespace: str | None) -> list[Mapping[str, Any]]:
        path = (
            f"{kind.base}/namespaces/{namespace}/{kind.value}"
            if namespace and kind.namespaced
            else f"{kind.base}/{kind.value}"
        )
        found = self._rest.request(Action("list", kind.resource, namespace), "GET", path)
        return list(found.get("items") or [])


def reader_for(
    gateway: KubernetesGateway,
    *,
    context: str | None,
    request_timeout: float | None,
    verbosity: int = 0,
) -> KubernetesObjectReader:
    """A reader sharing the gateway's ApiClient: same credentials, TLS and --as headers."""
    return KubernetesObjectReader(
        api_client=gateway._core.api_client,  # the gateway's own client
        context=context,
        request_timeout=request_timeout,
        verbosity=verbosity,
    )
