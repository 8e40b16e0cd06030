"""What a run produced: one result per probe, summaries, and the run's exit code.

Reports (console, JUnit, JSON) render these; none of them decides anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kubectl_netpoltest.core.model import Probe
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.exitcodes import ExitCode


@dataclass(frozen=True)
class AddressResult:
    """The outcome towards one address of a probe's target."""

    address: str | None
    observation: Observation
    detail: str


@dataclass(frozen=True)
class SourceResult:
    """One source pod's result of a spread probe: a row of the per-node matrix."""

    pod: str
    node: str | None
    verdict: Verdict
    observation: Observation
    reason: str


@dataclass(frozen=True)
class ProbeResult:
    probe: Probe
    source_pod: str | None
    """namespace/name of the pod the probe ran from, None if it could not run."""
    addresses: tuple[AddressResult, ...]
    verdict: Verdict
    reason: str
    seconds: float
    inconclusive: bool = False
    decided_by: Observation | None = None
    """The observation that decided the verdict when the addresses disagree (dual stack);
    None means the first address's."""
    settled_seconds: float | None = None
    """execute --settle: seconds from the start of the run until this verdict was final (a
    FAIL that never settled has None)."""
    source_node: str | None = None
    """The node of the source pod (spec.nodeName), when known."""
    target_node: str | None = None
    """The node of a single target pod (replicas and backends name theirs in `addresses`)."""
    per_source: tuple[SourceResult, ...] = ()
    """`spread: nodes|all`: the probe from each instrumented pod of the source; the verdict
    above is the worst of them (FAIL, then ERROR, then PASS)."""

    @property
    def observation(self) -> Observation:
        """The observation that decided the verdict (the first address's when they agree)."""
        if self.decided_by is not None:
            return self.decided_by
        if not self.addresses:
            return Observation.PROBE_ERROR
        return self.addresses[0].observation

    @property
    def observation_text(self) -> str:
        """The deciding observation, plus each address's when they differ (for people)."""
        kinds = {a.observation for a in self.addresses}
        if len(kinds) <= 1:
            return self.observation.value
        each = ", ".join(f"{a.address or '?'} {a.observation.value}" for a in self.addresses)
        return f"{self.observation.value} ({each})"

    @property
    def address_text(self) -> str:
        return ", ".join(a.address for a in self.addresses if a.address) or "-"


@dataclass(frozen=True)
class Summary:
    total: int
    passed: int
    failed: int
    errors: int
    inconclusive: int


def summarize(results: Sequence[ProbeResult]) -> Summary:
    verdicts = Counter(r.verdict for r in results)
    return Summary(
        total=len(results),
        passed=verdicts[Verdict.PASS],
        failed=verdicts[Verdict.FAIL],
        errors=verdicts[Verdict.ERROR],
        inconclusive=sum(1 for r in results if r.inconclusive),
    )


def exit_code_for(results: Sequence[ProbeResult], *, interrupted: bool = False) -> ExitCode:
    """FAIL beats ERROR beats PASS; an empty run proves nothing and is not a success."""
    if interrupted:
        return ExitCode.INTERRUPTED
    summary = summarize(results)
    if summary.failed:
        return ExitCode.TEST_FAILURES
    if summary.errors or summary.total == 0:
        return ExitCode.INCONCLUSIVE
    return ExitCode.OK
