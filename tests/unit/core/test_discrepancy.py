"""The discrepancy between the policies' prediction and what the packet saw."""

from __future__ import annotations

import pytest

from kubectl_netpoltest.core.discrepancy import DiscrepancyCode, discrepancy
from kubectl_netpoltest.core.observation import Observation as O
from kubectl_netpoltest.core.policy import Verdict as P

C = DiscrepancyCode


@pytest.mark.parametrize(("predicted", "observation", "reject", "code"), [
    (P.ALLOWED, O.CONNECTED, False, None),
    (P.ALLOWED, O.TIMEOUT, False, C.ALLOWED_BUT_DROPPED),
    (P.ALLOWED, O.REJECTED, True, C.ALLOWED_BUT_REJECTED),
    (P.ALLOWED, O.REFUSED, False, C.ALLOWED_PORT_CLOSED),
    (P.DENIED, O.CONNECTED, False, C.DENIED_BUT_CONNECTED),
    (P.DENIED, O.CONNECTED, True, C.DENIED_BUT_CONNECTED),
    (P.DENIED, O.REFUSED, False, C.DENIED_BUT_REACHED),
    (P.DENIED, O.REFUSED, True, None),  # a rejecting CNI answers denied TCP with a reset
    (P.DENIED, O.TIMEOUT, False, None),
    (P.DENIED, O.REJECTED, True, None),
    (P.UNDEFINED, O.CONNECTED, False, None),
    (P.UNDEFINED, O.TIMEOUT, False, None),
    (P.ALLOWED, O.DNS_FAIL, False, None),
    (P.DENIED, O.NO_REPLY, False, None),
    (P.ALLOWED, O.PROBE_ERROR, False, None),
])
def test_discrepancy(predicted: P, observation: O, reject: bool,
                     code: DiscrepancyCode | None) -> None:
    found = discrepancy(predicted=predicted, observation=observation, reject_mode=reject)
    assert (found.code if found else None) is code


def test_messages_name_the_likely_cause() -> None:
    found = discrepancy(predicted=P.DENIED, observation=O.CONNECTED, reject_mode=False)
    assert found is not None
    assert found.message.startswith("the policies deny it but it connected")
    dropped = discrepancy(predicted=P.ALLOWED, observation=O.TIMEOUT, reject_mode=False)
    assert dropped is not None and "not programmed yet" in dropped.message
