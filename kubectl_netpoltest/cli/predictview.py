"""execute's predictions, wired in: read once at start, annotate the results at the end.

Kept out of execute's own flow on purpose: a failure here costs the predictions, never the run.
"""

from __future__ import annotations

import sys
from typing import TextIO

from kubectl_netpoltest.cli.connect import Session
from kubectl_netpoltest.cli.kubeflags import KubeFlags
from kubectl_netpoltest.core.discrepancy import Annotation
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.core.verdict import CniMode
from kubectl_netpoltest.engine.predictions import Predictions, annotate, predict_probes
from kubectl_netpoltest.errors import ClusterError


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def load_predictions(
    session: Session, flags: KubeFlags, *, note: TextIO | None = None
) -> Predictions | None:
    """Predictions from the policies the cluster holds now (read-only lists), or None.
    `note`: where to say which admin tiers were considered, when any object or 403 matters."""
    from kubectl_netpoltest.cluster.kube import KubernetesGateway
    from kubectl_netpoltest.cluster.objectreads import reader_for

    gateway = session.gateway
    if not isinstance(gateway, KubernetesGateway):
        return None
    reader = reader_for(
        gateway,
        context=session.settings.context,
        request_timeout=flags.request_timeout,
        verbosity=flags.verbosity,
    )
    tiers = None
    try:
        from kubectl_netpoltest.cluster.adminreads import admin_reader_for
        from kubectl_netpoltest.engine.admintiers import read_live

        tiers = read_live(
            admin_reader_for(
                gateway, context=session.settings.context, request_timeout=flags.request_timeout
            ),
            warn=_warn,
        )
        if note is not None and (tiers.policies or tiers.unreadable):
            note.write(f"{tiers.considered}\n")
    except ClusterError as exc:
        _warn(f"predictions ignore the admin tiers: {str(exc).splitlines()[0]}")
    return predict_probes(reader, session.probes, warn=_warn, tiers=tiers)


def annotations_for(
    results: list[ProbeResult], predictions: Predictions | None, *, cni_mode: CniMode
) -> dict[str, Annotation]:
    if predictions is None:
        return {}
    return annotate(results, predictions, reject_mode=cni_mode is CniMode.REJECT)
