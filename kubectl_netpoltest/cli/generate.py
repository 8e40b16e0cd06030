"""`kubectl netpoltest generate`: a starter spec from the cluster's NetworkPolicies."""

from __future__ import annotations

from typing import Annotated

import typer

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import (
    ContextOpt,
    KubeconfigOpt,
    NamespaceOpt,
    RequestTimeoutOpt,
    VerbosityOpt,
    kube_flags,
)
from kubectl_netpoltest.cluster.kubeconfig import resolve
from kubectl_netpoltest.core.generate import DEFAULT_MAX_PROBES, PortsMode
from kubectl_netpoltest.core.spec.selectors import SelectorSyntaxError, parse_selector
from kubectl_netpoltest.engine.generate import generate as run_generate
from kubectl_netpoltest.errors import UsageError


def generate(
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
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    namespace: NamespaceOpt = None,
    request_timeout: RequestTimeoutOpt = "30s",
    verbosity: VerbosityOpt = 0,
) -> None:
    """Write a starter spec predicted from the cluster's policies.

    One symbolic pod per workload (Deployment, StatefulSet, DaemonSet, Job, bare pod) of the
    namespace (-n, else the context's) or of every namespace (-A); for each pair and TCP port,
    the allowed/denied expectation the policy engine computes, with a comment naming the
    policy rules it comes from. Prints YAML on stdout; changes nothing in the cluster.
    """
    if all_namespaces and namespace is not None:
        raise UsageError("-A and -n/--namespace exclude each other")
    pod_filter = None
    if selector is not None:
        try:
            parsed = parse_selector(selector)
        except SelectorSyntaxError as exc:
            raise UsageError(f"-l {selector!r}: {exc}") from None
        pod_filter = parsed.matches
    flags = kube_flags(
        kubeconfig=kubeconfig,
        context=context,
        namespace=namespace,
        request_timeout=request_timeout,
        verbosity=verbosity,
    )
    settings = resolve(
        kubeconfig=flags.kubeconfig,
        context=flags.context,
        namespace=flags.namespace,
        environ=ENV.environ,
        require=True,
    )
    from kubectl_netpoltest.cluster.kube import connect
    from kubectl_netpoltest.cluster.kubeinspect import inspector_for

    gateway = connect(
        settings=settings, request_timeout=flags.request_timeout, verbosity=flags.verbosity
    )
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
