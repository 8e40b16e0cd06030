"""Observation + expectation → verdict, with a reason a person can act on.

Why a table and not a boolean: the tool this project replaces read every non-zero exit as
"denied", so a closed port, a DNS failure or UDP silence passed deny tests. Here `allowed` passes
only on CONNECTED and `denied` only on evidence of blocking (a timeout, a reject), never on a
closed port, a DNS failure or UDP silence.

CNI mode says what "refused" can mean. `drop` (the default; Calico, Cilium, Weave, OVN, Antrea
with K8s NetworkPolicy): denied traffic vanishes, so a refusal came from the destination itself
and proves the policy let the traffic through. `reject` (kube-router, some Antrea policies): the
CNI answers denied traffic with a reset or port-unreachable, so REFUSED may be the policy's
answer and counts as blocked (a closed port looks identical; that is the price of reject mode).

| Observation | allowed (either mode) | denied, drop mode | denied, reject mode |
|---|---|---|---|
| CONNECTED   | PASS | FAIL: a leak | FAIL: a leak |
| REFUSED     | FAIL: nothing listens (reject mode: or rejected) | FAIL: it got through | PASS |
| REJECTED    | FAIL: actively rejected | PASS | PASS |
| TIMEOUT     | FAIL: dropped | PASS | PASS |
| DNS_FAIL    | ERROR: connection never tried | ERROR | ERROR |
| NO_REPLY    | ERROR, inconclusive: UDP silence | ERROR, inconclusive | ERROR, inconclusive |
| PROBE_ERROR | ERROR: nothing was tested | ERROR | ERROR |

Why FAIL vs ERROR: FAIL means the network gave a definite answer that contradicts the
expectation. ERROR means the test could not be carried out (no name, no evidence, broken
probe), so neither PASS nor FAIL would be honest. A probe towards several addresses (a name with
A and AAAA records) passes only if every address passes: FAIL if any address FAILs, else ERROR if
any ERRORs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from kubectl_netpoltest.core.hosts import stays_in_pod
from kubectl_netpoltest.core.model import Expectation, Protocol
from kubectl_netpoltest.core.observation import Observation, Outcome

__all__ = [
    "CniMode",
    "Judgement",
    "Observation",
    "Verdict",
    "classify",
    "classify_addresses",
]


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"


class CniMode(StrEnum):
    """How the cluster's CNI treats denied traffic; decides what REFUSED means."""

    DROP = "drop"
    REJECT = "reject"


@dataclass(frozen=True)
class Judgement:
    """A verdict and why. `inconclusive` marks ERRORs that are a lack of evidence (UDP
    silence), as opposed to a broken probe, so reports and exit codes can say so."""

    verdict: Verdict
    reason: str
    inconclusive: bool = False
    observation: Observation | None = None
    """The observation that decided the verdict (of several addresses, the first whose own
    verdict is the probe's), so reports never show `connected` for a FAIL on a dropped IPv6
    address. None when no observation decided it."""


_DNS_HINT = (
    "name resolution failed, so the connection was never tried; if the pod is egress-isolated, "
    "allow UDP/TCP 53 to kube-dns"
)
_SILENCE = (
    "UDP: no reply and no ICMP error; silence can be a drop or a server that ignores the "
    "payload, so it proves nothing"
)


def classify(
    *,
    expect: Expectation,
    observation: Observation,
    port: int,
    protocol: Protocol,
    cni_mode: CniMode | str = CniMode.DROP,
    detail: str | None = None,
) -> Judgement:
    """The verdict for one address. `detail` (the probe's evidence) is prefixed to the reason."""
    mode = CniMode(cni_mode)
    where = f"{port}/{protocol.value}"
    verdict, meaning, inconclusive = _decide(expect, observation, where, mode)
    if detail and meaning and meaning.startswith(detail):
        reason = meaning  # the meaning already starts with the evidence: say it once
    else:
        reason = f"{detail}: {meaning}" if detail and meaning else (detail or meaning)
    return Judgement(verdict=verdict, reason=reason, inconclusive=inconclusive)


