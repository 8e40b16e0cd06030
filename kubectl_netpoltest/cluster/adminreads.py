"""Which admin-tier kinds the cluster serves, and their objects (read-only).

Discover, don't assume: clusters serve different versions of these CRDs, or none. The group
`policy.networking.k8s.io` may serve ClusterNetworkPolicy (v1alpha2), AdminNetworkPolicy and
BaselineAdminNetworkPolicy (v1alpha1), all cluster-scoped. One discovery request per version
this tool understands tells which are served (404: that version is not served); then one list
per served kind, always through the group-qualified path, never a kind or short name (Antrea
and Cilium have other `ClusterNetworkPolicy`/`cnp` kinds). A 403 on a list is not an error:
the kind is reported unreadable, so predictions can say so instead of silently leaving the
tier out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only an annotation: importing the client here put it on every `--help`
    from kubernetes import client as k8s

    from kubectl_netpoltest.cluster.kube import KubernetesGateway

from kubectl_netpoltest.cluster.rawrest import RawRest
from kubectl_netpoltest.cluster.translate import Action
from kubectl_netpoltest.errors import Forbidden, NotFound

GROUP = "policy.networking.k8s.io"
KNOWN: tuple[tuple[str, str, str], ...] = (
    ("v1alpha2", "clusternetworkpolicies", "ClusterNetworkPolicy"),
    ("v1alpha1", "adminnetworkpolicies", "AdminNetworkPolicy"),
    ("v1alpha1", "baselineadminnetworkpolicies", "BaselineAdminNetworkPolicy"),
)


@dataclass(frozen=True)
class ServedKind:
    kind: str
    version: str
    resource: str
    """Plural, e.g. clusternetworkpolicies."""
    readable: bool
    count: int = 0

    @property
    def qualified(self) -> str:
        return f"{self.resource}.{GROUP}"


@dataclass(frozen=True)
class AdminTiers:
    """What `explain`/`execute` say about tiers: kinds served, readable, and their objects."""

    served: tuple[ServedKind, ...] = ()
    objects: tuple[Mapping[str, Any], ...] = ()

    def describe(self) -> str:
        if not self.served:
            return f"admin tiers: none served ({GROUP} has no {', '.join(k for _, _, k in KNOWN)})"
        parts = [
            f"{s.kind} {GROUP}/{s.version}: "
            + (f"{s.count} object(s)" if s.readable else "not readable (403)")
            for s in self.served
        ]
        return "admin tiers considered: " + "; ".join(parts)


class AdminTierReader:
    """Raw GETs over the client's ApiClient (no generated API exists for these kinds)."""

    def __init__(
        self, *, api_client: k8s.ApiClient, context: str | None, request_timeout: float | None
    ) -> None:
        self._rest = RawRest(
            api_client=api_client, context=context, request_timeout=request_timeout
        )

    def _get(self, path: str, action: Action) -> Mapping[str, Any]:
        found = self._rest.request(action, "GET", path)
        return found if isinstance(found, dict) else {}

    def served(self) -> dict[str, frozenset[str]]:
        """Per version of the group this tool understands, the resources served."""
        out: dict[str, frozenset[str]] = {}
        for version in sorted({v for v, _, _ in KNOWN}, reverse=True):
            try:
                doc = self._get(
                    f"/apis/{GROUP}/{version}", Action("get", f"discovery {GROUP}/{version}")
                )
            except NotFound:
                continue
            out[version] = frozenset(str(r.get("name", "")) for r in doc.get("resources") or ())
        return out

    def read(self) -> AdminTiers:
        served = self.served()
        kinds: list[ServedKind] = []
        objects: list[Mapping[str, Any]] = []
        for version, resource, kind in KNOWN:
            if resource not in served.get(version, frozenset()):
                continue
            try:
                doc = self._get(
                    f"/apis/{GROUP}/{version}/{resource}", Action("list", f"{resource}.{GROUP}")
                )
            except Forbidden:
                kinds.append(ServedKind(kind, version, resource, readable=False))
                continue
            items = [
                {**item, "kind": kind, "apiVersion": f"{GROUP}/{version}"}
                for item in doc.get("items") or ()
            ]
            objects += items
            kinds.append(ServedKind(kind, version, resource, readable=True, count=len(items)))
        return AdminTiers(served=tuple(kinds), objects=tuple(objects))


def admin_reader_for(
    gateway: KubernetesGateway, *, context: str | None, request_timeout: float | None
) -> AdminTierReader:
    """A reader sharing the gateway's ApiClient: same credentials, TLS and --as headers."""
    return AdminTierReader(
        api_client=gateway._core.api_client,  # the gateway's own client (cluster-internal)
        context=context,
        request_timeout=request_timeout,
    )
