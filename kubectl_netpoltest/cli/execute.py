"""`kubectl netpoltest execute SPEC`: run every probe and report PASS/FAIL/ERROR."""

from __future__ import annotations

import sys
from dataclasses import replace
from enum import StrEnum
from typing import Annotated

import typer

from kubectl_netpoltest.cli.cnimode import CNI_MODE_HELP, CniChoice, resolve_cni_mode
from kubectl_netpoltest.cli.connect import open_session
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import (
    ContextOpt,
    KubeconfigOpt,
    NamespaceOpt,
    RequestTimeoutOpt,
    VerbosityOpt,
    kube_flags,
)
from kubectl_netpoltest.cli.validate import SpecArg
from kubectl_netpoltest.core.results import exit_code_for
from kubectl_netpoltest.engine.execute import execute as run_execute
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.errors import NetpoltestError
from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.report.failedrun import failed_run_junit
from kubectl_netpoltest.report.files import ReportWriteError, write_report
from kubectl_netpoltest.report.jsonout import write_results_json
from kubectl_netpoltest.report.junit import junit_string
from kubectl_netpoltest.report.text import progress, write_results


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def execute(
    spec: SpecArg,
    output: Annotated[OutputFormat, typer.Option("-o", "--output", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    junit: Annotated[
        str, typer.Option("--junit", help="Where to write the JUnit XML report ('' to skip it).")
    ] = "junit.xml",
    probe_timeout: Annotated[
        int,
        typer.Option(
            "--probe-timeout",
            min=1,
            max=60,
            help="Seconds each connection attempt may take before it counts as dropped.",
        ),
    ] = 2,
    attempts: Annotated[
        int,
        typer.Option(
            "--attempts",
            min=1,
            max=5,
            help="Attempts per probe; only unanswered attempts are repeated.",
        ),
    ] = 3,
    parallelism: Annotated[
        int,
        typer.Option(
            "--parallelism", min=1, max=64, help="Probes run at once inside each source pod."
        ),
    ] = 32,
    cni_mode: Annotated[CniChoice, typer.Option("--cni-mode", help=CNI_MODE_HELP)] = CniChoice.AUTO,
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    namespace: NamespaceOpt = None,
    request_timeout: RequestTimeoutOpt = "30s",
    verbosity: VerbosityOpt = 0,
) -> None:
    """Run every probe inside the prepared pods: one exec per source pod, probes in parallel.

    Exit code 0 when all pass, 1 when any FAILED, 5 when none failed but some could not be
    checked (ERROR). The JUnit report is written even when probes error or you press Ctrl-C.
    """
    flags = kube_flags(
        kubeconfig=kubeconfig,
        context=context,
        namespace=namespace,
        request_timeout=request_timeout,
        verbosity=verbosity,
    )
    options = ExecuteOptions(
        probe_timeout_seconds=probe_timeout,
        attempts=attempts,
        parallelism_per_pod=parallelism,
    )
    try:
        session = open_session(spec_path=spec, flags=flags)
        options = replace(
            options,
            cni_mode=resolve_cni_mode(
                cni_mode,
                gateway=session.gateway,
                context=session.settings.context,
                request_timeout=flags.request_timeout,
                verbosity=flags.verbosity,
                note=ENV.stderr if output is OutputFormat.JSON else ENV.stdout,
            ),
        )
        with progress(ENV.stderr, description="probing", total=len(session.probes)) as bar:
            outcome = run_execute(
                gateway_factory=lambda: session.gateway,
                probes=session.probes,
                options=options,
                spec_path=spec,
                on_result=lambda _r: bar.advance(bar.task_ids[0]),
            )
    except NetpoltestError as exc:
        _replace_stale_junit(junit, reason=str(exc))
        raise
    except KeyboardInterrupt:
        _replace_stale_junit(junit, reason="interrupted before any probe ran")
        raise
    # Results first: whatever happens to the report file, the user sees them.
    if output is OutputFormat.JSON:
        write_results_json(
            outcome.results,
            ENV.stdout,
            seconds=outcome.seconds,
            exec_calls=outcome.exec_calls,
            interrupted=outcome.interrupted,
        )
    else:
        write_results(
            outcome.results,
            ENV.stdout,
            seconds=outcome.seconds,
            exec_calls=outcome.exec_calls,
            interrupted=outcome.interrupted,
        )
    ENV.stdout.flush()
    code = exit_code_for(outcome.results, interrupted=outcome.interrupted)
    if outcome.interrupt_code is not None:
        code = outcome.interrupt_code
    if junit:
        try:
            write_report(junit, junit_string(outcome.results, interrupted=outcome.interrupted))
        except ReportWriteError as exc:
            print(f"error: {exc}", file=sys.stderr)
            if outcome.interrupt_code is None:
                code = ExitCode.REPORT_WRITE_ERROR
        else:
            if output is not OutputFormat.JSON:
                ENV.stdout.write(f"JUnit report: {junit}\n")
    raise typer.Exit(int(code))


def _replace_stale_junit(path: str, *, reason: str) -> None:
    """The run failed before probing: a report saying so replaces the previous run's one
    (report/failedrun.py says why). A failure to write it must not hide the real error."""
    if not path:
        return
    try:
        write_report(path, failed_run_junit(reason))
    except ReportWriteError as exc:
        print(f"warning: {exc.message}", file=sys.stderr)
