"""When the packet contradicts the policies: the discrepancy and its likely cause.

The PASS/FAIL verdict stays what the packet and the spec say; a discrepancy is extra evidence
that tells a wrong policy apart from a CNI that does not enforce what the API says. Only
definite observations are compared: DNS failures, UDP silence and probe errors prove nothing,
and an `undefined` prediction (left to the CNI by the API) contradicts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kubectl_netpoltest.core.explanation import Explained
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.policy.decision import Verdict as Predicted


class DiscrepancyCode(StrEnum):
    ALLOWED_BUT_DROPPED = "allowed-but-dropped"
    ALLOWED_BUT_REJECTED = "allowed-but-rejected"
    ALLOWED_PORT_CLOSED = "allowed-port-closed"
    DENIED_BUT_CONNECTED = "denied-but-connected"
    DENIED_BUT_REACHED = "denied-but-reached"


@dataclass(frozen=True)
class Discrepancy:
    code: DiscrepancyCode
    message: str


_MESSAGES = {
    DiscrepancyCode.ALLOWED_BUT_DROPPED: "the policies allow it but it was dropped: the CNI "
    "does not enforce as the API says, the policy is not programmed yet, or something else "
    "on the path (node firewall, mesh, admin policy) drops it",
    DiscrepancyCode.ALLOWED_BUT_REJECTED: "the policies allow it but it was actively "
    "rejected: the CNI, a CNI-specific or admin policy, or something else on the path refuses "
    "it",
    DiscrepancyCode.ALLOWED_PORT_CLOSED: "the policies allow it, the port is closed: the "
    "destination answered that nothing listens there",
    DiscrepancyCode.DENIED_BUT_CONNECTED: "the policies deny it but it connected: the CNI "
    "does not enforce NetworkPolicy here (or not yet)",
    DiscrepancyCode.DENIED_BUT_REACHED: "the policies deny it but it reached the destination, "
    "which refused it: the CNI does not enforce NetworkPolicy here (or not yet)",
}


def discrepancy(
    *, predicted: Predicted, observation: Observation, reject_mode: bool
) -> Discrepancy | None:
    """`reject_mode`: the CNI answers denied TCP with a reset, so `refused` can mean denied."""
    code: DiscrepancyCode | None = None
    if predicted is Predicted.ALLOWED:
        if observation is Observation.TIMEOUT:
            code = DiscrepancyCode.ALLOWED_BUT_DROPPED
        elif observation is Observation.REJECTED:
            code = DiscrepancyCode.ALLOWED_BUT_REJECTED
        elif observation is Observation.REFUSED:
            code = DiscrepancyCode.ALLOWED_PORT_CLOSED
    elif predicted is Predicted.DENIED:
        if observation is Observation.CONNECTED:
            code = DiscrepancyCode.DENIED_BUT_CONNECTED
        elif observation is Observation.REFUSED and not reject_mode:
            code = DiscrepancyCode.DENIED_BUT_REACHED
    return None if code is None else Discrepancy(code, _MESSAGES[code])


@dataclass(frozen=True)
class Annotation:
    """A result's prediction and, when the packet contradicts it, the discrepancy."""

    explained: Explained
    discrepancy: Discrepancy | None
