"""The one narrow interface between the engine and a Kubernetes cluster.

The engine sees plain frozen data (`PodInfo`, `ControllerInfo`, `ExecResult`), never client
objects, so it is testable with a small scripted fake and the client library stays replaceable.
Every method raises only `kubectl_netpoltest.errors.ClusterError` subclasses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubectl_netpoltest.cluster.execstatus import ExecStatus


@dataclass(frozen=True)
class ContainerState:
    """An (ephemeral) container's status as the kubelet reports it."""

    name: str
    image: str
    """As written in the pod spec (the kubelet's status may show a normalised name)."""
    state: str  # "waiting" | "running" | "terminated" | "unknown"
    reason: str | None = None
    message: str | None = None
    exit_code: int | None = None


@dataclass(frozen=True)
class OwnerRef:
    kind: str
    name: str
    controller: bool


@dataclass(frozen=True)
class PodInfo:
    namespace: str
    name: str
    uid: str
    labels: Mapping[str, str] = field(default_factory=dict)
    phase: str = "Unknown"
    ready: bool = False
    host_network: bool = False
    ips: tuple[str, ...] = ()
    owners: tuple[OwnerRef, ...] = ()
    containers: tuple[str, ...] = ()
    """Names of init and regular containers (ephemeral ones are in `ephemeral_specs`)."""
    ephemeral_specs: tuple[str, ...] = ()
    ephemeral_images: Mapping[str, str] = field(default_factory=dict)
    """The image of each ephemeral container in the spec (status may not exist yet)."""
    ephemeral: tuple[ContainerState, ...] = ()
    deleting: bool = False
    annotations: Mapping[str, str] = field(default_factory=dict)
    resource_version: str = ""
    """For optimistic concurrency: a write that carries it fails with Conflict if the pod
    changed since it was read."""
    node: str | None = None
    """spec.nodeName: where the pod runs, so results can name the node that enforced them."""

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    def ephemeral_state(self, name: str) -> ContainerState | None:
        return next((c for c in self.ephemeral if c.name == name), None)

    @property
    def controller(self) -> OwnerRef | None:
        return next((o for o in self.owners if o.controller), None)


@dataclass(frozen=True)
class ControllerInfo:
    """What owns a pod, enough to decide whether deleting it is safe."""

    kind: str
    name: str
    replicas: int | None
    selector: str | None


@dataclass(frozen=True)
class ExecResult:
    """How an exec ended: the channel-3 status (or why there was none) and stderr."""

    status: ExecStatus
    stderr: str


class ClusterGateway(Protocol):
    """What the engine needs from a cluster, and nothing more."""

    @property
    def description(self) -> str: ...

    def list_pods(
        self, *, namespace: str | None, label_selector: str | None = None
    ) -> list[PodInfo]: ...

    def get_pod(self, *, namespace: str, name: str) -> PodInfo: ...

    def patch_pod_labels(
        self, *, namespace: str, name: str, labels: Mapping[str, str | None]
    ) -> PodInfo: ...

    def add_ephemeral_container(
        self,
        *,
        namespace: str,
        name: str,
        container: Mapping[str, Any],
        resource_version: str | None = None,
    ) -> PodInfo:
        """Add the container; with `resource_version`, only if the pod has not changed since
        (else `Conflict`), so that concurrent prepares never add two containers."""
        ...

    def watch_pod(
        self, *, namespace: str, name: str, timeout_seconds: int
    ) -> Iterator[PodInfo]: ...

    def exec_lines(
        self,
        *,
        namespace: str,
        pod: str,
        container: str,
        argv: Sequence[str],
        timeout_seconds: float,
        on_line: Callable[[str], None],
    ) -> ExecResult: ...

    def annotate_pod(
        self,
        *,
        namespace: str,
        name: str,
        annotations: Mapping[str, str | None],
        resource_version: str | None = None,
    ) -> PodInfo:
        """Set (None: remove) annotations; with `resource_version`, only if the pod has not
        changed since (else `Conflict`)."""
        ...

    def delete_pod(self, *, namespace: str, name: str, uid: str) -> None: ...

    def get_controller(self, *, namespace: str, kind: str, name: str) -> ControllerInfo: ...
