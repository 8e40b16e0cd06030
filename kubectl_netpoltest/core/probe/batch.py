"""One batch's whole stdout → outcomes per probe id, with what was wrong with the stream.

Why separate from `observe`: `observe` reads one result line; this module is about the stream
as a whole (announced addresses, missing results, the END trailer), which is where a truncated
or forged stream must turn into PROBE_ERROR and never into "blocked".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kubectl_netpoltest.core.observation import Observation, Outcome
from kubectl_netpoltest.core.probe.lines import (
    AddressesLine,
    BeginLine,
    EndLine,
    TaskErrorLine,
    parse_line,
)
from kubectl_netpoltest.core.probe.observe import observe
from kubectl_netpoltest.core.probe.task import ProbeTask

__all__ = ["AddressOutcome", "BatchResult", "assemble_batch"]


@dataclass(frozen=True)
class AddressOutcome:
    """The outcome towards one address; `address` is None when none was reached or known."""

    address: str | None
    outcome: Outcome


@dataclass(frozen=True)
class BatchResult:
    """Every task's outcomes, plus what was wrong with the stream itself.

    `complete` is False when the END trailer was missing; affected probes are PROBE_ERROR.
    """

    outcomes: dict[str, tuple[AddressOutcome, ...]]
    complete: bool
    problems: tuple[str, ...] = field(default=())


def assemble_batch(
    *,
    tasks: Sequence[ProbeTask],
    lines: Iterable[str],
    timeout_seconds: int | None = None,
    dns_timeout_seconds: int | None = None,
) -> BatchResult:
    """Turn the whole stdout of one batch into outcomes per probe id.

    Every task gets at least one AddressOutcome: an address that was announced but never
    reported, or a task that never reported at all, becomes PROBE_ERROR with the reason, so a
    truncated stream can never look like "blocked".
    """
    announced: dict[str, tuple[str, ...]] = {}
    results: dict[str, dict[str | None, Outcome]] = {}
    errors: dict[str, str] = {}
    problems: list[str] = []
    ended = False
    known = {task.probe_id for task in tasks}

    for raw in lines:
        parsed = parse_line(raw)
        if parsed is None or isinstance(parsed, BeginLine):
            continue
        if isinstance(parsed, EndLine):
            ended = parsed.tasks == len(tasks)
            if not ended:
                problems.append(f"trailer reports {parsed.tasks} probes, expected {len(tasks)}")
            continue
        if parsed.probe_id not in known:
            problems.append(f"result for unknown probe id {parsed.probe_id!r} ignored")
            continue
        if isinstance(parsed, AddressesLine):
            announced[parsed.probe_id] = parsed.addresses
        elif isinstance(parsed, TaskErrorLine):
            errors[parsed.probe_id] = parsed.message
        else:
            per_address = results.setdefault(parsed.probe_id, {})
            outcome = observe(
                parsed, timeout_seconds=timeout_seconds, dns_timeout_seconds=dns_timeout_seconds
            )
            if parsed.address in per_address:
                outcome = Outcome(Observation.PROBE_ERROR, "duplicate result for this address")
            per_address[parsed.address] = outcome

    missing_reason = (
        "no result: the probe stream ended early (no END trailer)"
        if not ended
        else "no result reported for this probe"
    )
    outcomes: dict[str, tuple[AddressOutcome, ...]] = {}
    for task in tasks:
        pid = task.probe_id
        got = results.get(pid, {})
        if pid in errors:
            outcomes[pid] = (AddressOutcome(None, Outcome(Observation.PROBE_ERROR, errors[pid])),)
        elif None in got:
            outcomes[pid] = (AddressOutcome(None, got[None]),)
        elif pid in announced:
            outcomes[pid] = tuple(
                AddressOutcome(
                    address,
                    got.get(address, Outcome(Observation.PROBE_ERROR, missing_reason)),
                )
                for address in announced[pid]
            )
            extra = set(got) - set(announced[pid])
            if extra:
                problems.append(
                    f"{pid}: results for unannounced addresses {sorted(map(str, extra))}"
                )
        else:
            outcomes[pid] = (
                AddressOutcome(None, Outcome(Observation.PROBE_ERROR, missing_reason)),
            )
    return BatchResult(outcomes=outcomes, complete=ended, problems=tuple(problems))
