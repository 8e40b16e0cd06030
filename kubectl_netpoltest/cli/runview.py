"""What `execute` shows and writes once the probes are done, and what it promises before.

Kept apart from cli/execute.py so the command stays flags -> options -> engine call; this
module turns the outcome into the outputs the user asked for (-o, --only-failures, --html,
--junit-property).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.outputs import Output
from kubectl_netpoltest.core.discrepancy import Annotation
from kubectl_netpoltest.core.model import Probe
from kubectl_netpoltest.engine.execute import ExecuteOutcome, exec_timeout
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.errors import UsageError
from kubectl_netpoltest.report.envelope import RunContext, envelope, write_document
from kubectl_netpoltest.report.junit import JunitRun
from kubectl_netpoltest.report.predictions import annotate_document, write_section
from kubectl_netpoltest.report.resultdata import run_dict
from kubectl_netpoltest.report.text import write_results

OnlyFailuresFlag = Annotated[
    bool,
    typer.Option(
        "--only-failures",
        help="List only FAIL and ERROR probes (the summary still counts all of them).",
    ),
]
HtmlFlag = Annotated[
    str | None,
    typer.Option(
        "--html",
        help="Also write a self-contained HTML page with the truth matrix to this file.",
        metavar="FILE",
        show_default=False,
    ),
]
JunitPropertyFlag = Annotated[
    list[str] | None,
    typer.Option(
        "--junit-property",
        help="Add a property to every JUnit testsuite, as KEY=VALUE (repeatable).",
        metavar="KEY=VALUE",
        show_default=False,
    ),
]


def junit_properties(pairs: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                f"--junit-property {pair!r}: expected KEY=VALUE",
                hint="e.g. --junit-property build=42",
            )
        found[key.strip()] = value
    return found


def worst_case_seconds(probes: Sequence[Probe], options: ExecuteOptions) -> float:
    """Every attempt of every probe timing out: source pods run side by side, waves inside."""
    per_source: dict[Any, int] = {}
    for probe in probes:
        per_source[probe.source] = per_source.get(probe.source, 0) + 1
    if not per_source:
        return 0.0
    slowest = max(exec_timeout(tasks=n, options=options) - 30.0 for n in per_source.values())
    waves = math.ceil(len(per_source) / max(1, options.pods_in_parallel))
    return waves * slowest


def result_document(outcome: ExecuteOutcome, run: RunContext, *, cni_mode: str) -> dict[str, Any]:
    body = run_dict(
        outcome.results,
        seconds=outcome.seconds,
        exec_calls=outcome.exec_calls,
        interrupted=outcome.interrupted,
    )
    document = envelope("ExecuteResult", run, body)
    document["metadata"]["cniMode"] = cni_mode
    return document


def show(
    outcome: ExecuteOutcome,
    *,
    output: Output,
    run: RunContext,
    cni_mode: str,
    only_failures: bool,
    annotations: Mapping[str, Annotation] | None = None,
) -> None:
    """`annotations`: the policies' predictions and discrepancies, by probe id (may be empty)."""
    if output in (Output.JSON, Output.YAML):
        document = result_document(outcome, run, cni_mode=cni_mode)
        if annotations:
            annotate_document(document, annotations)
        if only_failures:
            document["results"] = [r for r in document["results"] if r["verdict"] != "PASS"]
        write_document(document, ENV.stdout, as_yaml=output is Output.YAML)
        return
    write_results(
        outcome.results,
        ENV.stdout,
        seconds=outcome.seconds,
        exec_calls=outcome.exec_calls,
        interrupted=outcome.interrupted,
        only_failures=only_failures,
        wide=output is Output.WIDE,
    )
    if annotations:
        write_section(annotations, ENV.stdout, wide=output is Output.WIDE)


def junit_run(
    outcome: ExecuteOutcome, run: RunContext, *, cni_mode: str, extra: dict[str, str]
) -> JunitRun:
    return JunitRun(
        seconds=outcome.seconds,
        started=run.started,
        context=run.context,
        server=run.server,
        spec=run.spec,
        cni_mode=cni_mode,
        interrupted=outcome.interrupted,
        extra=extra,
    )
