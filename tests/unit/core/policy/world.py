"""A small fixed topology for the semantics table, in the style of the upstream e2e suite.

Namespaces x, y, z (label ns=<name>); pods a, b, c in each (label pod=<name>), IPs
10.0.<ns index>.<pod index>, ports 80/81 TCP and UDP and 80 SCTP named serve-<port>-<proto>;
a hostNetwork pod x/h on node n1 with the node IP 10.89.0.1; Service x/web (10.96.0.20:8080 ->
targetPort serve-80-tcp, selecting pod=a) and a headless Service y/hl selecting pod=b.
"""

from __future__ import annotations

from typing import Any

import yaml

from kubectl_netpoltest.core.policy import Prediction, Predictor, parse, pod_endpoint
from kubectl_netpoltest.core.policy.matching import Assumptions, Endpoint
from kubectl_netpoltest.core.policy.objects import Snapshot

NAMESPACES = "xyz"
PODS = "abc"
NODE_IP = "10.89.0.1"


def ip_of(ref: str) -> str:
    ns, pod = ref.split("/")
    return f"10.0.{NAMESPACES.index(ns) + 1}.{PODS.index(pod) + 1}"


PORTS = [
    {"containerPort": port, "protocol": proto, "name": f"serve-{port}-{proto.lower()}"}
    for port, proto in ((80, "TCP"), (81, "TCP"), (80, "UDP"), (81, "UDP"), (80, "SCTP"))
]


def objects(
    *,
    policies: str,
    pod_labels: dict[str, dict[str, str]] | None = None,
    ns_labels: dict[str, dict[str, str]] | None = None,
    pod_ports: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, list[Any]]:
    pod_labels, ns_labels, pod_ports = pod_labels or {}, ns_labels or {}, pod_ports or {}
    namespaces = [
        {"metadata": {"name": ns, "labels": ns_labels.get(ns, {"ns": ns})}} for ns in NAMESPACES
    ]
    pods = [
        {
            "metadata": {
                "name": p,
                "namespace": ns,
                "labels": pod_labels.get(f"{ns}/{p}", {"pod": p}),
            },
            "spec": {
                "nodeName": "n1",
                "containers": [{"name": "c", "ports": pod_ports.get(f"{ns}/{p}", PORTS)}],
            },
            "status": {"podIP": ip_of(f"{ns}/{p}")},
        }
        for ns in NAMESPACES
        for p in PODS
    ]
    pods.append(
        {
            "metadata": {"name": "h", "namespace": "x", "labels": {"pod": "h"}},
            "spec": {
                "nodeName": "n1",
                "hostNetwork": True,
                "containers": [{"name": "c", "ports": [{"containerPort": 8081, "name": "h"}]}],
            },
            "status": {"podIP": NODE_IP},
        }
    )
    services = [
        {
            "metadata": {"name": "web", "namespace": "x"},
            "spec": {
                "clusterIP": "10.96.0.20",
                "selector": {"pod": "a"},
                "ports": [{"port": 8080, "targetPort": "serve-80-tcp"}],
            },
        },
        {
            "metadata": {"name": "ext", "namespace": "y"},
            "spec": {"type": "ExternalName", "externalName": "api.partner.example"},
        },
        {
            "metadata": {"name": "hl", "namespace": "y"},
            "spec": {"clusterIP": "None", "selector": {"pod": "b"}, "ports": [{"port": 80}]},
        },
    ]
    docs = [d for d in yaml.safe_load_all(policies) if d]
    return {"namespaces": namespaces, "pods": pods, "policies": docs, "services": services}


def snapshot(objs: dict[str, list[Any]]) -> Snapshot:
    return Snapshot(
        namespaces=tuple(parse.namespace(n) for n in objs["namespaces"]),
        pods=tuple(parse.pod(p) for p in objs["pods"]),
        policies=tuple(parse.policy(p) for p in objs["policies"]),
        services=tuple(parse.service(s) for s in objs["services"]),
    )


def predict(predictor: Predictor, src: str, dst: str, port: int, protocol: str) -> Prediction:
    """`src` is ns/pod or an IP; `dst` is ns/pod, an IP or a host name."""
    pods = {p.ref: p for p in predictor.snapshot.pods}
    source = pod_endpoint(pods[src]) if src in pods else Endpoint(label=src, ip=src)
    src_ns = src.split("/", maxsplit=1)[0] if src in pods else "default"
    target = (
        pod_endpoint(pods[dst]) if dst in pods else predictor.address(dst, from_namespace=src_ns)
    )
    return predictor.predict(source=source, target=target, port=port, protocol=protocol)


def predictor_for(objs: dict[str, list[Any]], assumptions: Assumptions | None = None) -> Predictor:
    return Predictor(snapshot(objs), assumptions=assumptions)
