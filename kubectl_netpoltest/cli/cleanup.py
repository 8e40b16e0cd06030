"""`kubectl netpoltest cleanup SPEC`: return the cluster to its state before prepare."""

from __future__ import annotations

from typing import Annotated

import typer

from kubectl_netpoltest.cli.connect import open_session
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import (
    ContextOpt,
    KubeconfigOpt,
    NamespaceOpt,
    RequestTimeoutOpt,
    VerbosityOpt,
    kube_flags,
    parse_duration,
)
from kubectl_netpoltest.cli.validate import SpecArg
from kubectl_netpoltest.engine.cleanup import CleanupAction
from kubectl_netpoltest.engine.cleanup import cleanup as run_cleanup
from kubectl_netpoltest.engine.options import CleanupOptions
from kubectl_netpoltest.errors import ClusterError
from kubectl_netpoltest.report.text import write_cleanup


def cleanup(
    spec: SpecArg,
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
        typer.Option("--timeout", help="How long to wait for each replacement pod to be Ready."),
    ] = "3m",
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    namespace: NamespaceOpt = None,
    request_timeout: RequestTimeoutOpt = "30s",
    verbosity: VerbosityOpt = 0,
) -> None:
    """Delete the pods prepare instrumented, one at a time, waiting for each replacement.

    Ephemeral containers cannot be removed, so a pod returns to its pristine state only by being
    replaced. Pods nothing would recreate, or single replicas, are left alone unless --force.
    """
    flags = kube_flags(
        kubeconfig=kubeconfig,
        context=context,
        namespace=namespace,
        request_timeout=request_timeout,
        verbosity=verbosity,
    )
    ready = parse_duration(timeout)
    options = CleanupOptions(
        force=force,
        dry_run=dry_run,
        keep_pods=keep_pods,
        all_namespaces=all_namespaces,
        ready_timeout_seconds=int(ready or 180),
    )
    session = open_session(spec_path=spec, flags=flags)
    items = run_cleanup(
        gateway=session.gateway,
        sources=session.sources,
        options=options,
        on_done=lambda item: write_cleanup([item], ENV.stdout, header=False),
    )
    write_cleanup(items, ENV.stdout, header=True, only_summary=True)
    failed = [i for i in items if i.action is CleanupAction.FAILED]
    if failed:
        raise ClusterError(f"cleanup stopped: {failed[0].pod}: {failed[0].message}")
