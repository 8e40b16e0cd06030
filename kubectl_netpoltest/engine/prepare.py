"""prepare: one instrumented pod per source, in parallel, idempotently.

For each source pod reference: find the matching Running pods in its namespace, skip
hostNetwork pods (policies do not apply to them), pick ours-with-a-running-container first,
else one we touched before, else the first Ready pod; label it, add the debug container, and
watch until it runs. A second run finds the running container and changes nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.engine.options import PrepareOptions
from kubectl_netpoltest.errors import ClusterError

_FATAL_WAITING = {
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
}


class PrepState(StrEnum):
    READY = "ready"
    """A new debug container is running."""
    REUSED = "reused"
    """The pod already had our running debug container: nothing changed."""
    FAILED = "failed"
    NO_POD = "no-pod"


@dataclass(frozen=True)
class SourcePrep:
    source: PodRef
    state: PrepState
    message: str
    pod: str | None = None
    container: str | None = None
    seconds: float = 0.0
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state in (PrepState.READY, PrepState.REUSED)


Progress = Callable[[SourcePrep], None]


def prepare(
    *,
    gateway: ClusterGateway,
    sources: Sequence[PodRef],
    options: PrepareOptions,
    on_done: Progress | None = None,
) -> list[SourcePrep]:
    """Instrument every source in parallel; results in the order of `sources`."""
    namespaces = sorted({s.namespace or "default" for s in sources})
    pods = {ns: gateway.list_pods(namespace=ns) for ns in namespaces}
    chosen: dict[str, PodRef] = {}
    plans: list[tuple[PodRef, PodInfo | None, str, tuple[str, ...]]] = []
    for source in sources:
        found = instrument.candidates(source, pods[source.namespace or "default"])
        pod = instrument.choose(found)
        skipped = tuple(
            f"{p.ref} (hostNetwork: NetworkPolicies do not apply to it)" for p in found.host_network
        )
        reason = _why_none(source, found) if pod is None else ""
        if pod is not None and pod.uid in chosen:
            reason = ""
        plans.append((source, pod, reason, skipped))
        if pod is not None:
            chosen.setdefault(pod.uid, source)

    def one(plan: tuple[PodRef, PodInfo | None, str, tuple[str, ...]]) -> SourcePrep:
        source, pod, reason, skipped = plan
        if pod is None:
            result = SourcePrep(source, PrepState.NO_POD, reason, skipped=skipped)
        else:
            result = _instrument(
                gateway=gateway, source=source, pod=pod, options=options, skipped=skipped
            )
        if on_done is not None:
            on_done(result)
        return result

    # Two references to one pod must not add two containers: instrument each pod once, in the
    # first reference's task; later references then reuse it.
    firsts = [p for p in plans if p[1] is None or chosen[p[1].uid] is p[0]]
    with ThreadPoolExecutor(max_workers=max(1, options.parallelism)) as pool:
        done = dict(zip((id(p) for p in firsts), pool.map(one, firsts), strict=True))
    results = []
    for plan in plans:
        if id(plan) in done:
            results.append(done[id(plan)])
            continue
        source, pod, _, skipped = plan
        assert pod is not None
        first = next(r for r in done.values() if r.pod == pod.ref)
        results.append(
            SourcePrep(
                source,
                first.state if first.ok else PrepState.FAILED,
                f"same pod as {first.source.name}: {first.message}",
                pod=first.pod,
                container=first.container,
                skipped=skipped,
            )
        )
    return results


def _why_none(source: PodRef, found: instrument.Candidates) -> str:
    what = source.describe()
    if found.host_network and not found.not_ready:
        return (
            f"only hostNetwork pods match {what}; NetworkPolicies do not apply to them, so "
            "they cannot be a source"
        )
    if found.not_ready:
        names = ", ".join(p.name for p in found.not_ready[:5])
        return f"no Ready pod matches {what} (not ready: {names})"
    return f"no pod matches {what}; check the namespace and the podname/selector"


def _instrument(
    *,
    gateway: ClusterGateway,
    source: PodRef,
    pod: PodInfo,
    options: PrepareOptions,
    skipped: tuple[str, ...],
) -> SourcePrep:
    started = time.monotonic()
    # Reuse only a container of the requested image: after `--image` changes, the new image
    # must be the one that runs the probes (execute picks the newest running container).
    existing = instrument.running_debug_container(pod, image=options.image)
    if instrument.is_instrumented(pod) and existing:
        return SourcePrep(
            source,
            PrepState.REUSED,
            f"{pod.ref}: debug container {existing} is already running",
            pod=pod.ref,
            container=existing,
            skipped=skipped,
        )
    labelled_before = instrument.is_instrumented(pod)
    name = instrument.container_name(taken=(*pod.containers, *pod.ephemeral_specs))
    try:
        if not labelled_before:
            gateway.patch_pod_labels(
                namespace=pod.namespace,
                name=pod.name,
                labels={instrument.LABEL_KEY: instrument.LABEL_VALUE},
            )
        try:
            gateway.add_ephemeral_container(
                namespace=pod.namespace,
                name=pod.name,
                container=instrument.debug_container(
                    name=name, image=options.image, ttl_seconds=options.ttl_seconds
                ),
            )
        except ClusterError:
            if not labelled_before:
                _unlabel(gateway, pod)
            raise
        return _wait(
            gateway=gateway,
            source=source,
            pod=pod,
            container=name,
            options=options,
            started=started,
            skipped=skipped,
        )
    except ClusterError as exc:
        return SourcePrep(
            source,
            PrepState.FAILED,
            f"{pod.ref}: {exc}",
            pod=pod.ref,
            seconds=time.monotonic() - started,
            skipped=skipped,
        )


def _unlabel(gateway: ClusterGateway, pod: PodInfo) -> None:
    # The add failed already; that is the error the user needs to see, not this one.
    with contextlib.suppress(ClusterError):
        gateway.patch_pod_labels(
            namespace=pod.namespace, name=pod.name, labels={instrument.LABEL_KEY: None}
        )


def _wait(
    *,
    gateway: ClusterGateway,
    source: PodRef,
    pod: PodInfo,
    container: str,
    options: PrepareOptions,
    started: float,
    skipped: tuple[str, ...],
) -> SourcePrep:
    deadline = started + options.timeout_seconds
    last = "waiting for the container to start"
    while time.monotonic() < deadline:
        remaining = max(1, int(deadline - time.monotonic()))
        for seen in gateway.watch_pod(
            namespace=pod.namespace, name=pod.name, timeout_seconds=remaining
        ):
            elapsed = time.monotonic() - started
            if seen.uid != pod.uid or seen.deleting:
                return SourcePrep(
                    source,
                    PrepState.FAILED,
                    f"{pod.ref} was deleted or replaced while preparing; run prepare again",
                    pod=pod.ref,
                    seconds=elapsed,
                    skipped=skipped,
                )
            state = seen.ephemeral_state(container)
            if state is None:
                continue
            if state.state == "running":
                return SourcePrep(
                    source,
                    PrepState.READY,
                    f"{pod.ref}: debug container {container} is running",
                    pod=pod.ref,
                    container=container,
                    seconds=elapsed,
                    skipped=skipped,
                )
            if state.state == "terminated":
                return SourcePrep(
                    source,
                    PrepState.FAILED,
                    f"{pod.ref}: debug container "
                    f"{container} exited ({state.reason or 'exit code'} "
                    f"{state.exit_code}): {state.message or 'no message'}",
                    pod=pod.ref,
                    seconds=elapsed,
                    skipped=skipped,
                )
            if state.reason in _FATAL_WAITING:
                return SourcePrep(
                    source,
                    PrepState.FAILED,
                    f"{pod.ref}: debug container "
                    f"{container}: {state.reason}: {state.message or ''}".rstrip(),
                    pod=pod.ref,
                    seconds=elapsed,
                    skipped=skipped,
                )
            last = f"{state.reason or 'waiting'}: {state.message or ''}".rstrip(": ")
            if time.monotonic() >= deadline:
                break
    return SourcePrep(
        source,
        PrepState.FAILED,
        f"{pod.ref}: debug container {container} did "
        f"not start within {options.timeout_seconds}s ({last})",
        pod=pod.ref,
        seconds=time.monotonic() - started,
        skipped=skipped,
    )
