"""The verdict table: every observation x expectation x CNI mode, and multi-address probes."""

from __future__ import annotations

import itertools

import pytest

from kubectl_netpoltest.core.model import Expectation, Protocol
from kubectl_netpoltest.core.observation import Observation, Outcome
from kubectl_netpoltest.core.verdict import CniMode, Verdict, classify, classify_addresses

Obs, V = Observation, Verdict
ALLOWED, DENIED = Expectation.ALLOWED, Expectation.DENIED
DROP, REJECT = CniMode.DROP, CniMode.REJECT

# (observation, expect, mode) -> verdict. The README copies this table.
TABLE = {
    (Obs.CONNECTED, ALLOWED, DROP): V.PASS,
    (Obs.CONNECTED, ALLOWED, REJECT): V.PASS,
    (Obs.CONNECTED, DENIED, DROP): V.FAIL,
    (Obs.CONNECTED, DENIED, REJECT): V.FAIL,
    (Obs.REFUSED, ALLOWED, DROP): V.FAIL,
    (Obs.REFUSED, ALLOWED, REJECT): V.FAIL,
    (Obs.REFUSED, DENIED, DROP): V.FAIL,
    (Obs.REFUSED, DENIED, REJECT): V.PASS,
    (Obs.REJECTED, ALLOWED, DROP): V.FAIL,
    (Obs.REJECTED, ALLOWED, REJECT): V.FAIL,
    (Obs.REJECTED, DENIED, DROP): V.PASS,
    (Obs.REJECTED, DENIED, REJECT): V.PASS,
    (Obs.TIMEOUT, ALLOWED, DROP): V.FAIL,
    (Obs.TIMEOUT, ALLOWED, REJECT): V.FAIL,
    (Obs.TIMEOUT, DENIED, DROP): V.PASS,
    (Obs.TIMEOUT, DENIED, REJECT): V.PASS,
    (Obs.DNS_FAIL, ALLOWED, DROP): V.ERROR,
    (Obs.DNS_FAIL, ALLOWED, REJECT): V.ERROR,
    (Obs.DNS_FAIL, DENIED, DROP): V.ERROR,
    (Obs.DNS_FAIL, DENIED, REJECT): V.ERROR,
    (Obs.NO_REPLY, ALLOWED, DROP): V.ERROR,
    (Obs.NO_REPLY, ALLOWED, REJECT): V.ERROR,
    (Obs.NO_REPLY, DENIED, DROP): V.ERROR,
    (Obs.NO_REPLY, DENIED, REJECT): V.ERROR,
    (Obs.PROBE_ERROR, ALLOWED, DROP): V.ERROR,
    (Obs.PROBE_ERROR, ALLOWED, REJECT): V.ERROR,
    (Obs.PROBE_ERROR, DENIED, DROP): V.ERROR,
    (Obs.PROBE_ERROR, DENIED, REJECT): V.ERROR,
}


def test_table_covers_every_combination() -> None:
    assert set(TABLE) == set(itertools.product(Observation, Expectation, CniMode))


@pytest.mark.parametrize(("key", "verdict"), sorted(TABLE.items()))
def test_verdict_table(key: tuple[Observation, Expectation, CniMode], verdict: Verdict) -> None:
    observation, expect, mode = key
    for protocol in Protocol:
        judgement = classify(
            expect=expect, observation=observation, port=8080, protocol=protocol, cni_mode=mode
        )
        assert judgement.verdict is verdict
        assert judgement.reason
        assert judgement.inconclusive is (observation is Obs.NO_REPLY)


@pytest.mark.parametrize("observation", list(Observation))
def test_only_two_ways_to_pass(observation: Observation) -> None:
    passes_allowed = {m for m in CniMode if TABLE[(observation, ALLOWED, m)] is V.PASS}
    passes_denied = {m for m in CniMode if TABLE[(observation, DENIED, m)] is V.PASS}
    assert bool(passes_allowed) is (observation is Obs.CONNECTED)
    expected_denied = {
        Obs.TIMEOUT: set(CniMode),
        Obs.REJECTED: set(CniMode),
        Obs.REFUSED: {REJECT},
    }.get(observation, set())
    assert passes_denied == expected_denied


def test_default_mode_is_drop() -> None:
    judgement = classify(expect=DENIED, observation=Obs.REFUSED, port=8080, protocol=Protocol.TCP)
    assert judgement.verdict is V.FAIL


