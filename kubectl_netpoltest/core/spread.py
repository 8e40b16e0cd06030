"""One verdict for a probe run from several pods of one source (`spread: nodes|all`).

Why: enforcement is per node (each node's CNI agent programs its own pods' rules), so one
source pod proves nothing about the others. The probe runs from each instrumented pod; any
FAIL is a FAIL ("FAIL on node-2 of 3"), then any ERROR, else PASS, and every row is kept for
the JSON per-node matrix. The result shown is the deciding pod's (its addresses and
observation), so a FAIL never shows the observation of a pod that passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kubectl_netpoltest.core.results import ProbeResult, SourceResult
from kubectl_netpoltest.core.verdict import Verdict

_ORDER = (Verdict.FAIL, Verdict.ERROR, Verdict.PASS)


def where(part: ProbeResult) -> str:
    """The node, or the pod when the node is unknown."""
    return part.source_node or part.source_pod or "?"


def merge_spread(parts: Sequence[ProbeResult]) -> ProbeResult:
    """The parts (one per source pod, all of the same probe) as one result."""
    assert parts, "a spread probe has at least one part"
    ordered = sorted(parts, key=lambda p: (where(p), p.source_pod or ""))
    rows = tuple(
        SourceResult(
            pod=p.source_pod or "?",
            node=p.source_node,
            verdict=p.verdict,
            observation=p.observation,
            reason=p.reason,
        )
        for p in ordered
    )
    worst = next(v for v in _ORDER if any(p.verdict is v for p in ordered))
    deciding = [p for p in ordered if p.verdict is worst]
    first = deciding[0]
    total = len(ordered)
    if len(deciding) == total:
        head = (
            f"{worst.value} from all {total} source pods ({', '.join(where(p) for p in ordered)})"
        )
    else:
        head = f"{worst.value} on {', '.join(where(p) for p in deciding)} of {total}"
    return replace(
        first,
        reason=f"{head}: {first.reason}",
        per_source=rows,
        seconds=max(p.seconds for p in ordered),
        inconclusive=all(p.inconclusive for p in deciding) and worst is Verdict.ERROR,
    )
