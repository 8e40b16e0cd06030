"""`kubectl netpoltest doctor [SPEC]`: can prepare/execute/cleanup work here, and if not, why?"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kubectl_netpoltest.cli.connect import connect_with, settings_for
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags, connection_flags
from kubectl_netpoltest.cli.specs import load_or_fail
from kubectl_netpoltest.core.findings import passed
from kubectl_netpoltest.core.model import Probe
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.engine.doctor import DoctorOptions, run_doctor
from kubectl_netpoltest.engine.instrument import DEFAULT_IMAGE
from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.report.doctor import write_findings, write_findings_json


class DoctorFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@connection_flags
def doctor(
    *,
    spec: Annotated[
        str | None,
        typer.Argument(
            help="The test spec; without it only the server, -n's namespace and the CNI are "
            "checked.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[DoctorFormat, typer.Option("-o", "--output", help="Output format.")] = (
        DoctorFormat.TABLE
    ),
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help="The probe image prepare would use (default: the spec's image:, else "
            f"{DEFAULT_IMAGE}).",
            show_default=False,
        ),
    ] = None,
    flags: KubeFlags,
) -> None:
    """Check that prepare, execute and cleanup can work.

    Each check prints PASS, WARN or FAIL with the fix; they run in parallel. Server version
    and ephemeral containers; every permission per namespace (access reviews); Pod Security
    and a server-side dry-run of the debug container; the probe image; the source pods (Ready,
    hostNetwork, mesh sidecars, Windows); the CNI, whether it enforces NetworkPolicy, and
    whether it drops or rejects. Changes nothing. Exit code 0 when nothing FAILed, 4
    otherwise.
    """
    loaded = load_or_fail(spec) if spec else None
    settings = settings_for(flags, require=True)
    probes: list[Probe] = (
        expand(loaded, default_namespace=settings.namespace) if loaded is not None else []
    )
    from kubectl_netpoltest.cluster.kubeinspect import inspector_for

    gateway = connect_with(flags, settings)
    inspector = inspector_for(
        gateway,
        context=settings.context,
        request_timeout=flags.request_timeout,
        verbosity=flags.verbosity,
    )
    chosen_image = image or (loaded.image if loaded is not None and loaded.image else None)
    findings = run_doctor(
        inspector=inspector,
        gateway=gateway,
        probes=probes,
        namespaces=() if probes else (settings.namespace,),
        options=DoctorOptions(image=chosen_image or DEFAULT_IMAGE),
    )
    if output is DoctorFormat.JSON:
        write_findings_json(findings, ENV.stdout)
    else:
        write_findings(findings, ENV.stdout)
    raise typer.Exit(int(ExitCode.OK if passed(findings) else ExitCode.CLUSTER_ERROR))
