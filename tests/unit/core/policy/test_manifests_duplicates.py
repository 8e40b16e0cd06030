"""explain --policies with two manifests of the same
NetworkPolicy namespace/name: `kubectl apply` of both leaves only the later one, but
load_snapshot keeps both, so the union of their isolation is predicted.

Repro: examples/richer.yaml with /tmp/p7.yaml holding backend/x twice (first podSelector {}
Ingress-only, then podSelector {} Egress-only) predicts backend pods ingress-isolated by
backend/x, which the cluster would not do after applying that file.
Expected: the later object replaces the earlier (as apply does), with a warning naming both
places, or a ManifestError naming both files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubectl_netpoltest.core.policy.manifests import ManifestError, load_snapshot

NP = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: b}\n"


def test_a_duplicate_policy_is_not_counted_twice(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        NP
        + "spec: {podSelector: {}, policyTypes: [Ingress]}\n---\n"
        + NP
        + "spec: {podSelector: {}, policyTypes: [Egress]}\n"
    )
    snap = load_snapshot([str(tmp_path / "p.yaml")], default_namespace="b")
    assert len(snap.policies) == 1


def test_the_later_manifest_wins_like_kubectl_apply(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NP + "spec: {podSelector: {}, policyTypes: [Ingress]}\n")
    (tmp_path / "b.yaml").write_text(NP + "spec: {podSelector: {}, policyTypes: [Egress]}\n")
    snap = load_snapshot(
        [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")], default_namespace="b"
    )
    (policy,) = snap.policies
    assert (policy.ingress_isolates, policy.egress_isolates) == (False, True)


def test_a_workload_and_a_pod_of_the_same_name_are_different_objects(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: b}\nspec: {containers: []}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: b}\n"
        "spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}},"
        " spec: {containers: []}}}\n"
    )
    snap = load_snapshot([str(tmp_path / "w.yaml")], default_namespace="b")
    assert len(snap.pods) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("apiVersion: v1\nkind: List\nitems: [oops]\n", "List item 0 is not an object"),
        ("just a string\n", "document 1 is not an object"),
        (
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: b}\n"
            "spec: {podSelector: {}}\n",
            "NetworkPolicy without metadata.name",
        ),
    ],
)
def test_what_kubectl_apply_refuses_is_refused(tmp_path: Path, text: str, message: str) -> None:
    """Silently skipping these made a review pass on manifests that the cluster would refuse."""
    (tmp_path / "m.yaml").write_text(text)
    with pytest.raises(ManifestError, match=message):
        load_snapshot([str(tmp_path / "m.yaml")], default_namespace="b")
