"""`kubectl netpoltest coverage SPEC`: which policy rules the spec's probes exercise.

Answers "is my spec complete?": every rule of every NetworkPolicy in the namespaces the spec
touches, the probes allowed through it and the probes at its edge, and the rules and isolated
pods no probe touches. Reads the policies like `explain` (live, or `--policies` offline).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kubectl_netpoltest.cli.assumeflag import AssumeOpt, assumptions
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.explain import PoliciesOpt, load_objects
from kubectl_netpoltest.cli.kubeflags import (
    ContextOpt,
    KubeconfigOpt,
    NamespaceOpt,
    RequestTimeoutOpt,
    VerbosityOpt,
)
from kubectl_netpoltest.cli.specs import load_or_fail
from kubectl_netpoltest.cli.validate import SpecArg
from kubectl_netpoltest.cluster.kubeconfig import resolve
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.policy.parse import ObjectError
from kubectl_netpoltest.engine.coverage import spec_coverage
from kubectl_netpoltest.errors import UsageError
from kubectl_netpoltest.report import coverage as report


class CoverageFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def coverage(
    spec: SpecArg,
    policies: PoliciesOpt = None,
    output: Annotated[CoverageFormat, typer.Option("-o", "--output", help="Output format.")] = (
        CoverageFormat.TABLE
    ),
    assume: AssumeOpt = None,
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    namespace: NamespaceOpt = None,
    request_timeout: RequestTimeoutOpt = "30s",
    verbosity: VerbosityOpt = 0,
) -> None:
    """Show which NetworkPolicy rules the spec's probes exercise or test the edge of.

    Every rule of every NetworkPolicy in the namespaces the spec touches; the rules and the
    isolated pods that no probe touches are listed at the end. Sends no packet.
    """
    assumed = assumptions(assume)
    loaded = load_or_fail(spec)
    settings = resolve(kubeconfig=kubeconfig, context=context, namespace=namespace,
                       environ=ENV.environ, require=not policies)
    probes = expand(loaded, default_namespace=settings.namespace)
    try:
        objects = load_objects(
            probes=probes, policies=policies, namespace=settings.namespace,
            kubeconfig=kubeconfig, context=context, request_timeout=request_timeout,
            verbosity=verbosity)
    except ObjectError as exc:
        raise UsageError(f"--policies: {exc}") from None
    snapshot, source = objects[0], objects[1]
    result = spec_coverage(probes, snapshot, assumptions=assumed)
    writer = report.write_json if output is CoverageFormat.JSON else report.write_table
    writer(result, ENV.stdout, source=source)
