"""A probe of the plan together with the evaluator's prediction for it (pure data).

Shared by the explain engine, the reports and execute's annotations; the one place where the
spec model (`core.model`) meets the policy evaluator (`core.policy`), which stays independent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kubectl_netpoltest.core.model import Expectation, Probe
from kubectl_netpoltest.core.policy.decision import Prediction, Verdict
from kubectl_netpoltest.exitcodes import ExitCode


@dataclass(frozen=True)
class Explained:
    probe: Probe
    prediction: Prediction
    source_pod: str | None
    """The pod the prediction was made for (namespace/name), None when none matched."""

    @property
    def predicted(self) -> Verdict:
        return self.prediction.verdict

    @property
    def agrees(self) -> bool:
        expected = Verdict.ALLOWED if self.probe.expect is Expectation.ALLOWED else Verdict.DENIED
        return self.predicted is expected


def exit_code(explained: Sequence[Explained]) -> ExitCode:
    """1 when the spec and the policies contradict each other, 5 when some are undefined."""
    if any(not e.agrees and e.predicted is not Verdict.UNDEFINED for e in explained):
        return ExitCode.TEST_FAILURES
    if any(e.predicted is Verdict.UNDEFINED for e in explained):
        return ExitCode.INCONCLUSIVE
    return ExitCode.OK
