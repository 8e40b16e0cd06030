"""One source's pod: label it, add the debug container, watch it start; stop when told.

The order matters: the label goes on first (so cleanup finds every pod we touched), then the
container. The run can be told to stop (SIGINT/SIGTERM in the main thread): before the label
nothing happens; between label and container the label comes off again; once the container is
added nothing can be undone but by cleanup, and the result says so.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.engine.options import PrepareOptions
from kubectl_netpoltest.engine.prepare_items import PrepState, SourcePrep
from kubectl_netpoltest.errors import ClusterError, Conflict

_FATAL_WAITING = {
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
}


CLEANUP_NEEDED = (
    "the pod keeps our label and this debug container: `kubectl netpoltest cleanup` with this "
    "spec removes them"
)


@dataclass
class Control:
    """Shared by the workers of one prepare run: the stop flag and what each one is doing."""

    stop: threading.Event = field(default_factory=threading.Event)
    stage: dict[str, str] = field(default_factory=dict)
    """pod ref -> "labelling" | "adding <container>" | "added <container>" while in flight."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, pod: PodInfo, stage: str | None) -> None:
        with self.lock:
            if stage is None:
                self.stage.pop(pod.ref, None)
            else:
                self.stage[pod.ref] = stage


def instrument_pod(
    *,
    gateway: ClusterGateway,
    source: PodRef,
    pod: PodInfo,
    options: PrepareOptions,
    skipped: tuple[str, ...],
    control: Control,
) -> SourcePrep:
    started = time.monotonic()

    def result(state: PrepState, message: str, **extra: object) -> SourcePrep:
        return SourcePrep(
            source,
            state,
            message,
            pod=pod.ref,
            seconds=time.monotonic() - started,
            skipped=skipped,
            **extra,  # type: ignore[arg-type]
        )

    # The one rule shared with execute (instrument.probe_container): reuse only a running
    # container of the requested image, so preparing again with another image takes effect.
    existing = instrument.probe_container(pod, image=options.image)
    if instrument.is_instrumented(pod) and existing:
        return result(
            PrepState.REUSED,
            f"{pod.ref}: debug container {existing} is already running",
            container=existing,
            instrumented=True,
        )
    if control.stop.is_set():
        return result(PrepState.INTERRUPTED, "not started (interrupted): nothing changed")
    labelled_before = instrument.is_instrumented(pod)
    name = instrument.container_name(taken=(*pod.containers, *pod.ephemeral_specs))
    current = pod
    try:
        if not labelled_before:
            control.at(pod, "labelling")
            current = gateway.patch_pod_labels(
                namespace=pod.namespace,
                name=pod.name,
                labels={instrument.LABEL_KEY: instrument.LABEL_VALUE},
            )
        if control.stop.is_set():  # label on, container not yet: roll the label back
            if not labelled_before:
                _unlabel(gateway, pod)
            return result(
                PrepState.INTERRUPTED,
                "interrupted before the debug container was added: "
                + (
                    "label removed again, nothing changed"
                    if not labelled_before
                    else "nothing changed"
                ),
            )
        control.at(pod, f"adding {name}")
        try:
            name = _add_once(gateway, pod=pod, current=current, name=name, options=options)
        except ClusterError:
            if not labelled_before:
                _unlabel(gateway, pod)
            raise
        control.at(pod, f"added {name}")
        outcome = _wait(
            gateway=gateway,
            pod=pod,
            container=name,
            options=options,
            started=started,
            stop=control.stop,
        )
        if outcome.state is PrepState.READY:
            return result(PrepState.READY, outcome.message, container=name, instrumented=True)
        if outcome.state is PrepState.INTERRUPTED:
            return result(
                PrepState.INTERRUPTED,
                f"{pod.ref}: interrupted while debug container {name} was starting; "
                + CLEANUP_NEEDED,
                container=name,
                instrumented=True,
            )
        return result(
            outcome.state,
            f"{outcome.message}; {CLEANUP_NEEDED}" if outcome.instrumented else outcome.message,
            instrumented=outcome.instrumented,
        )
    except ClusterError as exc:
        return result(PrepState.FAILED, f"{pod.ref}: {exc}")
    finally:
        control.at(pod, None)


