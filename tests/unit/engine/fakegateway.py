"""A small scripted ClusterGateway for the engine's unit tests.

It keeps pods in memory and records the calls that change the cluster, so tests can check the
engine's decisions (which pod, in which order, what it refused to do). Anything that touches a
real API runs against the sandbox cluster instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kubectl_netpoltest.cluster.execstatus import ExecStatus, ExecStatusKind
from kubectl_netpoltest.cluster.gateway import (
    ClusterGateway,
    ContainerState,
    ControllerInfo,
    ExecResult,
    OwnerRef,
    PodInfo,
)
from kubectl_netpoltest.core.spec.selectors import parse_selector
from kubectl_netpoltest.errors import ClusterError, Conflict, Forbidden, NotFound


def make_pod(
    name: str,
    *,
    namespace: str = "shop",
    ready: bool = True,
    labels: Mapping[str, str] | None = None,
    owner: tuple[str, str] | None = ("ReplicaSet", "web-rs"),
    host_network: bool = False,
    ips: tuple[str, ...] = ("10.0.0.1",),
    ephemeral: tuple[ContainerState, ...] = (),
    containers: tuple[str, ...] = ("main",),
) -> PodInfo:
    return PodInfo(
        namespace=namespace,
        name=name,
        uid=f"uid-{name}",
        labels=dict(labels or {}),
        phase="Running",
        ready=ready,
        host_network=host_network,
        ips=ips,
        owners=(OwnerRef(owner[0], owner[1], True),) if owner else (),
        containers=containers,
        ephemeral_specs=tuple(c.name for c in ephemeral),
        ephemeral=ephemeral,
    )


@dataclass
class FakeGateway:
    pods: dict[str, PodInfo] = field(default_factory=dict)
    controllers: dict[tuple[str, str], ControllerInfo] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    container_outcome: ContainerState | None = None
    fail_add: ClusterError | None = None
    exec_handler: (
        Callable[[PodInfo, str, Sequence[str], Callable[[str], None]], ExecResult] | None
    ) = None
    replace_on_delete: bool = True

    description: str = "fake cluster"

    def add(self, *pods: PodInfo) -> FakeGateway:
        for pod in pods:
            self.pods[pod.ref] = pod
        return self

    def list_pods(
        self, *, namespace: str | None, label_selector: str | None = None
    ) -> list[PodInfo]:
        found = [p for p in self.pods.values() if namespace is None or p.namespace == namespace]
        if label_selector:
            # The product sends kubectl's selector syntax, set-based forms included
            # (`tier in (a,b)`, `!canary`); match it the way the API server does.
            selector = parse_selector(label_selector)
            found = [p for p in found if selector.matches(dict(p.labels))]
        return found

    def get_pod(self, *, namespace: str, name: str) -> PodInfo:
        try:
            return self.pods[f"{namespace}/{name}"]
        except KeyError:
            raise NotFound(f'pods "{name}" not found') from None

    def patch_pod_labels(
        self, *, namespace: str, name: str, labels: Mapping[str, str | None]
    ) -> PodInfo:
        pod = self.get_pod(namespace=namespace, name=name)
        new = dict(pod.labels)
        for key, value in labels.items():
            if value is None:
                new.pop(key, None)
            else:
                new[key] = value
        self.calls.append(("label", f"{pod.ref} {dict(labels)}"))
        self.pods[pod.ref] = replace(pod, labels=new)
        return self.pods[pod.ref]

    def add_ephemeral_container(
        self,
        *,
        namespace: str,
        name: str,
        container: Mapping[str, Any],
        resource_version: str | None = None,
    ) -> PodInfo:
        pod = self.get_pod(namespace=namespace, name=name)
        self.calls.append(("add", f"{pod.ref} {container['name']} {container['image']}"))
        if self.fail_add is not None:
            raise self.fail_add
        if resource_version and resource_version != pod.resource_version:
            raise Conflict(f'pods "{pod.name}": the object has been modified')
        state = self.container_outcome or ContainerState(
            container["name"], container["image"], "running"
        )
        state = replace(state, name=container["name"])
        self.pods[pod.ref] = replace(
            pod,
            ephemeral_specs=(*pod.ephemeral_specs, state.name),
            ephemeral_images={**pod.ephemeral_images, state.name: container["image"]},
            ephemeral=(*pod.ephemeral, state),
            resource_version=str(int(pod.resource_version or "0") + 1),
        )
        return self.pods[pod.ref]

    def watch_pod(self, *, namespace: str, name: str, timeout_seconds: int) -> Iterator[PodInfo]:
        yield self.get_pod(namespace=namespace, name=name)

    def exec_lines(
        self,
        *,
        namespace: str,
        pod: str,
        container: str,
        argv: Sequence[str],
        timeout_seconds: float,
        on_line: Callable[[str], None],
    ) -> ExecResult:
        info = self.get_pod(namespace=namespace, name=pod)
        self.calls.append(("exec", f"{info.ref} {container}"))
        if self.exec_handler is None:
            return ExecResult(ExecStatus(ExecStatusKind.EXITED, 0), "")
        return self.exec_handler(info, container, argv, on_line)

    def annotate_pod(
        self,
        *,
        namespace: str,
        name: str,
        annotations: Mapping[str, str | None],
        resource_version: str | None = None,
    ) -> PodInfo:
        pod = self.get_pod(namespace=namespace, name=name)
        if resource_version is not None and resource_version != pod.resource_version:
            raise Conflict(f'Operation cannot be fulfilled on pods "{name}"')
        new = dict(pod.annotations)
        for key, value in annotations.items():
            if value is None:
                new.pop(key, None)
            else:
                new[key] = value
        self.calls.append(("annotate", f"{pod.ref} {dict(annotations)}"))
        version = str(int(pod.resource_version or "0") + 1)
        self.pods[pod.ref] = replace(pod, annotations=new, resource_version=version)
        return self.pods[pod.ref]

    def delete_pod(self, *, namespace: str, name: str, uid: str) -> None:
        pod = self.get_pod(namespace=namespace, name=name)
        self.calls.append(("delete", pod.ref))
        del self.pods[pod.ref]
        if self.replace_on_delete and pod.controller is not None:
            fresh = make_pod(
                pod.name + "-new",
                namespace=pod.namespace,
                owner=(pod.controller.kind, pod.controller.name),
            )
            self.pods[fresh.ref] = fresh

    def get_controller(self, *, namespace: str, kind: str, name: str) -> ControllerInfo:
        info = self.controllers.get((kind, name))
        if info is None:
            raise Forbidden(f'{kind.lower()}s.apps "{name}" is forbidden')
        return info


def _conforms(fake: FakeGateway) -> ClusterGateway:
    """mypy checks here that the fake still has every method of the real gateway, with the
    same signatures, so the engine's unit tests cannot drift from what kube.py implements."""
    return fake
