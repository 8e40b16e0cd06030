"""Merging a probe run from several source pods (core/spread.py): worst verdict wins, the
deciding pod's observation is shown, every pod is a row of the per-node matrix."""

from __future__ import annotations

from kubectl_netpoltest.core.model import Expectation, HostTarget, PodRef, Probe, Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.results import AddressResult, ProbeResult
from kubectl_netpoltest.core.spread import merge_spread
from kubectl_netpoltest.core.verdict import Verdict

PROBE = Probe(
    id="web->db:8080/tcp",
    rule="r",
    source=PodRef("web", "shop", "web"),
    target=HostTarget("db", "10.0.0.9"),
    port=8080,
    protocol=Protocol.TCP,
    expect=Expectation.DENIED,
)


def _part(node: str, verdict: Verdict, observation: Observation) -> ProbeResult:
    return ProbeResult(
        probe=PROBE,
        source_pod=f"shop/web-{node}",
        addresses=(AddressResult("10.0.0.9", observation, ""),),
        verdict=verdict,
        reason=f"{observation.value} from {node}",
        seconds=1.0,
        source_node=node,
    )


def test_one_failing_node_fails_the_probe_and_is_named() -> None:
    merged = merge_spread(
        [
            _part("node-3", Verdict.PASS, Observation.TIMEOUT),
            _part("node-2", Verdict.FAIL, Observation.CONNECTED),
            _part("node-1", Verdict.PASS, Observation.TIMEOUT),
        ]
    )
    assert merged.verdict is Verdict.FAIL
    assert merged.reason == "FAIL on node-2 of 3: connected from node-2"
    assert merged.observation is Observation.CONNECTED
    assert merged.source_pod == "shop/web-node-2"
    assert [(r.node, r.verdict) for r in merged.per_source] == [
        ("node-1", Verdict.PASS),
        ("node-2", Verdict.FAIL),
        ("node-3", Verdict.PASS),
    ]


def test_error_beats_pass_and_agreement_names_every_node() -> None:
    error = merge_spread(
        [
            _part("node-1", Verdict.PASS, Observation.TIMEOUT),
            _part("node-2", Verdict.ERROR, Observation.PROBE_ERROR),
        ]
    )
    assert error.verdict is Verdict.ERROR and error.reason.startswith("ERROR on node-2 of 2")
    same = merge_spread(
        [
            _part("node-1", Verdict.PASS, Observation.TIMEOUT),
            _part("node-2", Verdict.PASS, Observation.TIMEOUT),
        ]
    )
    assert same.reason.startswith("PASS from all 2 source pods (node-1, node-2): ")
