"""Rule coverage: exercised, edge-tested, untouched rules and isolated pods."""

from __future__ import annotations

from kubectl_netpoltest.core.policy import Direction, pod_endpoint
from kubectl_netpoltest.core.policy.coverage import Coverage, Query, coverage
from tests.unit.core.policy.world import objects, predictor_for

POLICIES = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-in, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
    - {from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: 80}]}
    - {from: [{namespaceSelector: {matchLabels: {ns: z}}}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-eg, namespace: x}
spec: {podSelector: {matchLabels: {pod: c}}, policyTypes: [Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: elsewhere, namespace: y}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


def _coverage(*probes: tuple[str, str, int, str]) -> Coverage:
    predictor = predictor_for(objects(policies=POLICIES))
    pods = {p.ref: p for p in predictor.snapshot.pods}
    queries = [
        Query(f"{s}->{d}:{port}", pod_endpoint(pods[s]), pod_endpoint(pods[d]), port, proto)
        for s, d, port, proto in probes
    ]
    return coverage(predictor, queries, namespaces=["x"])


def _row(
    cov: Coverage, name: str, direction: Direction, index: int | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    (row,) = [
        r for r in cov.rules if r.name == name and r.direction is direction and r.index == index
    ]
    return row.exercised_by, row.edge_of


def test_exercised_edge_and_untouched() -> None:
    cov = _coverage(("x/b", "x/a", 80, "TCP"), ("x/b", "x/a", 81, "TCP"), ("y/b", "x/a", 80, "TCP"))
    assert _row(cov, "a-in", Direction.INGRESS, 0) == (
        ("x/b->x/a:80",),
        ("x/b->x/a:81", "y/b->x/a:80"),
    )
    # any port: every denied probe from a peer outside [ns=z] is at its edge
    assert _row(cov, "a-in", Direction.INGRESS, 1) == ((), ("x/b->x/a:81", "y/b->x/a:80"))
    # a policy with no rules in a direction it isolates is one row, never exercised
    assert _row(cov, "c-eg", Direction.EGRESS, None) == ((), ())
    assert "x/c egress" in cov.untouched_pods
    assert not any(p.startswith("x/a ingress") for p in cov.untouched_pods)
    # only the spec's namespaces are listed
    assert {r.namespace for r in cov.rules} == {"x"}


def test_isolation_only_policy_is_edge_tested_by_denied_probes() -> None:
    cov = _coverage(("x/c", "y/a", 80, "TCP"), ("z/a", "x/a", 81, "UDP"))
    assert _row(cov, "c-eg", Direction.EGRESS, None) == ((), ("x/c->y/a:80",))
    assert _row(cov, "a-in", Direction.INGRESS, 1) == (("z/a->x/a:81",), ())
    assert cov.untouched_pods == ()
