"""The semantics table: every case against the pure evaluator, with its API citation."""

from __future__ import annotations

import re

import pytest

from tests.unit.core.policy.semantics_table import CASES
from tests.unit.core.policy.world import objects, predict, predictor_for

_CHECK = re.compile(r"^(\S+) > (\S+):(\d+)(?:/(TCP|UDP|SCTP))? ([YNU])$")
_WORD = {"Y": "allowed", "N": "denied", "U": "undefined"}


def test_table_has_at_least_80_cited_cases() -> None:
    assert len(CASES) >= 80
    assert len({c.name for c in CASES}) == len(CASES)
    assert all(c.cite and c.checks.strip() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case) -> None:  # type: ignore[no-untyped-def]
    predictor = predictor_for(
        objects(
            policies=case.policies,
            pod_labels=case.pod_labels,
            ns_labels=case.ns_labels,
            pod_ports=case.pod_ports,
        ),
        case.assumptions,
    )
    wrong = []
    for line in case.checks.strip().splitlines():
        match = _CHECK.match(line.strip())
        assert match, f"bad check line {line!r}"
        src, dst, port, proto, want = match.groups()
        # an IPv6 literal target keeps its colons: split the port off the right end
        got = predict(predictor, src, dst, int(port), proto or "TCP")
        if got.verdict.value != _WORD[want]:
            reasons = "; ".join(f"{b.direction}: {b.reason}" for b in got.because)
            wrong.append(f"{line.strip()}: got {got.verdict.value} ({reasons})")
    assert not wrong, f"[{case.cite}]\n" + "\n".join(wrong)
