"""`kubectl netpoltest prepare SPEC`: add a debug container to one pod per source."""

from __future__ import annotations

from typing import Annotated

import typer

from kubectl_netpoltest import interrupts
from kubectl_netpoltest.cli.connect import open_session
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags, connection_flags, parse_duration
from kubectl_netpoltest.cli.outputs import Output, OutputFlag
from kubectl_netpoltest.cli.undo import undo_command
from kubectl_netpoltest.cli.validate import SpecArg
from kubectl_netpoltest.engine.instrument import DEFAULT_IMAGE
from kubectl_netpoltest.engine.options import PrepareOptions
from kubectl_netpoltest.engine.prepare import PrepareInterrupted
from kubectl_netpoltest.engine.prepare import prepare as run_prepare
from kubectl_netpoltest.errors import ClusterError
from kubectl_netpoltest.report.clusterdata import prepare_body
from kubectl_netpoltest.report.envelope import envelope, write_document
from kubectl_netpoltest.report.text import progress, write_prepare


def _seconds(text: str, flag: str) -> int:
    try:
        value = parse_duration(text)
    except typer.BadParameter as exc:
        raise typer.BadParameter(str(exc), param_hint=flag) from None
    if value is None or value < 1:
        raise typer.BadParameter("must be at least 1s", param_hint=flag)
    return int(value)


@connection_flags
def prepare(
    spec: SpecArg,
    *,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            metavar="IMAGE",
            help=f"Probe image (default: the spec's `image:`, else {DEFAULT_IMAGE}).",
            show_default=False,
        ),
    ] = None,
    ttl: Annotated[
        str,
        typer.Option(
            "--ttl",
            metavar="DURATION",
            help="How long the debug container stays alive before it exits by itself.",
        ),
    ] = "1h",
    timeout: Annotated[
        str,
        typer.Option(
            "--timeout",
            metavar="DURATION",
            help="How long to wait for every debug container to run.",
        ),
    ] = "2m",
    output: OutputFlag = Output.TABLE,
    flags: KubeFlags,
) -> None:
    """Add a debug container to one pod per source.

    One matching pod per source is labelled, then gets an ephemeral debug container. Runs for
    all sources in parallel and is idempotent: a pod that already has our running debug
    container is reused and nothing changes.
    """
    ttl_seconds = _seconds(ttl, "--ttl")  # flag errors first, before any cluster call
    timeout_seconds = _seconds(timeout, "--timeout")
    session = open_session(spec_path=spec, flags=flags)
    options = PrepareOptions(
        image=image or session.spec.image or DEFAULT_IMAGE,
        ttl_seconds=ttl_seconds,
        timeout_seconds=timeout_seconds,
    )
    undo = undo_command(spec=spec, flags=flags)
    try:
        with progress(
            ENV.stderr, description="preparing source pods", total=len(session.sources)
        ) as bar:
            results = run_prepare(
                gateway=session.gateway,
                sources=session.sources,
                options=options,
                on_done=lambda _r: bar.advance(bar.task_ids[0]),
            )
    except PrepareInterrupted as stopped:
        # what was done and what is left, then the interrupt's own exit code (130/143)
        write_prepare(
            stopped.results, ENV.stdout, context=session.gateway.description, image=options.image
        )
        touched = [r.pod for r in stopped.results if r.instrumented and r.pod]
        if touched:
            ENV.stdout.write(
                f"interrupted: {len(touched)} pod(s) instrumented ({', '.join(touched)}); "
                f"undo with: {undo}\n"
            )
        else:
            ENV.stdout.write("interrupted: nothing was left changed\n")
        # typer would turn the interrupt into a silent 130; SIGTERM must give 143
        raise typer.Exit(int(interrupts.exit_code_of(stopped))) from stopped
    if output in (Output.JSON, Output.YAML):
        body = prepare_body(results, image=options.image)
        write_document(
            envelope("PrepareResult", session.run, body), ENV.stdout, as_yaml=output is Output.YAML
        )
    else:
        write_prepare(
            results,
            ENV.stdout,
            context=session.gateway.description,
            image=options.image,
            wide=output is Output.WIDE,
        )
    failed = [r for r in results if not r.ok]
    if failed:
        left = sorted({r.pod for r in failed if r.instrumented and r.pod})
        raise ClusterError(
            f"{len(failed)} of {len(results)} sources could not be prepared; see above"
            + (
                f"\n{len(left)} pod(s) now carry our label and a debug container that is not "
                f"running ({', '.join(left)}): cleanup is needed: {undo}"
                if left
                else ""
            )
        )
