"""The read-only questions `doctor`, `--cni-mode auto` and `generate` ask a cluster.

Kept apart from `ClusterGateway` (which prepare/execute/cleanup use) because these calls only
read, and most of them may be refused without harm: a 403 here is a finding to report, never a
reason to stop. Objects come back as Kubernetes JSON (plain dicts): the readers are pure
functions in core/ (CNI detection, the policy engine) that work on manifests anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubectl_netpoltest.cluster.gateway import PodInfo


@dataclass(frozen=True)
class ServerVersion:
    major: int
    minor: int
    git_version: str


@dataclass(frozen=True)
class AccessReview:
    """A SelfSubjectAccessReview's answer for one verb on one resource."""

    verb: str
    resource: str
    """As RBAC writes it: `pods`, `pods/exec`, `deployments.apps`."""
    namespace: str | None
    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class PodDetails:
    """A pod as the engine sees it, plus the raw object for readers that need more."""

    info: PodInfo
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def os(self) -> str | None:
        """The pod's OS: spec.os.name (1.25+), else a kubernetes.io/os node selector."""
        spec = self.raw.get("spec") or {}
        named = (spec.get("os") or {}).get("name")
        if named:
            return str(named)
        selected = (spec.get("nodeSelector") or {}).get("kubernetes.io/os")
        return str(selected) if selected else None


class ClusterInspector(Protocol):
    """Reads for diagnosis. `get_*` return None for 404; a 403 raises `Forbidden`."""

    def server_version(self) -> ServerVersion: ...

    def served_resources(self, *, group_version: str) -> frozenset[str] | None:
        """Resource names (with subresources, e.g. `pods/exec`) or None if not served."""
        ...

    def can_i(
        self, *, verb: str, resource: str, group: str, namespace: str | None
    ) -> AccessReview: ...

    def get_namespace(self, *, name: str) -> Mapping[str, Any] | None: ...

    def list_namespaces(self) -> list[Mapping[str, Any]]: ...

    def list_pods(self, *, namespace: str | None) -> list[PodDetails]: ...

    def get_config_map(self, *, namespace: str, name: str) -> Mapping[str, Any] | None: ...

    def get_cluster_object(
        self, *, group: str, version: str, plural: str, name: str
    ) -> Mapping[str, Any] | None: ...

    def list_network_policies(self, *, namespace: str | None) -> list[Mapping[str, Any]]: ...

    def watch_network_policies(
        self,
        *,
        namespace: str,
        timeout_seconds: int,
        on_listed: Callable[[Mapping[str, str]], None] | None = None,
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(ADDED|MODIFIED|DELETED, policy) for changes after the call, until the timeout or
        the server ends the stream (also on an ERROR event, e.g. 410 Gone). `on_listed` gets
        {name: resourceVersion} of the list the watch starts from, before any event."""
        ...

    def dry_run_ephemeral(self, *, namespace: str, pod: str, container: Mapping[str, Any]) -> None:
        """Server-side dry-run of adding the container; raises the server's refusal."""
        ...
