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
from kubectl_netpoltest.cli.connect import settings_for
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.explain import PoliciesOpt, load_objects
from kubectl_netpoltest.cli.kubeflags import KubeFlags, connection_flags
from kubectl_netpoltest.cli.specs import MaxProbesFlag, load_or_fail
from kubectl_netpoltest.cli.validate import SpecArg
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.policy.parse import ObjectError
from kubectl_netpoltest.core.spec.loader import DEFAULT_MAX_PROBES
from kubectl_netpoltest.engine.coverage import spec_coverage
from kubectl_netpoltest.errors import UsageError
from kubectl_netpoltest.report import coverage as report


class CoverageFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@connection_flags
def coverage(
    spec: SpecArg,
    *,
    policies: PoliciesOpt = None,
    output: Annotated[CoverageFormat, typer.Option("-o", "--output", help="Output format.")] = (
        CoverageFormat.TABLE
    ),
    assume: AssumeOpt = None,
    max_probes: MaxProbesFlag = DEFAULT_MAX_PROBES,
    flags: KubeFlags,
) -> None:
    """Show which NetworkPolicy rules the spec's probes exercise or test the edge of.

    Every rule of every NetworkPolicy in the namespaces the spec touches; the rules and the
    isolated pods that no probe touches are listed at the end. Sends no packet.
    """
    assumed = assumptions(assume)
    loaded = load_or_fail(spec, max_probes=max_probes)
    settings = settings_for(flags, require=not policies)
    probes = expand(loaded, default_namespace=settings.namespace)
    try:
        objects = load_objects(probes=probes, policies=policies, settings=settings, flags=flags)
    except ObjectError as exc:
        raise UsageError(f"--policies: {exc}") from None
    snapshot, source = objects[0], objects[1]
    result = spec_coverage(probes, snapshot, assumptions=assumed)
    writer = report.write_json if output is CoverageFormat.JSON else report.write_table
    writer(result, ENV.stdout, source=source)
