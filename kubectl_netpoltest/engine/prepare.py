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
from dataclasses import dataclass, replace
from enum import StrEnum

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine import instrument, toolcheck
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
    tools: str = ""
    """What the new debug container's image offers (engine/toolcheck.py), "" if not checked."""
    warnings: tuple[str, ...] = ()
    """What will not work with this image: shown before any probe runs."""

    @property
    def ok(self) -> bool:
        return self.state in (PrepState.READY, PrepState.REUSED)


Progress = Callable[[SourcePrep], None]


@dataclass(frozen=True)
class _Plan:
    """What prepare will do for one source: the pod it picked, or why there is none."""

    source: PodRef
    pod: PodInfo | None
    reason: str
    skipped: tuple[str, ...]


def _plan(source: PodRef, pods: Sequence[PodInfo]) -> _Plan:
    found = instrument.candidates(source, pods)
    pod = instrument.choose(found)
    skipped = tuple(
        f"{p.ref} (hostNetwork: NetworkPolicies do not apply to it)" for p in found.host_network
    )
    return _Plan(source, pod, "" if pod else _why_none(source, found), skipped)


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
    plans = [_plan(source, pods[source.namespace or "default"]) for source in sources]
    # Two references to one pod must not add two containers: each pod is instrumented once, for
    # the first reference to it; the others share that result.
    owner: dict[str, _Plan] = {}
    for plan in plans:
        if plan.pod is not None:
            owner.setdefault(plan.pod.uid, plan)
    work = [p for p in plans if p.pod is None or owner[p.pod.uid] is p]

    def one(plan: _Plan) -> SourcePrep:
        if plan.pod is None:
            result = SourcePrep(plan.source, PrepState.NO_POD, plan.reason, skipped=plan.skipped)
        else:
            result = _instrument(
                gateway=gateway,
                source=plan.source,
                pod=plan.pod,
                options=options,
                skipped=plan.skipped,
            )
            if options.check_tools and result.state is PrepState.READY:
                result = _check_tools(gateway=gateway, pod=plan.pod, result=result, options=options)
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, options.parallelism)) as pool:
        done = dict(zip(map(id, work), pool.map(one, work), strict=True))
    results = []
    for plan in plans:
        if id(plan) in done:
            results.append(done[id(plan)])
            continue
        assert plan.pod is not None
        first = done[id(owner[plan.pod.uid])]
        results.append(
            SourcePrep(
                plan.source,
                first.state if first.ok else PrepState.FAILED,
                f"same pod as {first.source.name}: {first.message}",
                pod=first.pod,
                container=first.container,
                skipped=plan.skipped,
            )
        )
    return results


def _check_tools(
    *, gateway: ClusterGateway, pod: PodInfo, result: SourcePrep, options: PrepareOptions
) -> SourcePrep:
    """One short exec in the new container: what its image cannot do, before any probe."""
    assert result.container is not None
    checked = toolcheck.check_tools(
        gateway=gateway,
        namespace=pod.namespace,
        pod=pod.name,
        container=result.container,
        image=options.image,
        recommended=instrument.DEFAULT_IMAGE,
    )
    fatal = checked.fatal
    if fatal is not None:
        return replace(
            result,
            state=PrepState.FAILED,
            message=f"{result.message}, but {fatal.message}",
            tools=checked.summary,
        )
    # In the message too: every output (text, JSON) shows it next to the source it concerns.
    told = "".join(f"; warning: {warning}" for warning in checked.warnings)
    return replace(
        result, message=result.message + told, tools=checked.summary, warnings=checked.warnings
    )


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
