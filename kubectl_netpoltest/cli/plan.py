"""`kubectl netpoltest plan SPEC`: the probes `execute` would run, without a cluster."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import ContextOpt, KubeconfigOpt, NamespaceOpt
from kubectl_netpoltest.cli.specs import load_or_fail
from kubectl_netpoltest.cli.validate import SpecArg
from kubectl_netpoltest.cluster.kubeconfig import resolve
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.report.plan import write_plan_json, write_plan_table


class PlanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def plan(
    spec: SpecArg,
    output: Annotated[PlanFormat, typer.Option("-o", "--output", help="Output format.")] = (
        PlanFormat.TABLE
    ),
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    namespace: NamespaceOpt = None,
) -> None:
    """Print the probes that execute would run: one per rule, source, target and port.

    Pods without a namespace get the one kubectl would use (-n, else the kubeconfig context's,
    else default); no kubeconfig is needed.
    """
    loaded = load_or_fail(spec)
    settings = resolve(
        kubeconfig=kubeconfig,
        context=context,
        namespace=namespace,
        environ=ENV.environ,
        require=False,
    )
    probes = expand(loaded, default_namespace=settings.namespace)
    if output is PlanFormat.JSON:
        write_plan_json(probes, ENV.stdout)
    else:
        write_plan_table(probes, ENV.stdout, spec_path=spec)
