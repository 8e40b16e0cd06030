"""execute --settle and enforce-time under Ctrl-C / SIGTERM in a later round.

Found by sending SIGTERM to `enforce-time` while it measured (exit 1 instead of 143, and every
unfinished probe's evidence replaced by 'interrupted') and by reading execute_settled: a signal
in a retry round kept the first round's exit code (none), and one in the pause between rounds
escaped as a KeyboardInterrupt, losing every result already judged.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pytest

from kubectl_netpoltest.core.model import Expectation, HostTarget, PodRef, Probe, Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.results import AddressResult, ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine import enforcetime, settle
from kubectl_netpoltest.engine.enforcetime import PolicyChange, measure
from kubectl_netpoltest.engine.execute import ExecuteOutcome
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.engine.settle import SettleOptions, execute_settled
from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.interrupts import Terminated

WEB = PodRef(name="web", namespace="shop", podname="web")
A = Probe(id="web->h:1", rule="r", source=WEB, target=HostTarget("h", "10.0.0.9"), port=1,
          protocol=Protocol.TCP, expect=Expectation.DENIED)
B = Probe(id="web->h:2", rule="r", source=WEB, target=HostTarget("h", "10.0.0.9"), port=2,
          protocol=Protocol.TCP, expect=Expectation.DENIED)


def result(p: Probe, verdict: Verdict, *, reason: str = "") -> ProbeResult:
    seen = {Verdict.PASS: Observation.TIMEOUT, Verdict.FAIL: Observation.CONNECTED}.get(
        verdict, Observation.PROBE_ERROR)
    return ProbeResult(p, "shop/web-1", (AddressResult("10.0.0.9", seen, ""),), verdict,
                       reason or seen.value, 1.0)


class Rounds:
    """Round n answers `verdicts[n]` per probe; a round listed in `interrupt_in` is cut short
    by SIGTERM the way engine.execute reports it (unfinished probes ERROR 'interrupted')."""

    def __init__(self, verdicts: list[dict[str, Verdict]], interrupt_in: int | None) -> None:
        self.verdicts = verdicts
        self.interrupt_in = interrupt_in
        self.round = 0
        self.now = 0.0

    def execute(self, *, probes: Sequence[Probe], **_: Any) -> ExecuteOutcome:
        answers = self.verdicts[min(self.round, len(self.verdicts) - 1)]  # the last repeats
        cut = self.round == self.interrupt_in
        self.round += 1
        self.now += 1.0
        results = [
            result(p, Verdict.ERROR, reason="interrupted before this probe finished")
            if cut else result(p, answers[p.id])
            for p in probes
        ]
        return ExecuteOutcome(results=results, exec_calls=1, interrupted=cut, seconds=1.0,
                              interrupt_code=ExitCode.TERMINATED if cut else None)

    def sleep(self, seconds: float) -> None:
        self.now += seconds


P, F = Verdict.PASS, Verdict.FAIL


def settled(rounds: Rounds, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> ExecuteOutcome:
    monkeypatch.setattr(settle, "execute", rounds.execute)
    return execute_settled(
        gateway_factory=lambda: None,  # type: ignore[arg-type, return-value]
        probes=[A, B], options=ExecuteOptions(), settle=SettleOptions(30, 3),
        spec_path="t.yaml", clock=lambda: rounds.now, **{"sleep": rounds.sleep, **kwargs},
    )


def test_settle_a_signal_in_a_retry_round_gives_its_exit_code_and_keeps_the_last_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rounds = Rounds([{A.id: P, B.id: F}, {B.id: F}, {B.id: F}], interrupt_in=2)
    outcome = settled(rounds, monkeypatch)
    assert outcome.interrupted and outcome.interrupt_code is ExitCode.TERMINATED
    a, b = outcome.results
    assert a.verdict is P
    assert b.verdict is F, "the evidence seen before the signal is the verdict, not 'interrupted'"
    assert "interrupted" in b.reason


def test_settle_a_signal_in_the_pause_between_rounds_returns_the_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rounds = Rounds([{A.id: P, B.id: F}], interrupt_in=None)

    def signalled(seconds: float) -> None:
        raise Terminated()

    outcome = settled(rounds, monkeypatch, sleep=signalled)
    assert outcome.interrupted and outcome.interrupt_code is ExitCode.TERMINATED
    assert [r.verdict for r in outcome.results] == [P, F]


def test_enforce_time_a_signal_ends_the_measurement_with_its_code_and_the_last_evidence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rounds = Rounds([{A.id: P, B.id: F}, {A.id: P, B.id: F}], interrupt_in=1)
    monkeypatch.setattr(enforcetime, "execute", rounds.execute)
    times = measure(
        gateway_factory=lambda: None,  # type: ignore[arg-type, return-value]
        probes=[A, B], options=ExecuteOptions(), spec_path="t.yaml",
        change=PolicyChange("MODIFIED", "shop/p"), seen_at=time.monotonic(), stable=3,
        timeout_seconds=60,
    )
    assert times.interrupt_code is ExitCode.TERMINATED
    last = {t.probe.id: t.last for t in times.times}
    b_last = last[B.id]
    assert b_last is not None and b_last.verdict is F
    assert times.rounds == 1, "the cut round measured nothing"


def test_enforce_time_probes_that_never_ran_are_inconclusive_not_never_enforced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found with a wedged exec (faultproxy hang-exec): every round ERROR, and enforce-time
    exited 1 ('some probes never matched'), which reads as 'the policy is not enforced'."""
    from kubectl_netpoltest.engine.enforcetime import exit_code_of

    errors = Rounds([{A.id: Verdict.ERROR, B.id: Verdict.ERROR}], interrupt_in=None)

    def timed(rounds: Rounds) -> Any:
        monkeypatch.setattr(enforcetime, "execute", rounds.execute)
        return measure(
            gateway_factory=lambda: None,  # type: ignore[arg-type, return-value]
            probes=[A, B], options=ExecuteOptions(), spec_path="t.yaml",
            change=PolicyChange("MODIFIED", "shop/p"), seen_at=time.monotonic(), stable=1,
            timeout_seconds=0.05,
        )

    assert exit_code_of(timed(errors)) is ExitCode.INCONCLUSIVE
    failing = Rounds([{A.id: P, B.id: F}], interrupt_in=None)
    assert exit_code_of(timed(failing)) is ExitCode.TEST_FAILURES
    mixed = Rounds([{A.id: Verdict.ERROR, B.id: F}], interrupt_in=None)
    assert exit_code_of(timed(mixed)) is ExitCode.TEST_FAILURES
    passing = Rounds([{A.id: P, B.id: P}], interrupt_in=None)
    assert exit_code_of(timed(passing)) is ExitCode.OK
