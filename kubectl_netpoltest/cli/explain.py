"""`kubectl netpoltest explain SPEC`: predict every probe from the policies, and say why.

No prepare, no packet. Live mode reads the cluster (one read-only list call per kind);
`--policies PATH` (repeatable: files or directories of manifests) reads no cluster at all,
for pull-request review in CI.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from kubectl_netpoltest.cli.assumeflag import AssumeOpt, assumptions
from kubectl_netpoltest.cli.connect import connect_with, settings_for
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags, connection_flags
from kubectl_netpoltest.cli.specs import MaxProbesFlag, load_or_fail
from kubectl_netpoltest.cli.validate import SpecArg
from kubectl_netpoltest.cluster.kubeconfig import KubeSettings
from kubectl_netpoltest.core.explanation import exit_code
from kubectl_netpoltest.core.model import Probe
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.policy.admin_manifests import admin_documents
from kubectl_netpoltest.core.policy.manifests import ManifestError, load_snapshot
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.parse import ObjectError
from kubectl_netpoltest.core.spec.loader import DEFAULT_MAX_PROBES
from kubectl_netpoltest.engine.admintiers import Tiers, from_documents, read_live
from kubectl_netpoltest.engine.explain import explain as run_explain
from kubectl_netpoltest.engine.explain import read_snapshot, spec_namespaces
from kubectl_netpoltest.errors import ClusterError, UsageError
from kubectl_netpoltest.report import explain as report


class ExplainFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    YAML = "yaml"


PoliciesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--policies",
        metavar="PATH",
        help="Offline: read Namespaces, NetworkPolicies, ClusterNetworkPolicies, "
        "(Baseline)AdminNetworkPolicies, Pods, workloads and Services from these manifest "
        "files or directories (repeatable) instead of the cluster.",
        show_default=False,
    ),
]


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def load_objects(
    *,
    probes: list[Probe],
    policies: list[str] | None,
    settings: KubeSettings,
    flags: KubeFlags,
) -> tuple[Snapshot, str, Tiers]:
    """The snapshot (offline from files, else live), a description of where it came from,
    and the admin tiers (ClusterNetworkPolicy, Admin/BaselineAdminNetworkPolicy)."""
    if policies:
        try:
            snapshot = load_snapshot(policies, default_namespace=settings.namespace)
            tiers = from_documents(admin_documents(policies))
            return snapshot, f"{', '.join(policies)} ({tiers.considered})", tiers
        except ManifestError as exc:
            raise UsageError(
                f"--policies {exc}", hint="Fix the manifest, or leave it out of --policies."
            ) from None
    from kubectl_netpoltest.cluster.adminreads import admin_reader_for
    from kubectl_netpoltest.cluster.objectreads import reader_for

    gateway = connect_with(flags, settings)
    reader = reader_for(
        gateway,
        context=settings.context,
        request_timeout=flags.request_timeout,
        verbosity=flags.verbosity,
    )
    try:
        snapshot = read_snapshot(reader, namespaces=spec_namespaces(probes), warn=_warn)
    except ObjectError as exc:
        raise ClusterError(
            f"the cluster returned an object the evaluator cannot read: {exc}"
        ) from None
    tiers = read_live(
        admin_reader_for(gateway, context=settings.context, request_timeout=flags.request_timeout),
        warn=_warn,
    )
    where = settings.context or settings.describe()
    return snapshot, f"cluster {where} ({tiers.considered})", tiers


@connection_flags
def explain(
    spec: SpecArg,
    *,
    policies: PoliciesOpt = None,
    output: Annotated[ExplainFormat, typer.Option("-o", "--output", help="Output format.")] = (
        ExplainFormat.TABLE
    ),
    assume: AssumeOpt = None,
    max_probes: MaxProbesFlag = DEFAULT_MAX_PROBES,
    flags: KubeFlags,
) -> None:
    """Predict every probe from the NetworkPolicies and say which rule decides it.

    Exit code 0 when every prediction agrees with the spec, 1 when some contradict it (the
    spec and the policies disagree: a finding), 5 when some are undefined (left to the CNI by
    the API, or not knowable offline).
    """
    assumed = assumptions(assume)
    loaded = load_or_fail(spec, max_probes=max_probes)
    settings = settings_for(flags, require=not policies)
    probes = expand(loaded, default_namespace=settings.namespace)
    try:
        snapshot, source, tiers = load_objects(
            probes=probes, policies=policies, settings=settings, flags=flags
        )
    except ObjectError as exc:
        raise UsageError(f"--policies: {exc}") from None
    items = run_explain(probes, snapshot, tiers=tiers, assumptions=assumed)
    writer = {
        ExplainFormat.JSON: report.write_json,
        ExplainFormat.YAML: report.write_yaml,
        ExplainFormat.TABLE: report.write_table,
    }[output]
    writer(items, ENV.stdout, source=source)
    raise typer.Exit(int(exit_code(items)))
