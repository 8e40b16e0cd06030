"""execute: every probe, from inside the prepared pods, one exec per source pod.

All of a source pod's probes run concurrently inside its debug container (bounded), streaming
one line per result; several source pods run at once, each exec on its own API client. So the
number of exec calls equals the number of source pods, and the wall time is about
attempts x timeout plus overhead, however many probes there are.

A source without a prepared pod, a target pod that cannot be found, an exec that fails or a pod
that vanished since prepare all become ERROR results for the probes concerned, with what to do;
the rest of the run goes on.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubectl_netpoltest import interrupts
from kubectl_netpoltest.cluster.execstatus import ExecStatusKind
from kubectl_netpoltest.cluster.gateway import ClusterGateway
from kubectl_netpoltest.core.brief import one_line
from kubectl_netpoltest.core.ipfamily import wanted
from kubectl_netpoltest.core.model import (
    PodTarget,
    Probe,
)
from kubectl_netpoltest.core.observation import Observation, Outcome
from kubectl_netpoltest.core.probe.batch import assemble_batch
from kubectl_netpoltest.core.probe.command import build_batch_command
from kubectl_netpoltest.core.probe.lines import ProbeResultLine, parse_line
from kubectl_netpoltest.core.refusals import explain_contradicted_refusals
from kubectl_netpoltest.core.results import AddressResult, ProbeResult
from kubectl_netpoltest.core.spread import merge_spread
from kubectl_netpoltest.core.verdict import (
    MESH_SIDECARS,
    Judgement,
    Verdict,
    classify_addresses,
    distrust_mesh_connects,
)
from kubectl_netpoltest.engine.execbatch import Batch, error_result
from kubectl_netpoltest.engine.execplan import plan_batches
from kubectl_netpoltest.engine.instrument import DEFAULT_IMAGE
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.engine.servicetargets import (
    ServiceTried,
    service_judgement,
    service_namespaces,
)
from kubectl_netpoltest.engine.targets import changed_targets
from kubectl_netpoltest.errors import ClusterError, NotFound
from kubectl_netpoltest.exitcodes import ExitCode

if TYPE_CHECKING:  # the kubernetes client loads only when a cluster is used (offline commands)
    from kubectl_netpoltest.cluster.objectreads import ObjectReader

ResultCallback = Callable[[ProbeResult], None]

LineCallback = Callable[[str], None]


@dataclass(frozen=True)
class ExecuteOutcome:
    results: list[ProbeResult]
    exec_calls: int
    interrupted: bool
    seconds: float
    interrupt_code: ExitCode | None = None
    """130 (SIGINT) or 143 (SIGTERM) when interrupted, see kubectl_netpoltest.interrupts."""


def exec_timeout(*, tasks: int, options: ExecuteOptions) -> float:
    dns = max(5, 2 * options.probe_timeout_seconds)
    per_task = dns + options.attempts * (options.probe_timeout_seconds + 1)
    waves = math.ceil(max(1, tasks) / options.parallelism_per_pod)
    return waves * per_task + 30.0


def execute(
    *,
    gateway_factory: Callable[[], ClusterGateway],
    probes: Sequence[Probe],
    options: ExecuteOptions,
    spec_path: str,
    on_result: ResultCallback | None = None,
    on_task_done: Callable[[], None] | None = None,
    objects: ObjectReader | None = None,
) -> ExecuteOutcome:
    """`objects` reads Services and EndpointSlices; needed only when a target is a Service."""
    started = time.monotonic()
    gateway = gateway_factory()
    sources = list(dict.fromkeys(p.source for p in probes))
    service_ns = service_namespaces(probes)
    namespaces = sorted(
        {p.namespace or "default" for p in sources}
        | {p.target.pod.namespace or "default" for p in probes if isinstance(p.target, PodTarget)}
        | set(service_ns)
    )
    pods = {ns: gateway.list_pods(namespace=ns) for ns in namespaces}
    if service_ns and objects is None:
        from kubectl_netpoltest.cluster.gatewayreads import object_reader_of

        objects = object_reader_of(gateway)
    plan = plan_batches(
        probes=probes,
        pods=pods,
        objects=objects,
        spec_path=spec_path,
        ip_family=options.ip_family,
    )
    batches = plan.batches
    results: dict[str, ProbeResult] = {}
    parts: dict[str, list[ProbeResult]] = {}
    lock = threading.Lock()

    def record(result: ProbeResult) -> None:
        if result.probe.id in plan.spread:  # merged once every source pod has answered
            with lock:
                parts.setdefault(result.probe.id, []).append(result)
            return
        with lock:
            results[result.probe.id] = result
        if on_result is not None:
            on_result(result)

    for result in plan.early:
        record(result)

    interrupt_code: ExitCode | None = None
    pool = ThreadPoolExecutor(max_workers=max(1, options.pods_in_parallel))
    try:
        futures = [
            pool.submit(
                _run_batch,
                gateway_factory=gateway_factory,
                batch=batch,
                options=options,
                spec_path=spec_path,
                record=record,
                on_task_done=on_task_done,
            )
            for batch in batches
        ]
        for future in as_completed(futures):
            future.result()
    except KeyboardInterrupt as exc:
        interrupt_code = interrupts.exit_code_of(exc)
        pool.shutdown(wait=False, cancel_futures=True)
    else:
        pool.shutdown(wait=True)
    for probe_id, found in parts.items():
        results[probe_id] = merge_spread(found)
        if on_result is not None:
            on_result(results[probe_id])
    ordered = []
    for probe in probes:
        if probe.id in results:
            ordered.append(results[probe.id])
        else:
            ordered.append(error_result(probe, "interrupted before this probe finished"))
    return ExecuteOutcome(
        results=explain_contradicted_refusals(ordered, cni_mode=options.cni_mode),
        exec_calls=len(batches),
        interrupted=interrupt_code is not None,
        seconds=time.monotonic() - started,
        interrupt_code=interrupt_code,
    )


def _run_batch(
    *,
    gateway_factory: Callable[[], ClusterGateway],
    batch: Batch,
    options: ExecuteOptions,
    spec_path: str,
    record: ResultCallback,
    on_task_done: Callable[[], None] | None,
) -> None:
    pod = batch.run.pod
    assert pod is not None and batch.run.container is not None
    sidecar = next((c for c in pod.containers if c in MESH_SIDECARS), None)
    argv = build_batch_command(
        tasks=batch.tasks,
        timeout_seconds=options.probe_timeout_seconds,
        attempts=options.attempts,
        parallelism=min(options.parallelism_per_pod, 64),
    )
    lines: list[str] = []
    elapsed_ms: dict[str, int] = {}

    def on_line(line: str) -> None:
        lines.append(line)
        parsed = parse_line(line)
        if isinstance(parsed, ProbeResultLine):
            elapsed_ms[parsed.probe_id] = max(elapsed_ms.get(parsed.probe_id, 0), parsed.elapsed_ms)
            if on_task_done is not None:
                on_task_done()

    started = time.monotonic()
    problem: str | None = None
    try:
        outcome = gateway_factory().exec_lines(
            namespace=pod.namespace,
            pod=pod.name,
            container=batch.run.container,
            argv=argv,
            timeout_seconds=exec_timeout(tasks=len(batch.tasks), options=options),
            on_line=on_line,
        )
        status = outcome.status
        if status.kind is not ExecStatusKind.EXITED or status.exit_code != 0:
            stderr = outcome.stderr.strip().splitlines()[-1:] if outcome.stderr.strip() else []
            problem = (
                f"the probes could not run in {pod.ref} (container "
                f"{batch.run.container}): {one_line(status.message or status.kind.value)}"
                + (f"; stderr: {one_line(stderr[0])}" if stderr else "")
            )
            if "executable file not found" in status.message:
                problem += (
                    "; the probe image needs bash, nc (netcat-openbsd), dig and getent: prepare "
                    f"again with an image that has them (the default is {DEFAULT_IMAGE})"
                )
    except ClusterError as exc:
        if isinstance(exc, NotFound) or "container not found" in exc.message:
            problem = (
                f"source pod {pod.ref} vanished or lost its debug container since prepare "
                f"({one_line(exc.message)}); run `kubectl netpoltest prepare {spec_path}` again"
            )
        else:
            problem = f"could not run the probes in {pod.ref}: {one_line(str(exc))}"
    seconds = time.monotonic() - started
    probed = {p.ref: p for p in batch.target_pod.values()}
    probed |= {p.ref: p for pods in batch.checked_pods.values() for p in pods}
    moved = changed_targets(gateway_factory(), probed=probed.values()) if probed else {}
    assembled = assemble_batch(
        tasks=batch.tasks, lines=lines, timeout_seconds=options.probe_timeout_seconds
    )
    by_probe: dict[str, list[tuple[str | None, Outcome]]] = {}
    by_task: dict[str, list[tuple[str | None, Outcome]]] = {}
    dropped: dict[str, str] = {}
    for task in batch.tasks:
        probe = batch.task_probe[task.probe_id]
        for item in assembled.outcomes.get(task.probe_id, ()):
            if not wanted(item.address, options.ip_family):
                dropped[probe.id] = (
                    f"{probe.target.label} resolved to no IPv{options.ip_family.value} address "
                    f"(--ip-family {options.ip_family.value}; it resolved to {item.address})"
                )
                continue  # --ip-family 4|6: a name also resolved to the other family
            outcome_item = item.outcome
            if problem and outcome_item.observation is Observation.PROBE_ERROR:
                outcome_item = Outcome(Observation.PROBE_ERROR, problem)
            address = item.address or task.host
            if task.probe_id in batch.task_tries:
                label = batch.task_tries[task.probe_id].label
                address = label if address == task.host else f"{label} -> {address}"
            by_probe.setdefault(probe.id, []).append((address, outcome_item))
            by_task.setdefault(task.probe_id, []).append((address, outcome_item))
    for probe in batch.probes:
        if probe.id not in by_probe and dropped.get(probe.id):
            by_probe[probe.id] = [(None, Outcome(Observation.PROBE_ERROR, dropped[probe.id]))]
        if probe.id not in by_probe:
            continue
        outcomes = by_probe[probe.id]
        task_ids = [t.probe_id for t in batch.tasks if batch.task_probe[t.probe_id] is probe]
        judgement: Judgement = (
            service_judgement(
                probe=probe,
                tries=[ServiceTried(batch.task_tries[t], by_task.get(t, [])) for t in task_ids],
                cni_mode=options.cni_mode,
                noun=batch.noun[probe.id],
            )
            if probe.id in batch.noun
            else classify_addresses(
                expect=probe.expect,
                outcomes=outcomes,
                port=probe.port,
                protocol=probe.protocol,
                cni_mode=options.cni_mode,
                own_addresses=frozenset(pod.ips),
            )
        )
        judgement = distrust_mesh_connects(
            judgement=judgement,
            observations=[o.observation for _, o in outcomes],
            protocol=probe.protocol,
            sidecar=sidecar,
        )
        target = batch.target_pod.get(probe.id)
        if target is not None and target.ref in moved:
            judgement = Judgement(Verdict.ERROR, moved[target.ref])
        for backend_pod in batch.checked_pods.get(probe.id, ()):
            if backend_pod.ref in moved:
                judgement = Judgement(Verdict.ERROR, moved[backend_pod.ref])
        took = max((elapsed_ms.get(t, 0) for t in task_ids), default=0) / 1000
        record(
            ProbeResult(
                probe=probe,
                source_pod=pod.ref,
                addresses=tuple(AddressResult(a, o.observation, o.detail) for a, o in outcomes),
                verdict=judgement.verdict,
                reason=judgement.reason,
                seconds=took if took else seconds,
                inconclusive=judgement.inconclusive,
                decided_by=judgement.observation,
                source_node=pod.node,
                target_node=target.node if target is not None else None,
            )
        )
