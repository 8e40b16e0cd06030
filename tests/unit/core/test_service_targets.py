"""Service targets: the `services:` spec section, plan expansion, and how a Service's
EndpointSlices become the doors and backends a probe tries (core/servicebackends.py)."""

from __future__ import annotations

import textwrap
from typing import Any

from kubectl_netpoltest.core.model import ServiceRef, ServiceTarget
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.servicebackends import resolve_service
from kubectl_netpoltest.core.spec.loader import parse_spec

SPEC = """
pods:
  - {name: web, namespace: shop, selector: {app: web}}
services:
  - {name: api, namespace: shop-back, service: api, dns: true}
  - {name: local, service: local}
connections:
  - {name: api, services: [api], ports: [80]}
  - {name: both, pods: [local], addresses: [api], ports: [81]}
rules:
  - {name: r, from: [web], allowed: [api], denied: [both]}
"""


def _problems(text: str) -> list[str]:
    return [str(p) for p in parse_spec(text=textwrap.dedent(text), file="t.yaml").problems]


def test_services_are_connection_targets_next_to_pods_and_addresses() -> None:
    spec = parse_spec(text=SPEC, file="t.yaml").spec
    assert spec is not None
    probes = expand(spec, default_namespace="team")
    assert [(p.id, p.expect.value) for p in probes] == [
        ("web->svc/api:80/tcp", "allowed"),
        ("web->svc/api:81/tcp", "denied"),  # `addresses:` are read before `pods:`
        ("web->svc/local:81/tcp", "denied"),
    ]
    target = probes[2].target
    assert isinstance(target, ServiceTarget)
    assert target.service.namespace == "team"  # -n / context default, like pods
    assert target.service.dns_name == "local.team.svc"


def test_service_entries_are_validated_where_they_are_written() -> None:
    problems = _problems(
        """
        pods: [{name: web, selector: {app: web}}]
        services:
          - {name: a, service: 9lives}
          - {name: b}
          - {name: c, service: ok, dns: maybe}
        connections: [{name: x, services: [a], ports: [80]}]
        rules: [{name: r, from: [web], allowed: [x]}]
        """
    )
    assert any("services[0].service: '9lives' is not a valid service name" in p for p in problems)
    assert any("services[1]: has no service" in p for p in problems)
    assert any("services[2].dns: is a string (expected true or false)" in p for p in problems)


def test_a_service_is_not_a_source() -> None:
    problems = _problems(
        """
        pods: [{name: web, selector: {app: web}}]
        services: [{name: api, service: api}]
        connections: [{name: x, pods: [web], ports: [80]}]
        rules: [{name: r, from: [api], allowed: [x]}]
        """
    )
    assert any("'api' is a service, not a pod or pod group" in p for p in problems)


def test_the_original_format_without_services_is_unchanged() -> None:
    spec = parse_spec(
        text="pods: [{name: a, podname: a}]\nconnections: [{name: c, addresses: [a], "
        "ports: [{port: 80}]}]\nrules: [{name: r, from: [a], allowed: [c]}]\n",
        file="t.yaml",
    ).spec
    assert spec is not None and spec.services == ()


REF = ServiceRef("api", "shop", "api")


def _service(**spec: Any) -> dict[str, Any]:
    base = {
        "clusterIP": "10.96.0.20",
        "clusterIPs": ["10.96.0.20"],
        "ports": [{"name": "web", "port": 80, "targetPort": "http", "protocol": "TCP"}],
    }
    return {"metadata": {"name": "api", "namespace": "shop"}, "spec": {**base, **spec}}


def _slice(port: int, *endpoints: tuple[str, str, bool]) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"kubernetes.io/service-name": "api"}},
        "ports": [{"name": "web", "port": port, "protocol": "TCP"}],
        "endpoints": [
            {
                "addresses": [ip],
                "conditions": {"ready": ready},
                "nodeName": "node-1",
                "targetRef": {"kind": "Pod", "namespace": "shop", "name": name},
            }
            for name, ip, ready in endpoints
        ],
    }


def test_each_ready_backend_on_the_number_its_own_slice_gives_the_named_port() -> None:
    found = resolve_service(
        REF,
        service=_service(),
        slices=[
            _slice(8080, ("api-a", "10.0.0.1", True), ("api-c", "10.0.0.3", False)),
            _slice(8081, ("api-b", "10.0.0.2", True)),
        ],
        port=80,
        protocol="TCP",
    )
    assert found.problem is None
    assert [d.label for d in found.doors] == ["ClusterIP 10.96.0.20:80"]
    assert [(b.pod, b.ip, b.port, b.node) for b in found.backends] == [
        ("shop/api-a", "10.0.0.1", 8080, "node-1"),
        ("shop/api-b", "10.0.0.2", 8081, "node-1"),
    ]
    assert found.not_ready == 1


def test_no_ready_endpoint_is_a_problem_not_a_verdict() -> None:
    found = resolve_service(
        REF,
        service=_service(),
        slices=[_slice(8080, ("api-a", "10.0.0.1", False))],
        port=80,
        protocol="TCP",
    )
    assert found.problem is not None
    assert "no ready endpoints (1 not ready)" in found.problem
    assert "kube-proxy refuses the connection" in found.problem


def test_headless_means_the_endpoints_only_on_the_port_asked() -> None:
    found = resolve_service(
        REF,
        service=_service(clusterIP="None", clusterIPs=["None"]),
        slices=[_slice(8080, ("api-a", "10.0.0.1", True))],
        port=8080,
        protocol="TCP",
    )
    assert found.doors == ()
    assert [(b.ip, b.port) for b in found.backends] == [("10.0.0.1", 8080)]


def test_dual_stack_cluster_ips_and_the_dns_name_are_doors() -> None:
    found = resolve_service(
        ServiceRef("api", "shop", "api", dns=True),
        service=_service(clusterIPs=["10.96.0.20", "fd00:96::20"]),
        slices=[_slice(8080, ("api-a", "10.0.0.1", True))],
        port=80,
        protocol="TCP",
    )
    assert [d.label for d in found.doors] == [
        "ClusterIP 10.96.0.20:80",
        "ClusterIP [fd00:96::20]:80",
        "DNS api.shop.svc:80",
    ]


def test_wrong_port_missing_service_and_external_name_say_what_to_do() -> None:
    wrong = resolve_service(REF, service=_service(), slices=[], port=443, protocol="TCP")
    assert wrong.problem == "Service shop/api has no port 443/TCP (it serves: 80/TCP)"
    missing = resolve_service(REF, service=None, slices=[], port=80, protocol="TCP")
    assert missing.problem == "Service shop/api not found (api in the spec)"
    alias = resolve_service(
        REF, service=_service(type="ExternalName"), slices=[], port=80, protocol="TCP"
    )
    assert alias.problem is not None and "ExternalName" in alias.problem
