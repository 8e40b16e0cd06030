"""execute --settle: FAILs are retried until they agree K times in a row, or the window ends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from kubectl_netpoltest.core.model import Expectation, HostTarget, PodRef, Probe, Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.results import AddressResult, ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine import settle
from kubectl_netpoltest.engine.execute import ExecuteOutcome
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.engine.settle import SettleOptions, execute_settled

WEB = PodRef(name="web", namespace="shop", podname="web")


def probe(port: int) -> Probe:
    return Probe(id=f"web->h:{port}", rule="r", source=WEB, target=HostTarget("h", "10.0.0.9"),
                 port=port, protocol=Protocol.TCP, expect=Expectation.DENIED)


A, B = probe(1), probe(2)


class Script:
    """Each call of execute() answers the next verdict per probe id; records who was asked."""

    def __init__(self, verdicts: dict[str, list[Verdict]]) -> None:
        self.verdicts = verdicts
        self.asked: list[list[str]] = []
        self.now = 0.0

    def execute(self, *, probes: Sequence[Probe], **_: Any) -> ExecuteOutcome:
        self.asked.append([p.id for p in probes])
        results = []
        for p in probes:
            verdict = self.verdicts[p.id].pop(0)
            seen = Observation.TIMEOUT if verdict is Verdict.PASS else Observation.CONNECTED
            results.append(ProbeResult(p, "shop/web-1", (AddressResult("10.0.0.9", seen, ""),),
                                       verdict, seen.value, 1.0))
        self.now += 1.0
        return ExecuteOutcome(results=results, exec_calls=1, interrupted=False, seconds=1.0)

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def run(script: Script, monkeypatch: pytest.MonkeyPatch, *, window: float,
        stable: int = 3) -> list[ProbeResult]:
    monkeypatch.setattr(settle, "execute", script.execute)
    outcome = execute_settled(
        gateway_factory=lambda: None,  # type: ignore[arg-type, return-value]
        probes=[A, B], options=ExecuteOptions(), settle=SettleOptions(window, stable),
        spec_path="t.yaml", clock=lambda: script.now, sleep=script.sleep,
    )
    return outcome.results


P, F = Verdict.PASS, Verdict.FAIL


def test_only_fails_are_retried_until_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script({A.id: [P], B.id: [F, F, P, P, P]})
    a, b = run(script, monkeypatch, window=30)
    assert script.asked == [[A.id, B.id], [B.id], [B.id], [B.id], [B.id]]
    assert (a.verdict, b.verdict) == (P, P)
    assert "settled: agreed 3 times in a row" in b.reason
    assert a.settled_seconds is not None and b.settled_seconds is not None
    assert b.settled_seconds > a.settled_seconds


def test_a_flap_restarts_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script({A.id: [P], B.id: [F, P, P, F, P, P, P]})
    _, b = run(script, monkeypatch, window=60)
    assert b.verdict is P and len(script.asked) == 7


def test_the_window_ends_with_the_last_contradiction(monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script({A.id: [P], B.id: [F, F, P, P, P, P]})
    _, b = run(script, monkeypatch, window=4)
    assert b.verdict is F and b.observation is Observation.CONNECTED
    assert "not settled within 4s; the last 1 runs agreed, 3 needed" in b.reason
    assert b.settled_seconds is None
