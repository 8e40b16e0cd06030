"""`kubectl netpoltest execute SPEC`: run every probe and report PASS/FAIL/ERROR."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Annotated

import typer

from kubectl_netpoltest.cli.cnimode import CNI_MODE_HELP, CniChoice, resolve_cni_mode
from kubectl_netpoltest.cli.connect import open_session
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags, connection_flags
from kubectl_netpoltest.cli.outputs import Output, OutputFlag
from kubectl_netpoltest.cli.predictview import annotations_for, load_predictions
from kubectl_netpoltest.cli.runview import (
    HtmlFlag,
    JunitPropertyFlag,
    OnlyFailuresFlag,
    junit_properties,
    junit_run,
    result_document,
    show,
    worst_case_seconds,
)
from kubectl_netpoltest.cli.settleflags import SettleFlag, StableFlag, settle_options
from kubectl_netpoltest.cli.specs import MaxProbesFlag, RuleFlag, SourceFlag, SpecArg
from kubectl_netpoltest.core.ipfamily import IpFamily
from kubectl_netpoltest.core.results import exit_code_for
from kubectl_netpoltest.core.spec.loader import DEFAULT_MAX_PROBES
from kubectl_netpoltest.engine.execute import execute as run_execute
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.engine.settle import execute_settled
from kubectl_netpoltest.errors import NetpoltestError
from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.report.failedrun import failed_run_junit
from kubectl_netpoltest.report.files import ReportWriteError, write_report
from kubectl_netpoltest.report.html import html_page
from kubectl_netpoltest.report.junit import junit_string
from kubectl_netpoltest.report.predictions import annotate_junit
from kubectl_netpoltest.report.progress import live_progress


@connection_flags
def execute(
    spec: SpecArg,
    *,
    output: OutputFlag = Output.TABLE,
    junit: Annotated[
        str,
        typer.Option(
            "--junit",
            help="Where to write the JUnit XML report ('' to skip it).",
            metavar="FILE",
        ),
    ] = "junit.xml",
    probe_timeout: Annotated[
        int,
        typer.Option(
            "--probe-timeout",
            metavar="SECONDS",
            min=1,
            max=60,
            help="Seconds each connection attempt may take before it counts as dropped.",
        ),
    ] = 2,
    attempts: Annotated[
        int,
        typer.Option(
            "--attempts",
            metavar="N",
            min=1,
            max=5,
            help="Attempts per probe; only unanswered attempts are repeated.",
        ),
    ] = 3,
    parallelism: Annotated[
        int,
        typer.Option(
            "--parallelism",
            metavar="N",
            min=1,
            max=64,
            help="Probes run at once inside each source pod.",
        ),
    ] = 32,
    cni_mode: Annotated[CniChoice, typer.Option("--cni-mode", help=CNI_MODE_HELP)] = CniChoice.AUTO,
    ip_family: Annotated[
        IpFamily,
        typer.Option(
            "--ip-family",
            help="Address families of each target to probe: 4, 6, both (a target without "
            "one is ERROR), or any (default: every family the target has).",
        ),
    ] = IpFamily.ANY,
    rule: RuleFlag = None,
    source: SourceFlag = None,
    only_failures: OnlyFailuresFlag = False,
    html: HtmlFlag = None,
    junit_property: JunitPropertyFlag = None,
    max_probes: MaxProbesFlag = DEFAULT_MAX_PROBES,
    settle: SettleFlag = "0",
    stable: StableFlag = 3,
    flags: KubeFlags,
) -> None:
    """Run every probe inside the prepared pods.

    One exec per source pod, probes in parallel. Exit code 0 when all pass, 1 when any FAILED,
    5 when none failed but some could not be checked (ERROR). The JUnit report is written even
    when probes error or you press Ctrl-C. On a terminal, progress is shown as probes finish.
    """
    extra_properties = junit_properties(junit_property or [])
    settling = settle_options(settle=settle, stable=stable)
    options = ExecuteOptions(
        probe_timeout_seconds=probe_timeout,
        attempts=attempts,
        parallelism_per_pod=parallelism,
        ip_family=ip_family,
    )
    try:
        session = open_session(
            spec_path=spec,
            flags=flags,
            rules=rule or (),
            sources=source or (),
            max_probes=max_probes,
        )
        options = replace(
            options,
            cni_mode=resolve_cni_mode(
                cni_mode,
                gateway=session.gateway,
                context=session.settings.context,
                request_timeout=flags.request_timeout,
                verbosity=flags.verbosity,
                note=ENV.stdout if output in (Output.TABLE, Output.WIDE) else ENV.stderr,
            ),
        )
        predictions = load_predictions(
            session, flags, note=ENV.stdout if output in (Output.TABLE, Output.WIDE) else ENV.stderr
        )
        with live_progress(
            ENV.stderr,
            probes=session.probes,
            context=session.gateway.description,
            worst_case_seconds=worst_case_seconds(session.probes, options),
        ) as watch:
            if settling is None:
                outcome = run_execute(
                    gateway_factory=lambda: session.gateway,
                    probes=session.probes,
                    options=options,
                    spec_path=spec,
                    on_result=watch.result,
                    on_task_done=watch.task_done,
                )
            else:
                outcome = execute_settled(
                    gateway_factory=lambda: session.gateway,
                    probes=session.probes,
                    options=options,
                    settle=settling,
                    spec_path=spec,
                    on_result=watch.result,
                )
    except NetpoltestError as exc:
        _replace_stale_junit(junit, reason=str(exc))
        raise
    except KeyboardInterrupt:
        _replace_stale_junit(junit, reason="interrupted before any probe ran")
        raise
    # Results first: whatever happens to the report file, the user sees them.
    cni = options.cni_mode.value
    annotations = annotations_for(outcome.results, predictions, cni_mode=options.cni_mode)
    show(outcome, output=output, run=session.run, cni_mode=cni, only_failures=only_failures,
         annotations=annotations)
    ENV.stdout.flush()
    code = exit_code_for(outcome.results, interrupted=outcome.interrupted)
    if outcome.interrupt_code is not None:
        code = outcome.interrupt_code
    reports = []
    if junit:
        run = junit_run(outcome, session.run, cni_mode=cni, extra=extra_properties)
        xml = annotate_junit(junit_string(outcome.results, run=run), annotations)
        reports.append(("JUnit", junit, xml))
    if html:
        page = html_page(result_document(outcome, session.run, cni_mode=cni))
        reports.append(("HTML", html, page))
    for what, path, text in reports:
        try:
            write_report(path, text)
        except ReportWriteError as exc:
            print(f"error: {exc}", file=sys.stderr)
            if outcome.interrupt_code is None:
                code = ExitCode.REPORT_WRITE_ERROR
        else:
            if output in (Output.TABLE, Output.WIDE):
                ENV.stdout.write(f"{what} report: {path}\n")
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
