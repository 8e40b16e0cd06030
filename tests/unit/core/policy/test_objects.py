"""Objects for the evaluator: manifests on disk, API validation, Service backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubectl_netpoltest.core.policy import Predictor, parse, pod_endpoint
from kubectl_netpoltest.core.policy.manifests import ManifestError, load_snapshot
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.predict import ServiceTarget

WORKLOADS = """
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: data}
    spec: {template: {metadata: {labels: {app: db}},
                      spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  jobTemplate:
    spec: {template: {metadata: {labels: {app: backup}}, spec: {containers: [{name: c}]}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-egress}
spec: {podSelector: {}, egress: [{}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ignored}
"""


def test_manifests_directory_workloads_lists_and_default_namespace(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "w.yml").write_text(WORKLOADS)
    (tmp_path / "notes.txt").write_text("not a manifest")
    snap = load_snapshot([str(tmp_path)], default_namespace="shop")
    pods = {p.ref: p for p in snap.pods}
    assert set(pods) == {"data/db", "shop/backup"}
    assert pods["data/db"].template_of == "StatefulSet"
    assert pods["shop/backup"].labels == (("app", "backup"),)
    (policy,) = snap.policies
    # semantics rule 1 (namespace as kubectl applies it) and rule 3 (policyTypes defaulting)
    assert (policy.namespace, policy.ingress_isolates, policy.egress_isolates) == (
        "shop",
        True,
        True,
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{podSelector: {}, ingress: [{from: [{}]}]}", "needs podSelector, namespaceSelector"),
        (
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, "
            "podSelector: {}}]}]}",
            "ipBlock cannot be combined",
        ),
        ("{podSelector: {}, ingress: [{ports: [{port: http, endPort: 90}]}]}", "numeric port"),
        ("{podSelector: {}, ingress: [{ports: [{port: 80, protocol: ICMP}]}]}", "TCP, UDP, SCTP"),
        ("{podSelector: {matchExpressions: [{key: a, operator: In}]}}", "at least one value"),
        (
            "{podSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}}",
            "takes no values",
        ),
        (
            "{podSelector: {matchExpressions: [{key: a, operator: Like, values: [x]}]}}",
            "is not one of In",
        ),
        ("{podSelector: {}, policyTypes: [Sideways]}", "is not Ingress or Egress"),
    ],
)
def test_invalid_policies_name_the_field(tmp_path: Path, spec: str, message: str) -> None:
    (tmp_path / "p.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata: {{name: bad, namespace: x}}\nspec: {spec}\n"
    )
    with pytest.raises(ManifestError) as err:
        load_snapshot([str(tmp_path / "p.yaml")], default_namespace="x")
    assert str(err.value).startswith(f"{tmp_path / 'p.yaml'}: NetworkPolicy bad:")
    assert message in str(err.value)


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("kind: [unclosed\n")
    with pytest.raises(ManifestError, match=r"p\.yaml: cannot read manifests"):
        load_snapshot([str(tmp_path / "p.yaml")], default_namespace="x")


def test_live_service_backends_come_from_endpointslices() -> None:
    """Only ready endpoints, and the slice's port number (the targetPort after DNAT)."""
    pods = [
        parse.pod(
            {
                "metadata": {"name": f"api-{i}", "namespace": "x", "labels": {"app": "api"}},
                "spec": {"containers": [{"name": "c"}]},
                "status": {"podIP": f"10.0.0.{i}"},
            }
        )
        for i in (1, 2)
    ]
    client = parse.pod(
        {
            "metadata": {"name": "c", "namespace": "x"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"podIP": "10.0.0.9"},
        }
    )
    service = parse.service(
        {
            "metadata": {"name": "api", "namespace": "x"},
            "spec": {
                "clusterIP": "10.96.0.5",
                "selector": {"app": "api"},
                "ports": [{"name": "web", "port": 80, "targetPort": "http"}],
            },
        }
    )
    endpoint_slice = parse.endpoint_slice(
        {
            "metadata": {"namespace": "x", "labels": {"kubernetes.io/service-name": "api"}},
            "endpoints": [
                {"addresses": ["10.0.0.1"], "conditions": {"ready": True}},
                {"addresses": ["10.0.0.2"], "conditions": {"ready": False}},
            ],
            "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}],
        }
    )
    assert endpoint_slice is not None
    policy = parse.policy(
        {
            "metadata": {"name": "p", "namespace": "x"},
            "spec": {
                "podSelector": {"matchLabels": {"app": "api"}},
                "ingress": [{"ports": [{"port": 8080}]}],
            },
        }
    )
    predictor = Predictor(
        Snapshot(
            pods=(*pods, client),
            services=(service,),
            endpoint_slices=(endpoint_slice,),
            policies=(policy,),
        )
    )
    target = predictor.address("10.96.0.5", from_namespace="x")
    assert isinstance(target, ServiceTarget)
    found = predictor.predict(source=pod_endpoint(client), target=target, port=80, protocol="TCP")
    assert found.verdict.value == "allowed"
    assert found.via == "Service x/api -> x/api-1:8080"
    assert predictor.destinations(target=target, port=80, protocol="TCP")[0][1] == 8080