def _add_once(
    gateway: ClusterGateway, *, pod: PodInfo, current: PodInfo, name: str, options: PrepareOptions
) -> str:
    """Add our debug container unless a concurrent prepare just added one of the same image;
    the name of the container to wait for.

    The add carries the pod's resourceVersion as a precondition, so of two prepares racing on
    one pod only one container is added: the other gets Conflict, reads the pod again and adopts
    the container the winner added (three concurrent runs used to add three containers).
    """
    for _ in range(3):
        theirs = _added_meanwhile(before=pod, now=current, image=options.image)
        if theirs is not None:
            return theirs
        try:
            gateway.add_ephemeral_container(
                namespace=pod.namespace,
                name=pod.name,
                container=instrument.debug_container(
                    name=name, image=options.image, ttl_seconds=options.ttl_seconds
                ),
                resource_version=current.resource_version or None,
            )
            return name
        except Conflict:
            current = gateway.get_pod(namespace=pod.namespace, name=pod.name)
            name = instrument.container_name(taken=(*current.containers, *current.ephemeral_specs))
    raise Conflict(
        f"{pod.ref} kept changing while the debug container was being added; run prepare again"
    )


_STARTING = (None, "ContainerCreating", "PodInitializing")
"""Waiting reasons of a container that is still coming up (not an image or config failure)."""


def _added_meanwhile(*, before: PodInfo, now: PodInfo, image: str) -> str | None:
    """A debug container of ours and of `image` that another prepare added and that is still
    starting (or one that appeared since `before` was read): wait for it instead of adding a
    second one. A container that failed to start (image pull, config error) is never adopted."""
    for container in reversed(now.ephemeral_specs):
        if not container.startswith(instrument.CONTAINER_PREFIX):
            continue
        if now.ephemeral_images.get(container) != image:
            continue
        state = now.ephemeral_state(container)
        if container not in before.ephemeral_specs and (
            state is None or state.state != "terminated"
        ):
            return container
        if state is None or (state.state == "waiting" and state.reason in _STARTING):
            return container
    return None


def remember(gateway: ClusterGateway, pod: PodInfo, container: str) -> None:
    """Tell execute which container this prepare reported (instrument.probe_container); only
    once it passed the tool check, so a container that cannot probe is never the one used."""
    if pod.annotations.get(instrument.PROBE_CONTAINER_KEY) == container:
        return
    with contextlib.suppress(ClusterError):  # execute falls back to the image rule
        gateway.annotate_pod(
            namespace=pod.namespace,
            name=pod.name,
            annotations={instrument.PROBE_CONTAINER_KEY: container},
        )


def _unlabel(gateway: ClusterGateway, pod: PodInfo) -> None:
    # The add failed already; that is the error the user needs to see, not this one.
    with contextlib.suppress(ClusterError):
        gateway.patch_pod_labels(
            namespace=pod.namespace, name=pod.name, labels={instrument.LABEL_KEY: None}
        )


@dataclass(frozen=True)
class _Waited:
    state: PrepState
    message: str
    instrumented: bool = True


def _wait(
    *,
    gateway: ClusterGateway,
    pod: PodInfo,
    container: str,
    options: PrepareOptions,
    started: float,
    stop: threading.Event,
) -> _Waited:
    """Watch the pod until the container runs, fails, the deadline passes or we are stopped.
    Watches are short (2 s) so a stop is noticed soon even when nothing changes."""
    deadline = started + options.timeout_seconds
    last = "waiting for the container to start"
    while time.monotonic() < deadline and not stop.is_set():
        remaining = max(1, min(2, int(deadline - time.monotonic())))
        for seen in gateway.watch_pod(
            namespace=pod.namespace, name=pod.name, timeout_seconds=remaining
        ):
            if seen.uid != pod.uid or seen.deleting:
                return _Waited(
                    PrepState.FAILED,
                    f"{pod.ref} was deleted or replaced while preparing; run prepare again",
                    instrumented=False,
                )
            state = seen.ephemeral_state(container)
            if state is not None and state.state == "running":
                return _Waited(
                    PrepState.READY, f"{pod.ref}: debug container {container} is running"
                )
            if state is not None and state.state == "terminated":
                return _Waited(
                    PrepState.FAILED,
                    f"{pod.ref}: debug container {container} exited "
                    f"({state.reason or 'exit code'} {state.exit_code}): "
                    f"{state.message or 'no message'}",
                )
            if state is not None and state.reason in _FATAL_WAITING:
                return _Waited(
                    PrepState.FAILED,
                    f"{pod.ref}: debug container "
                    f"{container}: {state.reason}: {state.message or ''}".rstrip(),
                )
            if state is not None:
                last = f"{state.reason or 'waiting'}: {state.message or ''}".rstrip(": ")
            if stop.is_set() or time.monotonic() >= deadline:
                break
    if stop.is_set():
        return _Waited(PrepState.INTERRUPTED, "interrupted")
    return _Waited(
        PrepState.FAILED,
        f"{pod.ref}: debug container {container} did "
        f"not start within {options.timeout_seconds}s ({last})",
    )
