"""A host NAME that resolves inside the pod to a loopback address
(an /etc/hosts entry, `foo.127.0.0.1.nip.io`, a split-horizon DNS answer): traffic never
leaves the pod, so no NetworkPolicy applies. In reject mode a denied probe to a closed
loopback port is `refused` and passes as 'the CNI rejected it' -- a false PASS.

The spec loader refuses loopback/unspecified literals and `localhost` (core.hosts.stays_in_pod);
a name resolved at execute time gets the same check on each resolved address: ERROR.
"""

from __future__ import annotations

from kubectl_netpoltest.core.model import Expectation, Protocol
from kubectl_netpoltest.core.observation import Observation, Outcome
from kubectl_netpoltest.core.verdict import CniMode, Verdict, classify_addresses


def test_a_name_resolved_to_loopback_is_never_a_pass() -> None:
    judged = classify_addresses(
        expect=Expectation.DENIED,
        outcomes=[("127.0.0.1", Outcome(Observation.REFUSED, "connection refused"))],
        port=8080, protocol=Protocol.TCP, cni_mode=CniMode.REJECT,
    )
    assert judged.verdict is Verdict.ERROR


def test_the_loopback_address_of_a_dual_stack_answer_makes_the_probe_error() -> None:
    judged = classify_addresses(
        expect=Expectation.ALLOWED,
        outcomes=[("10.0.0.7", Outcome(Observation.CONNECTED, "connected")),
                  ("::1", Outcome(Observation.CONNECTED, "connected"))],
        port=80, protocol=Protocol.TCP,
    )
    assert judged.verdict is Verdict.ERROR and "never leaves the source pod" in judged.reason


def test_the_source_pod_s_own_address_is_never_a_pass() -> None:
    """A host given as (or resolving to) the probing pod's own IP: the packet never leaves the
    pod's interface, so no NetworkPolicy applies; in reject mode a closed port there would
    pass a denied probe as 'rejected by the CNI'."""
    judged = classify_addresses(
        expect=Expectation.DENIED,
        outcomes=[("10.0.0.7", Outcome(Observation.REFUSED, "connection refused"))],
        port=8080,
        protocol=Protocol.TCP,
        cni_mode=CniMode.REJECT,
        own_addresses=frozenset({"10.0.0.7", "fd00::7"}),
    )
    assert judged.verdict is Verdict.ERROR
    assert "the source pod's own address" in judged.reason


def test_another_pod_s_address_is_judged_as_usual() -> None:
    judged = classify_addresses(
        expect=Expectation.DENIED,
        outcomes=[("10.0.0.8", Outcome(Observation.TIMEOUT, "no answer"))],
        port=8080,
        protocol=Protocol.TCP,
        own_addresses=frozenset({"10.0.0.7"}),
    )
    assert judged.verdict is Verdict.PASS
