"""The kube-system objects the data plane itself provides: the DNS pod and its Service.

The DNS pod is a pod in policy terms (namespace kube-system, k8s-app=kube-dns), so policies
can select it and DNS is subject to egress policy like anything else (rule 27). Kept pure so
the policy table tests can build the same world without root.
"""

from __future__ import annotations

from typing import Any

from .model import NAMESPACE_NAME_LABEL

DNS_KEY = "sandbox-coredns"


def system_objects(*, dns_pod_ip: str | None, dns_ip: str) -> dict[str, list[dict[str, Any]]]:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "coredns-sandbox",
            "namespace": "kube-system",
            "uid": DNS_KEY,
            "labels": {"k8s-app": "kube-dns"},
        },
        "spec": {
            "containers": [{
                "name": "coredns",
                "image": "dnsmasq",
                "ports": [
                    {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                    {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"},
                ],
            }],
        },
        "status": {
            "phase": "Running",
            "podIP": dns_pod_ip,
            "podIPs": [{"ip": dns_pod_ip}] if dns_pod_ip else [],
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
                     "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "clusterIP": dns_ip,
            "selector": {"k8s-app": "kube-dns"},
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            ],
        },
    }
    ns = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "kube-system", "labels": {NAMESPACE_NAME_LABEL: "kube-system"}},
    }
    return {"namespaces": [ns], "pods": [pod], "services": [svc]}
