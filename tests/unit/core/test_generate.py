"""generate's pure core: workloads, expectations from the policy engine, honest omissions."""

from __future__ import annotations

from typing import Any

import yaml

from kubectl_netpoltest.core.generate import PortsMode, generate_spec
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.spec.loader import parse_spec

IPS = iter(f"10.244.0.{i}" for i in range(10, 250))


def pod(
    name: str,
    ns: str,
    labels: dict[str, str],
    *,
    ports: tuple[int, ...] = (),
    owner: tuple[str, str] | None = None,
    phase: str = "Running",
    host_network: bool = False,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns, "labels": labels}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    return {
        "metadata": meta,
        "spec": {
            "hostNetwork": host_network,
            "containers": [{"name": "app", "ports": [{"containerPort": p} for p in ports]}],
        },
        "status": {"phase": phase, "podIP": next(IPS)},
    }


def deployment_pod(name: str, ns: str, app: str, suffix: str, **kw: Any) -> dict[str, Any]:
    labels = {"app": app, "pod-template-hash": "7d9c5b"}
    return pod(f"{name}-7d9c5b-{suffix}", ns, labels, owner=("ReplicaSet", f"{name}-7d9c5b"), **kw)


DB_IN = {
    "metadata": {"name": "db-in", "namespace": "shop"},
    "spec": {
        "podSelector": {"matchLabels": {"app": "db"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                "ports": [{"port": 5432}, {"port": 9187}],
            }
        ],
    },
}
PODS = [
    deployment_pod("web", "shop", "web", "aaaaa", ports=(80,)),
    deployment_pod("web", "shop", "web", "bbbbb", ports=(80,)),
    pod("db-0", "shop", {"app": "db"}, ports=(5432, 8080), owner=("StatefulSet", "db")),
    pod("tool", "shop", {"app": "tool"}),
    pod("done", "shop", {"app": "job"}, phase="Succeeded"),
    pod("node-agent", "shop", {"app": "agent"}, host_network=True, ports=(9100,)),
]


def test_one_symbolic_pod_per_workload_with_engine_expectations() -> None:
    out = generate_spec(pods=PODS, policies=[DB_IN], namespaces=[], ports=PortsMode.DECLARED)
    spec = yaml.safe_load(out.text)
    names = {p["name"]: p for p in spec["pods"]}
    assert set(names) == {"web", "db", "tool"}  # no Succeeded or hostNetwork pod
    assert names["web"]["selector"] == {"app": "web"}  # pod-template-hash dropped
    assert "# Deployment shop/web" in out.text and "# StatefulSet shop/db" in out.text
    rules = {r["name"]: r for r in spec["rules"]}
    assert rules["web-to-db"]["allowed"] == ["db-5432"]
    assert rules["web-to-db"]["denied"] == ["db-8080"]
    assert rules["tool-to-db"]["denied"] == ["db-5432", "db-8080"]
    assert rules["db-to-web"]["allowed"] == ["web-80"]
    assert "web-to-web" not in rules  # no probe from a workload to itself
    assert "# db:5432 allowed: egress not-selected; ingress allowed by shop/db-in ingress[0]" in (
        out.text
    )
    assert out.probes == sum(
        len(r.get("allowed", [])) + len(r.get("denied", [])) for r in spec["rules"]
    )


def test_the_output_is_a_valid_spec_that_plans_to_the_same_probes() -> None:
    out = generate_spec(pods=PODS, policies=[DB_IN], namespaces=[])
    loaded = parse_spec(text=out.text, file="generated.yaml")
    assert loaded.problems == () and loaded.spec is not None
    probes = expand(loaded.spec, default_namespace="x")
    assert len(probes) == out.probes
    assert {p.source.namespace for p in probes} == {"shop"}


def test_policy_ports_become_denied_tests_only_where_nothing_listens() -> None:
    out = generate_spec(pods=PODS, policies=[DB_IN], namespaces=[], ports=PortsMode.ALL)
    rules = {r["name"]: r for r in yaml.safe_load(out.text)["rules"]}
    # 9187 is allowed by db-in but db declares no such port: left out, and said so.
    assert "db-9187" not in rules["web-to-db"].get("allowed", [])
    assert any(
        "web -> db:9187: allowed, but shop/db declares no such port" in x for x in out.left_out
    )
    assert "db-9187" in rules["tool-to-db"]["denied"]


def test_max_probes_truncates_and_says_so() -> None:
    out = generate_spec(pods=PODS, policies=[DB_IN], namespaces=[], max_probes=2)
    assert out.probes == 2
    assert out.left_out[0].endswith("more probes beyond --max-probes 2")
    assert "# Left out:" in out.text


def test_ambiguous_labels_fall_back_to_the_pod_name() -> None:
    twins = [pod("a", "ns", {"app": "x"}, ports=(80,)), pod("b", "ns", {"app": "x"}, ports=(80,))]
    spec = yaml.safe_load(generate_spec(pods=twins, policies=[], namespaces=[]).text)
    assert {p["name"]: p.get("podname") for p in spec["pods"]} == {"a": "a", "b": "b"}
