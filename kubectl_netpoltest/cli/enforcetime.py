"""`kubectl netpoltest enforce-time SPEC`: seconds from a policy change to packets obeying it."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from kubectl_netpoltest.cli.cnimode import CNI_MODE_HELP, CniChoice, resolve_cni_mode
from kubectl_netpoltest.cli.connect import open_session
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags, connection_flags, parse_duration
from kubectl_netpoltest.cli.settleflags import StableFlag
from kubectl_netpoltest.cli.specs import SpecArg
from kubectl_netpoltest.engine.enforcetime import (
    exit_code_of,
    measure,
    namespaces_of,
    wait_for_change,
)
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.errors import ClusterError
from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.report.enforcetime import write_times, write_times_json


class TimesFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@connection_flags
def enforce_time(
    spec: SpecArg,
    *,
    output: Annotated[TimesFormat, typer.Option("-o", "--output", help="Output format.")] = (
        TimesFormat.TABLE
    ),
    timeout: Annotated[
        str,
        typer.Option(
            "--timeout",
            metavar="DURATION",
            help="How long to wait for a policy change, and then for the packets to obey it.",
        ),
    ] = "5m",
    stable: StableFlag = 3,
    probe_timeout: Annotated[
        int,
        typer.Option(
            "--probe-timeout",
            metavar="SECONDS",
            min=1,
            max=60,
            help="Seconds a connection attempt may take; also the measurement's resolution.",
        ),
    ] = 1,
    cni_mode: Annotated[CniChoice, typer.Option("--cni-mode", help=CNI_MODE_HELP)] = CniChoice.AUTO,
    flags: KubeFlags,
) -> None:
    """Measure how long a NetworkPolicy change takes to be enforced.

    Applies nothing: prepare the spec, start this command, then create, change or delete a
    policy in the spec's namespaces. From the moment the change is seen, every probe runs in
    rounds until it matches the spec --stable times in a row; prints each probe's time and the
    median, p99 and max. Exit code 0 when every probe matched, 1 when some never did, 5 when
    no policy changed within --timeout or the probes that never matched could not run.
    """
    seconds = parse_duration(timeout)
    if seconds is None:  # kubectl's 0 is 'no limit': a watch and rounds need a bound
        raise typer.BadParameter(
            "0 would wait forever; give a bound, e.g. 5m (the default)", param_hint="--timeout"
        )
    session = open_session(spec_path=spec, flags=flags)
    mode = resolve_cni_mode(
        cni_mode,
        gateway=session.gateway,
        context=session.settings.context,
        request_timeout=flags.request_timeout,
        verbosity=flags.verbosity,
        note=ENV.stderr,
    )
    from kubectl_netpoltest.cluster.kube import KubernetesGateway
    from kubectl_netpoltest.cluster.kubeinspect import inspector_for

    if not isinstance(session.gateway, KubernetesGateway):
        raise ClusterError("enforce-time needs a connection to a Kubernetes API server")
    inspector = inspector_for(
        session.gateway,
        context=session.settings.context,
        request_timeout=flags.request_timeout,
        verbosity=flags.verbosity,
    )
    namespaces = namespaces_of(session.probes)

    def watching() -> None:  # only once every namespace is listed: a change now is seen
        print(
            f"watching NetworkPolicies in {', '.join(namespaces)}: apply your change now",
            file=sys.stderr,
            flush=True,
        )

    found = wait_for_change(
        inspector, namespaces=namespaces, timeout_seconds=int(seconds), on_watching=watching
    )
    if found is None:
        print(f"no NetworkPolicy changed within {timeout}", file=sys.stderr)
        raise typer.Exit(int(ExitCode.INCONCLUSIVE))
    change, seen_at = found
    print(f"{change.kind} {change.policy}: measuring", file=sys.stderr, flush=True)
    times = measure(
        gateway_factory=lambda: session.gateway,
        probes=session.probes,
        options=ExecuteOptions(probe_timeout_seconds=probe_timeout, attempts=1, cni_mode=mode),
        spec_path=spec,
        change=change,
        seen_at=seen_at,
        stable=stable,
        timeout_seconds=seconds,
    )
    if output is TimesFormat.JSON:
        write_times_json(times, ENV.stdout)
    else:
        write_times(times, ENV.stdout)
    raise typer.Exit(int(exit_code_of(times)))
