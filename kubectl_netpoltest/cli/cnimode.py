"""`--cni-mode auto|drop|reject`: auto asks the cluster which CNI runs and how it denies.

auto is the default: a user who does not know their CNI's deny behaviour gets the right verdict
table, and is told at the top of execute which mode was chosen and why. drop and reject stay as
explicit overrides (a CNI we do not recognise, or a read we are not allowed).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TextIO

from kubectl_netpoltest.cluster.gateway import ClusterGateway
from kubectl_netpoltest.core.verdict import CniMode


class CniChoice(StrEnum):
    AUTO = "auto"
    DROP = "drop"
    REJECT = "reject"


CNI_MODE_HELP = (
    "How your CNI treats denied traffic. auto (default): detect the CNI and its configuration "
    "(kube-router, Calico with a Reject deny action -> reject; others -> drop); drop: a refusal "
    "means the traffic got through; reject: a refusal counts as blocked."
)


def resolve_cni_mode(
    choice: CniChoice,
    *,
    gateway: ClusterGateway,
    context: str | None,
    request_timeout: float | None,
    verbosity: int,
    note: TextIO,
) -> CniMode:
    """The mode to judge with; for auto, one line on `note` saying what was chosen and why."""
    if choice is not CniChoice.AUTO:
        return CniMode(choice.value)
    from kubectl_netpoltest.cluster.kube import KubernetesGateway
    from kubectl_netpoltest.cluster.kubeinspect import inspector_for
    from kubectl_netpoltest.engine.cnidetect import detect_cni

    if not isinstance(gateway, KubernetesGateway):
        note.write("cni-mode: drop (auto: this connection cannot be inspected)\n")
        return CniMode.DROP
    report = detect_cni(
        inspector_for(
            gateway, context=context, request_timeout=request_timeout, verbosity=verbosity
        )
    )
    notes = f"; {'; '.join(report.notes)}" if report.notes else ""
    note.write(f"cni-mode: {report.mode.value} (auto: {report.why}{notes})\n")
    return report.mode
