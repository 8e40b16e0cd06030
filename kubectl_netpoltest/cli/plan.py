"""`kubectl netpoltest plan SPEC`: the probes `execute` would run, without a cluster."""

from __future__ import annotations

from kubectl_netpoltest.cli.connect import settings_for
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags, namespace_flags
from kubectl_netpoltest.cli.narrow import narrow
from kubectl_netpoltest.cli.outputs import Output, OutputFlag
from kubectl_netpoltest.cli.specs import (
    MaxProbesFlag,
    RuleFlag,
    SourceFlag,
    SpecArg,
    load_or_fail,
)
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.spec.loader import DEFAULT_MAX_PROBES
from kubectl_netpoltest.report.envelope import RunContext, envelope, write_document
from kubectl_netpoltest.report.plan import plan_body, write_plan_table


@namespace_flags
def plan(
    spec: SpecArg,
    *,
    output: OutputFlag = Output.TABLE,
    rule: RuleFlag = None,
    source: SourceFlag = None,
    max_probes: MaxProbesFlag = DEFAULT_MAX_PROBES,
    flags: KubeFlags,
) -> None:
    """Print the probes that execute would run.

    One probe per rule, source, target and port. Pods without a namespace get the one kubectl
    would use (-n, else the kubeconfig context's, else default); no cluster is contacted.
    """
    loaded = load_or_fail(spec, max_probes=max_probes)
    settings = settings_for(flags, require=False)
    probes = narrow(
        expand(loaded, default_namespace=settings.namespace), rules=rule or (), sources=source or ()
    )
    if output in (Output.JSON, Output.YAML):
        run = RunContext.now(spec=spec, context=settings.context, server=settings.server)
        document = envelope("Plan", run, plan_body(probes))
        write_document(document, ENV.stdout, as_yaml=output is Output.YAML)
    else:
        write_plan_table(probes, ENV.stdout, spec_path=spec, wide=output is Output.WIDE)
