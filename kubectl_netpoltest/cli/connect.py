"""From kubectl-style flags to a connected gateway, plus the spec's probes in the right namespace.

The Kubernetes client is imported here, lazily, so that `--help`, `validate` and `plan` never pay
for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags
from kubectl_netpoltest.cli.narrow import narrow
from kubectl_netpoltest.cli.specs import load_or_fail
from kubectl_netpoltest.cluster.gateway import ClusterGateway
from kubectl_netpoltest.cluster.kubeconfig import KubeSettings, resolve
from kubectl_netpoltest.core.model import PodRef, Probe, Spec
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.spec.loader import DEFAULT_MAX_PROBES
from kubectl_netpoltest.errors import UsageError
from kubectl_netpoltest.report.envelope import RunContext

if TYPE_CHECKING:  # the client is imported lazily, only by commands that connect
    from kubectl_netpoltest.cluster.kube import KubernetesGateway


@dataclass(frozen=True)
class Session:
    spec: Spec
    probes: list[Probe]
    sources: list[PodRef]
    settings: KubeSettings
    gateway: ClusterGateway
    run: RunContext


def settings_for(flags: KubeFlags, *, require: bool) -> KubeSettings:
    """kubectl's resolution of kubeconfig, context, cluster and namespace, plus identity flags."""
    if len(flags.as_groups) > 1:
        raise UsageError(
            "--as-group can be given once: the Kubernetes Python client sends one value per "
            "header, so a second group would be lost",
            hint="Impersonate a user that is in the groups instead (--as), or bind the role.",
        )
    if flags.as_groups and not flags.as_user:
        raise UsageError("--as-group needs --as (as in kubectl)")
    settings = resolve(
        kubeconfig=flags.kubeconfig,
        context=flags.context,
        namespace=flags.namespace,
        environ=ENV.environ,
        require=require,
        cluster=flags.cluster,
    )
    return replace(
        settings,
        user=flags.user,
        token=flags.token,
        as_user=flags.as_user,
        as_groups=flags.as_groups,
    )


def connect_with(flags: KubeFlags, settings: KubeSettings) -> KubernetesGateway:
    """The gateway for resolved settings, with the flags' request timeout and verbosity."""
    from kubectl_netpoltest.cluster.kube import connect

    return connect(
        settings=settings, request_timeout=flags.request_timeout, verbosity=flags.verbosity
    )


def open_session(
    *,
    spec_path: str,
    flags: KubeFlags,
    rules: Sequence[str] = (),
    sources: Sequence[str] = (),
    max_probes: int = DEFAULT_MAX_PROBES,
) -> Session:
    """Validate first (an invalid spec never reaches the cluster), then connect."""
    spec = load_or_fail(spec_path, max_probes=max_probes)
    settings = settings_for(flags, require=True)
    probes = narrow(
        expand(spec, default_namespace=settings.namespace), rules=rules, sources=sources
    )
    pods = list(dict.fromkeys(p.source for p in probes))
    from kubectl_netpoltest.cluster.kube import connect

    gateway = connect(
        settings=settings, request_timeout=flags.request_timeout, verbosity=flags.verbosity
    )
    run = RunContext.now(spec=spec_path, context=settings.context, server=settings.server)
    return Session(
        spec=spec, probes=probes, sources=pods, settings=settings, gateway=gateway, run=run
    )