def test_mode_accepts_plain_strings_and_rejects_unknown() -> None:
    assert (
        classify(
            expect=DENIED, observation=Obs.REFUSED, port=1, protocol=Protocol.TCP, cni_mode="reject"
        ).verdict
        is V.PASS
    )
    with pytest.raises(ValueError):
        classify(
            expect=DENIED, observation=Obs.REFUSED, port=1, protocol=Protocol.TCP, cni_mode="maybe"
        )


@pytest.mark.parametrize(
    ("observation", "expect", "text"),
    [
        (
            Obs.REFUSED,
            ALLOWED,
            "connection refused: traffic reached the pod but nothing listens on 8080/TCP",
        ),
        (
            Obs.REFUSED,
            DENIED,
            "the policy let the traffic through: it reached the destination, which refused it "
            "because nothing listens on 8080/TCP",
        ),
        (
            Obs.DNS_FAIL,
            DENIED,
            "name resolution failed, so the connection was never tried; if the pod is "
            "egress-isolated, allow UDP/TCP 53 to kube-dns",
        ),
        (Obs.CONNECTED, DENIED, "the connection to 8080/TCP succeeded but should be denied"),
    ],
)
def test_reasons_in_drop_mode(observation: Observation, expect: Expectation, text: str) -> None:
    judgement = classify(expect=expect, observation=observation, port=8080, protocol=Protocol.TCP)
    assert judgement.reason == text


def test_no_reply_reason_says_silence_proves_nothing() -> None:
    judgement = classify(expect=DENIED, observation=Obs.NO_REPLY, port=5000, protocol=Protocol.UDP)
    assert "silence can be a drop or a server that ignores the payload" in judgement.reason
    assert judgement.inconclusive


def test_detail_prefixes_reason() -> None:
    judgement = classify(
        expect=ALLOWED,
        observation=Obs.TIMEOUT,
        port=443,
        protocol=Protocol.TCP,
        detail="no answer within 1s (3 attempts)",
    )
    assert judgement.reason == (
        "no answer within 1s (3 attempts): no answer from 443/TCP: the traffic was dropped"
    )


def outcomes(*pairs: tuple[str | None, Observation]) -> list[tuple[str | None, Outcome]]:
    return [(address, Outcome(o, o.value)) for address, o in pairs]


@pytest.mark.parametrize(
    ("expect", "pairs", "verdict"),
    [
        (DENIED, [("10.0.0.1", Obs.TIMEOUT), ("fd00::1", Obs.TIMEOUT)], V.PASS),
        (DENIED, [("10.0.0.1", Obs.TIMEOUT), ("fd00::1", Obs.CONNECTED)], V.FAIL),
        (DENIED, [("10.0.0.1", Obs.TIMEOUT), ("fd00::1", Obs.PROBE_ERROR)], V.ERROR),
        (DENIED, [("10.0.0.1", Obs.PROBE_ERROR), ("fd00::1", Obs.CONNECTED)], V.FAIL),
        (ALLOWED, [("10.0.0.1", Obs.CONNECTED), ("fd00::1", Obs.CONNECTED)], V.PASS),
        (ALLOWED, [("10.0.0.1", Obs.CONNECTED), ("fd00::1", Obs.TIMEOUT)], V.FAIL),
        (ALLOWED, [("10.0.0.1", Obs.CONNECTED), ("fd00::1", Obs.NO_REPLY)], V.ERROR),
        (ALLOWED, [(None, Obs.DNS_FAIL)], V.ERROR),
        (ALLOWED, [], V.ERROR),
        (DENIED, [], V.ERROR),
    ],
)
def test_every_address_must_pass(
    expect: Expectation, pairs: list[tuple[str | None, Observation]], verdict: Verdict
) -> None:
    judgement = classify_addresses(
        expect=expect, outcomes=outcomes(*pairs), port=80, protocol=Protocol.TCP
    )
    assert judgement.verdict is verdict
    if len(pairs) > 1:
        for address, _ in pairs:
            assert str(address) in judgement.reason


def test_multi_address_inconclusive_only_when_all_errors_are_silence() -> None:
    silent = classify_addresses(
        expect=ALLOWED,
        outcomes=outcomes(("a", Obs.CONNECTED), ("b", Obs.NO_REPLY)),
        port=5000,
        protocol=Protocol.UDP,
    )
    broken = classify_addresses(
        expect=ALLOWED,
        outcomes=outcomes(("a", Obs.NO_REPLY), ("b", Obs.PROBE_ERROR)),
        port=5000,
        protocol=Protocol.UDP,
    )
    assert silent.inconclusive and not broken.inconclusive