def _decide(
    expect: Expectation, observation: Observation, where: str, mode: CniMode
) -> tuple[Verdict, str, bool]:
    allowed = expect is Expectation.ALLOWED
    if observation is Observation.CONNECTED:
        if allowed:
            return Verdict.PASS, "connected as expected", False
        return Verdict.FAIL, f"the connection to {where} succeeded but should be denied", False
    if observation is Observation.REFUSED:
        if allowed and mode is CniMode.DROP:
            return (
                Verdict.FAIL,
                (f"connection refused: traffic reached the pod but nothing listens on {where}"),
                False,
            )
        if allowed:
            return (
                Verdict.FAIL,
                (
                    f"connection refused: either the CNI rejected it (reject mode) or nothing "
                    f"listens on {where}"
                ),
                False,
            )
        if mode is CniMode.DROP:
            return (
                Verdict.FAIL,
                (
                    f"the policy let the traffic through: it reached the destination, which "
                    f"refused it because nothing listens on {where}"
                ),
                False,
            )
        return (
            Verdict.PASS,
            (
                "refused, counted as blocked because the CNI mode is 'reject' (a closed port "
                "would look the same)"
            ),
            False,
        )
    if observation is Observation.REJECTED:
        if allowed:
            return (
                Verdict.FAIL,
                f"actively rejected on the way to {where}, expected a connection",
                False,
            )
        return Verdict.PASS, "blocked (rejected)", False
    if observation is Observation.TIMEOUT:
        if allowed:
            return Verdict.FAIL, f"no answer from {where}: the traffic was dropped", False
        return Verdict.PASS, "blocked (dropped)", False
    if observation is Observation.DNS_FAIL:
        return Verdict.ERROR, _DNS_HINT, False
    if observation is Observation.NO_REPLY:
        return Verdict.ERROR, f"inconclusive: {_SILENCE}", True
    return Verdict.ERROR, "the probe could not run, so nothing was tested", False


def classify_addresses(
    *,
    expect: Expectation,
    outcomes: Sequence[tuple[str | None, Outcome]],
    port: int,
    protocol: Protocol,
    cni_mode: CniMode | str = CniMode.DROP,
    own_addresses: frozenset[str] = frozenset(),
) -> Judgement:
    """One verdict for a probe whose host resolved to several addresses.

    `own_addresses` are the source pod's IPs: a host that is (or resolves to) one of them never
    leaves the pod, so that address is an ERROR, never evidence.

    Passes only if every address passes. Any FAIL wins (a leak on one family is a leak); else
    any ERROR; an empty list is an ERROR, never a PASS. Each address is named in the reason
    when there is more than one.
    """
    if not outcomes:
        return Judgement(Verdict.ERROR, "no result for any address, so nothing was tested")
    judged = [
        (
            address,
            _in_pod(address, outcome, own_addresses)
            or replace(
                classify(
                    expect=expect,
                    observation=outcome.observation,
                    port=port,
                    protocol=protocol,
                    cni_mode=cni_mode,
                    detail=outcome.detail,
                ),
                observation=outcome.observation,
            ),
        )
        for address, outcome in outcomes
    ]
    if len(judged) == 1:
        return judged[0][1]

    def label(address: str | None, judgement: Judgement) -> str:
        return f"{address or '?'}: {judgement.reason}"

    for verdict in (Verdict.FAIL, Verdict.ERROR):
        hits = [(a, j) for a, j in judged if j.verdict is verdict]
        if hits:
            others = [(a, j) for a, j in judged if j.verdict is not verdict]
            text = "; ".join(label(a, j) for a, j in hits + others)
            inconclusive = verdict is Verdict.ERROR and all(j.inconclusive for _, j in hits)
            return Judgement(verdict, text, inconclusive, hits[0][1].observation)
    return Judgement(
        Verdict.PASS,
        "; ".join(label(a, j) for a, j in judged),
        observation=judged[0][1].observation,
    )


def _in_pod(
    address: str | None, outcome: Outcome, own_addresses: frozenset[str] = frozenset()
) -> Judgement | None:
    """A name that resolved to loopback inside the pod (an /etc/hosts entry, a DNS answer), or
    the source pod's own address: its traffic never leaves the pod, so no policy was tested; in
    reject mode a closed port there would otherwise pass a `denied` probe as 'rejected by the
    CNI'."""
    if address is not None and address in own_addresses:
        local: str | None = f"{address} is the source pod's own address"
    else:
        local = stays_in_pod(address) if address else None
    if local is None:
        return None
    reason = (
        f"{local}: its traffic never leaves the source pod, so no NetworkPolicy applies and "
        "nothing was tested"
    )
    return Judgement(Verdict.ERROR, reason, False, outcome.observation)


MESH_SIDECARS = ("istio-proxy", "linkerd-proxy")
"""Sidecars that capture a pod's outbound TCP: a connect from the pod reaches the local proxy,
so it succeeds whatever the NetworkPolicy says."""


def distrust_mesh_connects(
    *,
    judgement: Judgement,
    observations: Sequence[Observation],
    protocol: Protocol,
    sidecar: str | None,
) -> Judgement:
    """In a meshed source pod a TCP connect proves nothing: never PASS (or FAIL) on it."""
    if sidecar is None or protocol is not Protocol.TCP:
        return judgement
    if Observation.CONNECTED not in observations:
        return judgement
    return Judgement(
        Verdict.ERROR,
        f"inconclusive: the source pod runs the {sidecar} sidecar, which accepts every outbound "
        "TCP connection locally, so a successful connect does not show what the network "
        "policy allows",
        inconclusive=True,
        observation=Observation.CONNECTED,
    )
