"""From kubectl-style flags to a connected gateway, plus the spec's probes in the right namespace.

The Kubernetes client is imported here, lazily, so that `--help`, `validate` and `plan` never pay
for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import KubeFlags
from kubectl_netpoltest.cli.specs import load_or_fail
from kubectl_netpoltest.cluster.gateway import ClusterGateway
from kubectl_netpoltest.cluster.kubeconfig import KubeSettings, resolve
from kubectl_netpoltest.core.model import PodRef, Probe, Spec
from kubectl_netpoltest.core.plan import expand


@dataclass(frozen=True)
class Session:
    spec: Spec
    probes: list[Probe]
    sources: list[PodRef]
    settings: KubeSettings
    gateway: ClusterGateway


def open_session(*, spec_path: str, flags: KubeFlags) -> Session:
    """Validate first (an invalid spec never reaches the cluster), then connect."""
    spec = load_or_fail(spec_path)
    settings = resolve(
        kubeconfig=flags.kubeconfig,
        context=flags.context,
        namespace=flags.namespace,
        environ=ENV.environ,
        require=True,
    )
    probes = expand(spec, default_namespace=settings.namespace)
    sources = list(dict.fromkeys(p.source for p in probes))
    from kubectl_netpoltest.cluster.kube import connect

    gateway = connect(
        settings=settings, request_timeout=flags.request_timeout, verbosity=flags.verbosity
    )
    return Session(spec=spec, probes=probes, sources=sources, settings=settings, gateway=gateway)
