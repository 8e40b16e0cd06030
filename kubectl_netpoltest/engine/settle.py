"""execute --settle: give a just-applied policy time to be programmed before judging.

CNIs program NetworkPolicy asynchronously, so in CI a policy applied a second before execute
may not be in force yet. With a settle window, a probe whose observation contradicts the
expectation (FAIL) is run again, until it agrees K times in a row (then PASS is final) or the
window ends (then the last FAIL is final). Agreement must be stable, not a single lucky
observation: a rule being programmed node by node can flap. Only FAIL is retried: an ERROR is
not evidence of a policy still being programmed, and retrying it would only hide a broken probe.
Each result records how long after the start of the run its verdict was reached.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from kubectl_netpoltest import interrupts
from kubectl_netpoltest.cluster.gateway import ClusterGateway
from kubectl_netpoltest.core.model import Probe
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine.execute import ExecuteOutcome, ResultCallback, execute
from kubectl_netpoltest.engine.options import ExecuteOptions

PAUSE_SECONDS = 0.5
"""Between rounds: long enough not to hammer the API server, short next to a probe timeout."""


@dataclass(frozen=True)
class SettleOptions:
    window_seconds: float
    stable: int = 3


def execute_settled(
    *,
    gateway_factory: Callable[[], ClusterGateway],
    probes: Sequence[Probe],
    options: ExecuteOptions,
    settle: SettleOptions,
    spec_path: str,
    on_result: ResultCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ExecuteOutcome:
    started = clock()
    first = execute(
        gateway_factory=gateway_factory, probes=probes, options=options, spec_path=spec_path
    )
    final: dict[str, ProbeResult] = {}
    pending: dict[str, ProbeResult] = {}
    for result in first.results:
        if result.verdict is Verdict.FAIL and not first.interrupted:
            pending[result.probe.id] = result
        else:
            final[result.probe.id] = replace(result, settled_seconds=clock() - started)
            if on_result is not None:
                on_result(final[result.probe.id])
    streak = dict.fromkeys(pending, 0)
    exec_calls = first.exec_calls
    interrupt_code = first.interrupt_code
    interrupted = first.interrupted
    while pending and not interrupted and clock() - started < settle.window_seconds:
        try:
            sleep(PAUSE_SECONDS)
        except KeyboardInterrupt as exc:  # a signal between rounds: judge what was seen
            interrupt_code, interrupted = interrupts.exit_code_of(exc), True
            break
        again = execute(
            gateway_factory=gateway_factory,
            probes=[r.probe for r in pending.values()],
            options=options,
            spec_path=spec_path,
        )
        exec_calls += again.exec_calls
        interrupted = again.interrupted
        interrupt_code = again.interrupt_code or interrupt_code
        for result in again.results:
            probe_id = result.probe.id
            if again.interrupted and result.verdict is Verdict.ERROR:
                # Cut short by the signal: the FAIL seen before it stays the evidence.
                continue
            if result.verdict is not Verdict.PASS:
                streak[probe_id] = 0
                pending[probe_id] = result  # the latest contradiction
                continue
            streak[probe_id] += 1
            if streak[probe_id] >= settle.stable:
                took = clock() - started
                final[probe_id] = replace(
                    result,
                    settled_seconds=took,
                    reason=f"{result.reason} (settled: agreed {settle.stable} times in a row "
                    f"after {took:.1f}s)",
                )
                del pending[probe_id]
                if on_result is not None:
                    on_result(final[probe_id])
    for probe_id, result in pending.items():
        agreed = (
            f"; the last {streak[probe_id]} runs agreed, {settle.stable} needed"
            if streak[probe_id]
            else ""
        )
        window = (
            f"interrupted after {clock() - started:.0f}s"
            if interrupted
            else f"not settled within {settle.window_seconds:.0f}s"
        )
        final[probe_id] = replace(
            result, settled_seconds=None, reason=f"{result.reason} ({window}{agreed})"
        )
        if on_result is not None:
            on_result(final[probe_id])
    return ExecuteOutcome(
        results=[final[p.id] for p in probes if p.id in final],
        exec_calls=exec_calls,
        interrupted=interrupted,
        seconds=clock() - started,
        interrupt_code=interrupt_code if interrupted else None,
    )
