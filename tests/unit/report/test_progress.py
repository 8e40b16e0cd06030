"""The live progress' bookkeeping: per-task counting, pending sources, the worst case."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console

from kubectl_netpoltest.cli.runview import worst_case_seconds
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.report.progress import ProbeProgress, headline, live_progress
from tests.unit.report.test_reports import RESULTS

OTHER = PodRef(name="api", namespace="shop", podname="api")
MIXED = [
    *RESULTS,
    *(replace(r, probe=replace(r.probe, id=r.probe.id + "b", source=OTHER)) for r in RESULTS),
]


def _text(state: ProbeProgress) -> str:
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(state.render())
    return out.getvalue()


def test_count_follows_tasks_before_the_source_pod_returns() -> None:
    state = ProbeProgress(probes=[r.probe for r in MIXED])
    assert state.done == 0
    for _ in range(4):
        state.task_done()
    assert state.done == 4  # four probes answered inside their pods; no exec has returned yet
    assert "waiting on web, api" in _text(state)
    for result in MIXED[:3]:
        state.result(result)
    text = _text(state)
    assert "waiting on api" in text and "web" not in text.split("waiting on")[1]
    assert "FAIL  egress  web -> b.example 80/TCP  refused" in text


def test_count_never_reaches_the_total_before_every_result() -> None:
    state = ProbeProgress(probes=[r.probe for r in RESULTS])
    for _ in range(10):  # dual-stack targets: more tasks than probes
        state.task_done()
    assert state.done == 2
    for result in RESULTS:
        state.result(result)
    assert state.done == 3


def test_nothing_is_drawn_off_a_terminal() -> None:
    err = io.StringIO()
    with live_progress(
        err, probes=[r.probe for r in RESULTS], context="ctx", worst_case_seconds=9
    ) as state:
        state.task_done()
        state.result(RESULTS[0])
    assert err.getvalue() == ""


def test_headline_and_worst_case() -> None:
    options = ExecuteOptions(probe_timeout_seconds=2, attempts=3, parallelism_per_pod=32)
    probes = [r.probe for r in MIXED]
    # per source: one wave of max(5, 2*2) + 3 * (2 + 1) = 14 s; both sources side by side
    assert worst_case_seconds(probes, options) == 14.0
    assert worst_case_seconds(probes, replace(options, pods_in_parallel=1)) == 28.0
    assert headline(probes=6, sources=2, context="context 'kind'", worst_case_seconds=14) == (
        "Probing 6 probes from 2 source pods on context 'kind'; at most 14s if every attempt "
        "times out"
    )
