"""`kubectl netpoltest generate`: a starter spec from the cluster's NetworkPolicies."""

from __future__ import annotations

from typing import Annotated

import typer

from kubectl_netpoltest.cli.connect import connect_with, settings_for
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags, connection_flags
from kubectl_netpoltest.core.generate import DEFAULT_MAX_PROBES, PortsMode
from kubectl_netpoltest.core.spec.selectors import SelectorSyntaxError, parse_selector
from kubectl_netpoltest.engine.generate import generate as run_generate
from kubectl_netpoltest.errors import UsageError


@connection_flags
def generate(
    *,
    all_namespaces: Annotated[
        bool, typer.Option("-A", "--all-namespaces", help="Every namespace instead of -n's.")
    ] = False,
    selector: Annotated[
        str | None,
        typer.Option(
            "-l",
            "--selector",
            help="Only workloads whose pods match this label selector (kubectl syntax).",
            show_default=False,
        ),
    ] = None,
    ports: Annotated[
        PortsMode,
        typer.Option(
            "--ports",
            help="declared: TCP ports the containers declare; all: also ports the policies "
            "mention (only as denied tests where nothing declares them).",
        ),
    ] = PortsMode.DECLARED,
    max_probes: Annotated[
        int, typer.Option("--max-probes", min=1, help="Stop after this many probes.")
    ] = DEFAULT_MAX_PROBES,
    flags: KubeFlags,
) -> None:
    """Write a starter spec predicted from the cluster's policies.

    One symbolic pod per workload (Deployment, StatefulSet, DaemonSet, Job, bare pod) of the
    namespace (-n, else the context's) or of every namespace (-A); for each pair and TCP port,
    the allowed/denied expectation the policy engine computes, with a comment naming the
    policy rules it comes from. Prints YAML on stdout; changes nothing in the cluster.
    """
    if all_namespaces and flags.namespace is not None:
        raise UsageError("-A and -n/--namespace exclude each other")
    pod_filter = None
    if selector is not None:
        try:
            parsed = parse_selector(selector)
        except SelectorSyntaxError as exc:
            raise UsageError(f"-l {selector!r}: {exc}") from None
        pod_filter = parsed.matches
    settings = settings_for(flags, require=True)
    from kubectl_netpoltest.cluster.kubeinspect import inspector_for

    gateway = connect_with(flags, settings)
    inspector = inspector_for(
        gateway,
        context=settings.context,
        request_timeout=flags.request_timeout,
        verbosity=flags.verbosity,
    )
    result = run_generate(
        inspector=inspector,
        namespace=None if all_namespaces else settings.namespace,
        pod_filter=pod_filter,
        ports=ports,
        max_probes=max_probes,
    )
    ENV.stdout.write(result.text)
    ENV.stderr.write(
        f"generated {result.probes} probes"
        + (f"; {len(result.left_out)} left out (listed at the end)" if result.left_out else "")
        + "\n"
    )
