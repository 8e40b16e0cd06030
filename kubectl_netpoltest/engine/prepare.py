"""prepare: one instrumented pod per source, in parallel, idempotently.

For each source pod reference: find the matching Running pods in its namespace, skip
hostNetwork pods (policies do not apply to them), pick ours-with-a-running-container first,
else one we touched before, else the first Ready pod; label it, add the debug container, and
watch until it runs. A second run finds the running container and changes nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.core.model import PodRef, Spread
from kubectl_netpoltest.engine import instrument, toolcheck
from kubectl_netpoltest.engine.options import PrepareOptions
from kubectl_netpoltest.engine.prepare_items import PrepState, SourcePrep
from kubectl_netpoltest.engine.prepare_pod import CLEANUP_NEEDED, Control, instrument_pod, remember
from kubectl_netpoltest.engine.replicas import spread_pods

__all__ = ["PrepState", "PrepareInterrupted", "SourcePrep", "prepare"]

Progress = Callable[[SourcePrep], None]


@dataclass(frozen=True)
class _Plan:
    """What prepare will do for one source: the pod it picked, or why there is none."""

    source: PodRef
    pod: PodInfo | None
    reason: str
    skipped: tuple[str, ...]


def _plan(source: PodRef, pods: Sequence[PodInfo], options: PrepareOptions) -> _Plan:
    found = instrument.candidates(source, pods)
    pod = instrument.choose(found, image=options.image)
    skipped = tuple(
        f"{p.ref} (hostNetwork: NetworkPolicies do not apply to it)" for p in found.host_network
    )
    return _Plan(source, pod, "" if pod else _why_none(source, found), skipped)


def _plans(source: PodRef, pods: Sequence[PodInfo], options: PrepareOptions) -> list[_Plan]:
    """`spread: one` (default): one pod; `nodes`: one pod per node; `all`: every Ready pod
    (replicas.spread_pods says which). Each is instrumented like a source of its own."""
    first = _plan(source, pods, options)
    if source.spread is Spread.ONE or first.pod is None:
        return [first]
    chosen = spread_pods(source, instrument.candidates(source, pods).usable, first=first.pod)
    return [replace(first, pod=pod) for pod in chosen]


class PrepareInterrupted(KeyboardInterrupt):
    """SIGINT/SIGTERM during prepare: `results` says, per source, what was done and what is left.
    Raised `from` the original interrupt, so the exit code stays 130 or 143."""

    def __init__(self, results: list[SourcePrep]) -> None:
        super().__init__()
        self.results = results


_SETTLE_SECONDS = 40.0
"""How long an interrupted prepare waits for the changes in flight (a label patch, an ephemeral
container) to be answered, so it can report them exactly; about one request timeout."""


def prepare(
    *,
    gateway: ClusterGateway,
    sources: Sequence[PodRef],
    options: PrepareOptions,
    on_done: Progress | None = None,
) -> list[SourcePrep]:
    """Instrument every source in parallel; results in the order of `sources`.

    On SIGINT/SIGTERM no new change is started, the one in flight per worker is finished or
    rolled back, and PrepareInterrupted carries the per-source report."""
    namespaces = sorted({s.namespace or "default" for s in sources})
    pods = {ns: gateway.list_pods(namespace=ns) for ns in namespaces}
    plans = [
        plan
        for source in sources
        for plan in _plans(source, pods[source.namespace or "default"], options)
    ]
    # Two references to one pod must not add two containers: each pod is instrumented once, for
    # the first reference to it; the others share that result.
    owner: dict[str, _Plan] = {}
    for plan in plans:
        if plan.pod is not None:
            owner.setdefault(plan.pod.uid, plan)
    work = [p for p in plans if p.pod is None or owner[p.pod.uid] is p]
    control = Control()
    done: dict[int, SourcePrep] = {}
    pending = list(work)

    def one(plan: _Plan) -> SourcePrep:
        if plan.pod is None:
            return SourcePrep(plan.source, PrepState.NO_POD, plan.reason, skipped=plan.skipped)
        result = instrument_pod(
            gateway=gateway,
            source=plan.source,
            pod=plan.pod,
            options=options,
            skipped=plan.skipped,
            control=control,
        )
        if options.check_tools and result.state is PrepState.READY:
            result = _check_tools(gateway=gateway, pod=plan.pod, result=result, options=options)
        if result.ok and result.container:
            remember(gateway, plan.pod, result.container)
        return result

    def worker() -> None:
        while not control.stop.is_set():
            with control.lock:
                if not pending:
                    return
                plan = pending.pop(0)
            result = one(plan)
            with control.lock:
                done[id(plan)] = result
            if on_done is not None:
                on_done(result)

    # Daemon threads: after an interrupt the process must not wait for a watch still blocked
    # on the cluster (ThreadPoolExecutor joins its threads, and they went on changing pods).
    threads = [
        threading.Thread(target=worker, daemon=True, name=f"prepare-{n}")
        for n in range(max(1, min(options.parallelism, len(work))))
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except KeyboardInterrupt as exc:
        control.stop.set()
        _settle(threads, control)
        with control.lock:
            finished = dict(done)
            stages = dict(control.stage)
        results = _assemble(plans, owner, finished, stages)
        raise PrepareInterrupted(results) from exc
    return _assemble(plans, owner, done, {})


def _settle(threads: Sequence[threading.Thread], control: Control) -> None:
    """Wait for label patches and container adds in flight; a container that was added is only
    being watched, which is not worth waiting for (its state is reported as it is)."""
    deadline = time.monotonic() + _SETTLE_SECONDS
    while time.monotonic() < deadline and any(t.is_alive() for t in threads):
        with control.lock:
            changing = any(not stage.startswith("added ") for stage in control.stage.values())
        if not changing and time.monotonic() > deadline - _SETTLE_SECONDS + 3:
            return
        time.sleep(0.1)


def _assemble(
    plans: Sequence[_Plan],
    owner: dict[str, _Plan],
    done: dict[int, SourcePrep],
    stages: dict[str, str],
) -> list[SourcePrep]:
    results = []
    for plan in plans:
        first = owner.get(plan.pod.uid) if plan.pod is not None else plan
        result = done.get(id(first)) if first is not None else None
        if result is None:
            results.append(_unfinished(plan, stages))
        elif first is plan:
            results.append(result)
        else:
            results.append(
                SourcePrep(
                    plan.source,
                    result.state if result.ok else PrepState.FAILED,
                    f"same pod as {result.source.name}: {result.message}",
                    pod=result.pod,
                    container=result.container,
                    skipped=plan.skipped,
                    instrumented=result.instrumented,
                )
            )
    return results


def _unfinished(plan: _Plan, stages: dict[str, str]) -> SourcePrep:
    """A source an interrupt caught before its worker reported back."""
    pod = plan.pod
    stage = stages.get(pod.ref) if pod is not None else None
    if pod is None or stage is None:
        return SourcePrep(
            plan.source,
            PrepState.INTERRUPTED,
            "not started (interrupted): nothing changed",
            skipped=plan.skipped,
        )
    verb, _, container = stage.partition(" ")
    what = {
        "labelling": "while labelling it (the label may be on)",
        "adding": f"while adding debug container {container} (it may have been added)",
        "added": f"while debug container {container} was starting",
    }[verb]
    return SourcePrep(
        plan.source,
        PrepState.INTERRUPTED,
        f"{pod.ref}: interrupted {what}; {CLEANUP_NEEDED}",
        pod=pod.ref,
        container=container or None,
        skipped=plan.skipped,
        instrumented=True,
    )


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
