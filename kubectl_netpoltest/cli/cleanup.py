"""`kubectl netpoltest cleanup SPEC`: return the cluster to its state before prepare."""

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
from kubectl_netpoltest.engine.cleanup import cleanup as run_cleanup
from kubectl_netpoltest.engine.cleanup import outcome as cleanup_outcome
from kubectl_netpoltest.engine.options import CleanupOptions
from kubectl_netpoltest.report.clusterdata import cleanup_body
from kubectl_netpoltest.report.envelope import envelope, write_document
from kubectl_netpoltest.report.text import write_cleanup


@connection_flags
def cleanup(
    spec: SpecArg,
    *,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would happen.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also delete bare pods and single-replica pods (they are lost or down "
            "until replaced).",
        ),
    ] = False,
    keep_pods: Annotated[
        bool,
        typer.Option(
            "--keep-pods",
            help="Do not delete anything: stop the debug containers and remove our label instead.",
        ),
    ] = False,
    all_namespaces: Annotated[
        bool,
        typer.Option(
            "-A",
            "--all-namespaces",
            help="Every pod carrying our label, in every namespace, not "
            "only the pods this spec's sources match.",
        ),
    ] = False,
    timeout: Annotated[
        str,
        typer.Option(
            "--timeout",
            metavar="DURATION",
            help="How long to wait for each replacement pod to be Ready.",
        ),
    ] = "3m",
    output: OutputFlag = Output.TABLE,
    flags: KubeFlags,
) -> None:
    """Delete the pods prepare instrumented, waiting for each replacement.

    Pods are deleted one at a time. Ephemeral containers cannot be removed, so a pod returns to
    its pristine state only by being replaced. Pods nothing would recreate, or single replicas,
    are left alone unless --force.
    """
    try:
        ready = parse_duration(timeout)
    except typer.BadParameter as exc:
        raise typer.BadParameter(str(exc), param_hint="--timeout") from None
    options = CleanupOptions(
        force=force,
        dry_run=dry_run,
        keep_pods=keep_pods,
        all_namespaces=all_namespaces,
        ready_timeout_seconds=int(ready or 180),
    )
    session = open_session(spec_path=spec, flags=flags)
    structured = output in (Output.JSON, Output.YAML)
    try:
        items = run_cleanup(
            gateway=session.gateway,
            sources=session.sources,
            options=options,
            on_done=None
            if structured
            else (lambda item: write_cleanup([item], ENV.stdout, header=False)),
        )
    except KeyboardInterrupt as exc:
        # each pod's line (done, or left) is out already; typer would make this a silent 130
        ENV.stdout.write(f"interrupted: finish with: {undo_command(spec=spec, flags=flags)}\n")
        raise typer.Exit(int(interrupts.exit_code_of(exc))) from exc
    if structured:
        document = envelope("CleanupResult", session.run, cleanup_body(items))
        write_document(document, ENV.stdout, as_yaml=output is Output.YAML)
    else:
        write_cleanup(items, ENV.stdout, header=True, only_summary=True)
    # exit 4 when a pod failed, 6 (PODS_LEFT) when pods stay instrumented by design
    error = cleanup_outcome(items, dry_run=options.dry_run)
    if error is not None:
        raise error
