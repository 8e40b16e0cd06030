"""NetworkPolicy semantics table: Kubernetes manifests + expected reachability, checked twice.

Each case is a set of NetworkPolicy manifests (plus optional label changes) over a fixed
topology in the style of the upstream e2e suite: namespaces x, y, z (label ns=<name>), pods
a, b, c in each (label pod=<name>) serving TCP 80/81 and UDP 80/81 (SCTP 80 declared), a
hostNetwork pod x/h (pod=h, TCP 8081 on the node IP), two external hosts e1 203.0.113.10:443
and e2 198.51.100.20:80, the Service x/web 10.96.0.20:8080 → targetPort serve-80-tcp of
pod=a, and cluster DNS (kube-system, k8s-app=kube-dns).

The matrix header names the targets (`<ns>/<pod>:<port>[/<proto>]`, `svc:8080`, `dns`,
`e1:443`, `e2:80`, `node:8081`); each row is a source and `Y`/`.` per target = allow/deny.
Self-probes are `Y` (rule 9). `{ip:y/b}` in a manifest is that pod's IP.

* `test_table_pure` checks the compiler's reference evaluator (no root, milliseconds).
* `test_table_packets` syncs each case into one real sandbox and sends real packets from every
  source concurrently (denied TCP/UDP probes time out after 1 s: drop mode).
* `test_reject_mode` checks that deny_mode="reject" fails fast: RST for TCP, ICMP
  admin-prohibited for UDP, as kube-router rejects.
"""

from __future__ import annotations

import errno
import re
import subprocess
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sandbox.network import ContainerPort, ExternalHost, Network
from tests.sandbox.network.kube_system import system_objects
from tests.sandbox.network.network import EXTERNAL_KEY, NODE_IP
from tests.sandbox.network.policy import compile_policies
from tests.sandbox.network.services import service_routes
from tests.sandbox.network.testing import dig, instance_name, probe, require_sandbox

PODS = tuple(f"{ns}/{p}" for ns in "xyz" for p in "abc")
HOSTNET = "x/h"
POD_PORTS = (
    ContainerPort(80, "TCP", "serve-80-tcp"),
    ContainerPort(81, "TCP", "serve-81-tcp"),
    ContainerPort(80, "UDP", "serve-80-udp"),
    ContainerPort(81, "UDP", "serve-81-udp"),
    ContainerPort(80, "SCTP", "serve-80-sctp"),
)
HOSTNET_PORTS = (ContainerPort(8081, "TCP", "serve-8081-tcp"),)
EXTERNALS = {
    "e1": ExternalHost(name="ext1", address="203.0.113.10", dns_names=("ext1.example.com",),
                       ports=(ContainerPort(443),)),
    "e2": ExternalHost(name="ext2", address="198.51.100.20", dns_names=("ext2.example.com",),
                       ports=(ContainerPort(80),)),
}
SVC_IP = "10.96.0.20"
DNS_IP = "10.96.0.10"
DNS_NAME = "web.x.svc.cluster.local"


@dataclass(frozen=True)
class Case:
    name: str
    rules: str  # the NetworkPolicy semantics rules this case covers
    policies: str
    matrix: str
    pod_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    ns_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def uid(pod: str) -> str:
    return "uid-" + pod.replace("/", "-")


def objects(case: Case, ips: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The case's full desired state as Kubernetes JSON objects."""
    namespaces = [
        {"metadata": {"name": ns, "labels": dict(case.ns_labels.get(ns, {"ns": ns}))
                      | ({"kubernetes.io/metadata.name": ns} if ns in "xyz" else {})}}
        for ns in "xyz"
    ]
    pods = []
    for pod in (*PODS, HOSTNET):
        ns, name = pod.split("/")
        ports = HOSTNET_PORTS if pod == HOSTNET else POD_PORTS
        pods.append({
            "metadata": {"name": name, "namespace": ns, "uid": uid(pod),
                         "labels": dict(case.pod_labels.get(pod, {"pod": name}))},
            "spec": {"hostNetwork": pod == HOSTNET, "containers": [{"name": "c", "ports": [
                {"containerPort": p.port, "protocol": p.protocol, "name": p.name}
                for p in ports]}]},
            "status": {"phase": "Running", "podIP": ips[pod],
                       "conditions": [{"type": "Ready", "status": "True"}]},
        })
    text = re.sub(r"\{ip:([a-z]/[a-z])\}", lambda m: ips[m.group(1)], case.policies)
    policies = [d for d in yaml.safe_load_all(text) if d]
    services = [{"metadata": {"name": "web", "namespace": "x"}, "spec": {
        "clusterIP": SVC_IP, "selector": {"pod": "a"},
        "ports": [{"port": 8080, "targetPort": "serve-80-tcp", "protocol": "TCP"}]}}]
    return {"namespaces": namespaces, "pods": pods, "policies": policies, "services": services}


@dataclass(frozen=True)
class Target:
    kind: str  # pod | svc | dns | ext | node
    name: str
    port: int
    protocol: str


def parse_target(token: str) -> Target:
    if token == "dns":
        return Target("dns", "dns", 53, "UDP")
    where, _, rest = token.rpartition(":")
    port, _, proto = rest.partition("/")
    kind = ("svc" if where == "svc" else "node" if where == "node"
            else "ext" if where in EXTERNALS else "pod")
    return Target(kind, where, int(port), proto or "TCP")


def parse_matrix(matrix: str) -> tuple[list[Target], dict[tuple[str, int], bool]]:
    lines = [ln.split() for ln in matrix.strip().splitlines() if ln.strip()]
    targets = [parse_target(t) for t in lines[0]]
    expect = {}
    for row in lines[1:]:
        src, verdicts = row[0], row[1:]
        assert len(verdicts) == len(targets), f"row {src}: {len(verdicts)} verdicts"
        for i, v in enumerate(verdicts):
            assert v in ("Y", "."), v
            expect[(src, i)] = v == "Y"
    return targets, expect


P = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
ALL_ROWS = PODS

CASES: list[Case] = [
    Case("no-policies-allow-all", "2", "", """
          x/a:80 x/a:80/UDP y/b:81
      x/a   Y      Y          Y
      x/b   Y      Y          Y
      x/c   Y      Y          Y
      y/a   Y      Y          Y
      y/b   Y      Y          Y
      y/c   Y      Y          Y
      z/a   Y      Y          Y
      z/b   Y      Y          Y
      z/c   Y      Y          Y
    """),
    Case("deny-all-ingress-namespace", "1,2,5", P + """
metadata: {name: deny-all, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress]}
""", """
          x/a:80 x/b:80 y/a:80
      x/a   Y      .      Y
      x/b   .      Y      Y
      x/c   .      .      Y
      y/a   .      .      Y
      y/b   .      .      Y
      y/c   .      .      Y
      z/a   .      .      Y
      z/b   .      .      Y
      z/c   .      .      Y
    """),
    Case("policyTypes-absent-empty-ingress-isolates", "3,5", P + """
metadata: {name: p, namespace: x}
spec: {podSelector: {matchLabels: {pod: a}}, ingress: []}
""", """
          x/a:80 x/b:80
      x/a   Y      Y
      x/b   .      Y
      x/c   .      Y
      y/a   .      Y
      y/b   .      Y
      y/c   .      Y
      z/a   .      Y
      z/b   .      Y
      z/c   .      Y
    """),
    Case("allow-all-plus-deny-all-union", "4,11", P + """
metadata: {name: deny, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
""" + P + """
metadata: {name: allow, namespace: x}
spec: {podSelector: {}, ingress: [{}]}
""", """
          x/a:80 x/b:81/UDP
      x/a   Y      Y
      x/b   Y      Y
      x/c   Y      Y
      y/a   Y      Y
      y/b   Y      Y
      y/c   Y      Y
      z/a   Y      Y
      z/b   Y      Y
      z/c   Y      Y
    """),
    Case("egress-only-without-policyTypes-also-isolates-ingress", "3", P + """
metadata: {name: p, namespace: x}
spec: {podSelector: {matchLabels: {pod: a}}, egress: [{}]}
""", """
          x/a:80 y/a:80
      x/a   Y      Y
      x/b   .      Y
      x/c   .      Y
      y/a   .      Y
      y/b   .      Y
      y/c   .      Y
      z/a   .      Y
      z/b   .      Y
      z/c   .      Y
    """),
    Case("deny-all-egress-pod", "2,5,9", P + """
metadata: {name: p, namespace: x}
spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress]}
""", """
          x/a:80 x/b:80 y/b:80/UDP
      x/a   Y      .      .
      x/b   Y      Y      Y
      x/c   Y      Y      Y
      y/a   Y      Y      Y
      y/b   Y      Y      Y
      y/c   Y      Y      Y
      z/a   Y      Y      Y
      z/b   Y      Y      Y
      z/c   Y      Y      Y
    """),
]

FROM_POD_B = P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
"""
FROM_NS_Y = P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
"""
CASES += [
    Case("podSelector-peer-is-policy-namespace-only", "10,12", FROM_POD_B, """
          x/a:80
      x/a   Y
      x/b   Y
      x/c   .
      y/a   .
      y/b   .
      y/c   .
      z/a   .
      z/b   .
      z/c   .
    """),
    Case("pod-label-update-flips-verdict", "30", FROM_POD_B, """
          x/a:80
      x/a   Y
      x/b   Y
      x/c   Y
      y/a   .
      y/b   .
      y/c   .
      z/a   .
      z/b   .
      z/c   .
    """, pod_labels={"x/c": {"pod": "b"}}),
    Case("namespaceSelector-alone", "12", FROM_NS_Y, """
          x/a:80
      x/a   Y
      x/b   .
      x/c   .
      y/a   Y
      y/b   Y
      y/c   Y
      z/a   .
      z/b   .
      z/c   .
    """),
    Case("namespace-label-update-flips-verdict", "30", FROM_NS_Y, """
          x/a:80
      x/a   Y
      x/b   .
      x/c   .
      y/a   Y
      y/b   Y
      y/c   Y
      z/a   Y
      z/b   Y
      z/c   Y
    """, ns_labels={"z": {"ns": "y"}}),
    Case("namespace-and-pod-selector-in-one-peer-AND", "12", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
      podSelector: {matchLabels: {pod: b}}
""", """
          x/a:80
      x/a   Y
      x/b   .
      x/c   .
      y/a   .
      y/b   Y
      y/c   .
      z/a   .
      z/b   .
      z/c   .
    """),
    Case("two-peers-OR", "12", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    - podSelector: {matchLabels: {pod: b}}
""", """
          x/a:80
      x/a   Y
      x/b   Y
      x/c   .
      y/a   Y
      y/b   Y
      y/c   Y
      z/a   .
      z/b   .
      z/c   .
    """),
    Case("empty-namespaceSelector-all-pods-not-external", "12,6", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {}}]}]
""", """
          x/a:80
      x/a   Y
      x/b   Y
      x/c   Y
      y/a   Y
      y/b   Y
      y/c   Y
      z/a   Y
      z/b   Y
      z/c   Y
      e1    .
    """),
    Case("matchExpressions-In", "13", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}
""", """
          x/a:80
      x/a   Y
      x/b   Y
      x/c   Y
      y/a   .
      y/b   Y
      y/c   Y
      z/a   .
      z/b   Y
      z/c   Y
    """),
    Case("matchExpressions-NotIn-matches-missing-key", "13", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {matchExpressions: [{key: team, operator: NotIn, values: [blue]}]}
""", """
          x/a:80
      x/a   Y
      x/b   Y
      x/c   Y
      y/a   Y
      y/b   .
      y/c   Y
      z/a   Y
      z/b   Y
      z/c   Y
    """, pod_labels={"y/b": {"pod": "b", "team": "blue"}, "z/c": {"pod": "c", "team": "red"}}),
    Case("matchExpressions-Exists-and-DoesNotExist", "13", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {matchExpressions: [{key: pod, operator: DoesNotExist}]}
    - namespaceSelector: {matchExpressions: [{key: special, operator: Exists}]}
""", """
          x/a:80
      x/a   Y
      x/b   .
      x/c   .
      y/a   .
      y/b   .
      y/c   Y
      z/a   Y
      z/b   Y
      z/c   Y
    """, pod_labels={"y/c": {"app": "c"}}, ns_labels={"z": {"ns": "z", "special": "1"}}),
    Case("namespace-by-metadata-name-label", "14", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]
""", """
          x/a:80
      x/a   Y
      x/b   .
      x/c   .
      y/a   Y
      y/b   Y
      y/c   Y
      z/a   .
      z/b   .
      z/c   .
    """, ns_labels={"y": {}}),
    Case("ipBlock-egress-to-pod-ip", "16", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: "{ip:y/b}/32"}}]}]
""", """
          y/b:80 y/c:80 e1:443
      x/a   Y      .      .
      x/b   Y      Y      Y
      x/c   Y      Y      Y
      y/a   Y      Y      Y
      y/b   Y      Y      Y
      y/c   Y      Y      Y
      z/a   Y      Y      Y
      z/b   Y      Y      Y
      z/c   Y      Y      Y
    """),
]

EXCEPT_YB = P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{ipBlock: {cidr: 10.244.0.0/16, except: ["{ip:y/b}/32"]}}]
"""
CASES += [
    Case("ipBlock-except", "15,16", EXCEPT_YB, """
          x/a:80
      x/a   Y
      x/b   Y
      x/c   Y
      y/a   Y
      y/b   .
      y/c   Y
      z/a   Y
      z/b   Y
      z/c   Y
      e1    .
    """),
    Case("ipBlock-except-overlap-allowed-by-other-policy", "4,15", EXCEPT_YB + "---\n" + P + """
metadata: {name: q, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}]
""", """
          x/a:80
      x/a   Y
      x/b   Y
      x/c   Y
      y/a   Y
      y/b   Y
      y/c   Y
      z/a   Y
      z/b   Y
      z/c   Y
      e1    .
    """),
]


def _ports_case(name: str, rules: str, ports: str, matrix_cols: str, others: str,
                ) -> Case:
    rows = "\n".join(f"      {p}   {'  '.join(others.split()) if p != 'x/a' else ''}"
                     for p in PODS)
    self_row = "Y " * len(matrix_cols.split())
    rows = rows.replace("      x/a   ", f"      x/a   {self_row}", 1)
    return Case(name, rules, P + f"""
metadata: {{name: p, namespace: x}}
spec:
  podSelector: {{matchLabels: {{pod: a}}}}
  ingress: [{{ports: {ports}}}]
""", f"          {matrix_cols}\n{rows}\n")


PORT_COLS = "x/a:80 x/a:81 x/a:80/UDP x/a:81/UDP"
CASES += [
    _ports_case("port-protocol-defaults-to-TCP", "10,18", "[{port: 80}]", PORT_COLS,
                "Y . . ."),
    _ports_case("protocol-without-port-is-all-ports", "19", "[{protocol: UDP}]", PORT_COLS,
                ". . Y Y"),
    _ports_case("SCTP-only-rule-keeps-TCP-UDP-isolated", "20",
                "[{protocol: SCTP, port: 80}]", PORT_COLS, ". . . ."),
    _ports_case("endPort-inclusive", "21", "[{port: 80, endPort: 81}]", PORT_COLS,
                "Y Y . ."),
    _ports_case("endPort-range-excludes-below", "21", "[{port: 81, endPort: 82}]", PORT_COLS,
                ". Y . ."),
    _ports_case("named-port-ingress", "22", "[{port: serve-81-tcp}]", PORT_COLS, ". Y . ."),
    _ports_case("named-port-protocol-must-match", "22",
                "[{port: serve-80-udp, protocol: TCP}]", PORT_COLS, ". . . ."),
    _ports_case("named-udp-port", "22", "[{port: serve-81-udp, protocol: UDP}]", PORT_COLS,
                ". . . Y"),
]

CASES += [
    Case("named-port-egress-without-to-resolves-on-destination", "22", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{ports: [{port: serve-81-tcp}]}]
""", """
          y/b:80 y/b:81 e2:80
      x/a   .      Y      .
      x/b   Y      Y      Y
      x/c   Y      Y      Y
      y/a   Y      Y      Y
      y/b   Y      Y      Y
      y/c   Y      Y      Y
      z/a   Y      Y      Y
      z/b   Y      Y      Y
      z/c   Y      Y      Y
    """),
    Case("egress-and-ingress-both-checked", "6", P + """
metadata: {name: eg, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
---
""" + P + """
metadata: {name: in, namespace: y}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: z}}}]}]
""", """
          y/a:80 y/b:80 z/a:80
      x/a   Y      .      .
      x/b   Y      .      Y
      x/c   Y      .      Y
      y/a   Y      .      Y
      y/b   Y      Y      Y
      y/c   Y      .      Y
      z/a   Y      Y      Y
      z/b   Y      Y      Y
      z/c   Y      Y      Y
    """),
    Case("dns-blocked-by-egress-policy", "27", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{ports: [{port: 80, protocol: TCP}]}]
""", """
          dns y/a:80 y/a:80/UDP
      x/a   .   Y      .
      x/b   Y   Y      Y
      x/c   Y   Y      Y
      y/a   Y   Y      Y
      y/b   Y   Y      Y
      y/c   Y   Y      Y
      z/a   Y   Y      Y
      z/b   Y   Y      Y
      z/c   Y   Y      Y
    """),
    Case("dns-allowed-by-egress-rule-to-kube-dns", "27,25", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
""", """
          dns y/a:80
      x/a   Y   .
      x/b   Y   Y
      x/c   Y   Y
      y/a   Y   Y
      y/b   Y   Y
      y/c   Y   Y
      z/a   Y   Y
      z/b   Y   Y
      z/c   Y   Y
    """),
    Case("dns-pod-is-a-pod-ingress-policy-selects-it", "1,27", P + """
metadata: {name: dns, namespace: kube-system}
spec:
  podSelector: {matchLabels: {k8s-app: kube-dns}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
""", """
          dns
      x/a   .
      x/b   .
      x/c   .
      y/a   Y
      y/b   Y
      y/c   Y
      z/a   .
      z/b   .
      z/c   .
    """),
    Case("pod-to-external-by-ipBlock", "6,15", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 203.0.113.0/24}}]}]
""", """
          e1:443 e2:80 y/a:80
      x/a   Y      .     .
      x/b   Y      Y     Y
      x/c   Y      Y     Y
      y/a   Y      Y     Y
      y/b   Y      Y     Y
      y/c   Y      Y     Y
      z/a   Y      Y     Y
      z/b   Y      Y     Y
      z/c   Y      Y     Y
    """),
    Case("egress-world-except-pod-cidr", "15,27", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.244.0.0/16]}}]}]
""", """
          e1:443 e2:80 y/a:80 dns
      x/a   Y      Y     .      .
      x/b   Y      Y     Y      Y
      x/c   Y      Y     Y      Y
      y/a   Y      Y     Y      Y
      y/b   Y      Y     Y      Y
      y/c   Y      Y     Y      Y
      z/a   Y      Y     Y      Y
      z/b   Y      Y     Y      Y
      z/c   Y      Y     Y      Y
    """),
    Case("external-to-pod-only-ingress-applies", "6,15", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{ipBlock: {cidr: 203.0.113.10/32}}]}]
""", """
          x/a:80 x/b:80
      x/a   Y      Y
      x/b   .      Y
      y/a   .      Y
      e1    Y      Y
      e2    .      Y
    """),
    Case("service-dnat-subject-to-backend-ingress", "25,9", FROM_POD_B, """
          svc:8080 x/a:80
      x/a   Y        Y
      x/b   Y        Y
      x/c   .        .
      y/a   .        .
      y/b   .        .
      y/c   .        .
      z/a   .        .
      z/b   .        .
      z/c   .        .
    """),
    Case("service-port-is-not-the-policy-port", "25", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: 8080}]}]
""", """
          svc:8080 x/a:80
      x/a   Y        Y
      x/b   .        .
      x/c   .        .
      y/a   .        .
      z/c   .        .
    """),
    Case("hostNetwork-pod-ignored-as-peer-node-exception", "8,28", P + """
metadata: {name: eg, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {pod: h}}}]}]
---
""" + P + """
metadata: {name: deny, namespace: x}
spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Ingress]}
---
""" + P + """
metadata: {name: h, namespace: x}
spec: {podSelector: {matchLabels: {pod: h}}, policyTypes: [Egress]}
""", """
          node:8081 x/a:80 y/a:80
      x/a   Y         Y      Y
      x/b   .         .      .
      x/c   Y         .      Y
      y/a   Y         .      Y
      x/h   Y         Y      Y
    """),
    Case("hostNetwork-pod-reaches-a-Service", "8,25,28", P + """
metadata: {name: deny, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress]}
""", """
          svc:8080 x/b:80
      x/h   Y        Y
      y/a   .        .
    """),
    Case("policy-scope-is-its-namespace", "1", P + """
metadata: {name: p, namespace: y}
spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Ingress, Egress]}
""", """
          x/a:80 y/a:80 x/b:80
      x/a   Y      .      Y
      x/b   Y      .      Y
      y/a   .      Y      .
      y/b   Y      .      Y
      z/a   Y      .      Y
    """),
]
CASE_IDS = [c.name for c in CASES]


# ------------------------------------------------------------------------------- pure check

PURE_IPS = {p: f"10.244.1.{i + 1}" for i, p in enumerate(PODS)} | {HOSTNET: NODE_IP}
PURE_DNS_POD = "10.244.0.2"


def _pure_world(case: Case) -> tuple[Any, dict[str, list[dict[str, Any]]]]:
    objs = objects(case, PURE_IPS)
    sys_objs = system_objects(dns_pod_ip=PURE_DNS_POD, dns_ip=DNS_IP)
    objs["namespaces"] += sys_objs["namespaces"]
    objs["pods"] += sys_objs["pods"]
    objs["services"] += sys_objs["services"]
    compiled = compile_policies(namespaces=objs["namespaces"], pods=objs["pods"],
                                policies=objs["policies"])
    return compiled, objs


def _src_ip(src: str, ips: Mapping[str, str]) -> str:
    return EXTERNALS[src].address if src in EXTERNALS else ips[src]


def pure_verdict(compiled: Any, objs: dict[str, Any], src: str, t: Target) -> bool:
    s = _src_ip(src, PURE_IPS)
    if t.kind == "dns":
        return compiled.allows(src=s, dst=PURE_DNS_POD, protocol="UDP", port=53)
    if t.kind == "svc":
        routes = service_routes(services=objs["services"], pods=objs["pods"])
        (route,) = [r for r in routes if r.cluster_ip == SVC_IP and r.port == t.port]
        (b,) = route.backends
        return compiled.allows(src=s, dst=b.ip, protocol=t.protocol, port=b.port)
    dst = {"ext": lambda: EXTERNALS[t.name].address, "node": lambda: NODE_IP,
           "pod": lambda: PURE_IPS[t.name]}[t.kind]()
    return compiled.allows(src=s, dst=dst, protocol=t.protocol, port=t.port)


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert len(set(CASE_IDS)) == len(CASE_IDS)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_table_pure(case: Case) -> None:
    compiled, objs = _pure_world(case)
    targets, expect = parse_matrix(case.matrix)
    wrong = [
        f"{src} -> {targets[i].name}:{targets[i].port}/{targets[i].protocol}: "
        f"expected {'allow' if want else 'deny'}"
        for (src, i), want in expect.items()
        if pure_verdict(compiled, objs, src, targets[i]) != want
    ]
    assert not wrong, "\n".join(wrong)


# ------------------------------------------------------------------------------ real packets


@dataclass(frozen=True)
class Sandbox:
    net: Network
    ips: Mapping[str, str]


def _build(tmp: Path, *, deny_mode: str, pods: tuple[str, ...]) -> Sandbox:
    net = Network(instance=instance_name("sem"), state_dir=tmp, deny_mode=deny_mode,
                  externals=tuple(EXTERNALS.values()))
    net.up()
    ips = {}
    for pod in pods:
        ips[pod] = net.add_pod(key=uid(pod), ports=HOSTNET_PORTS if pod == HOSTNET
                               else POD_PORTS, host_network=pod == HOSTNET,
                               namespace=pod.split("/")[0])
    return Sandbox(net=net, ips=ips)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Any:
    require_sandbox()
    sb = _build(tmp_path_factory.mktemp("semantics") / "state", deny_mode="drop",
                pods=(*PODS, HOSTNET))
    try:
        yield sb
    finally:
        sb.net.down()


def _key(src: str) -> str:
    return EXTERNAL_KEY + EXTERNALS[src].name if src in EXTERNALS else uid(src)


def real_verdict(sb: Sandbox, src: str, t: Target) -> tuple[bool, str]:
    key = _key(src)
    if t.kind == "dns":
        r = dig(sb.net, key, DNS_NAME, expect=SVC_IP)
    else:
        ip = {"svc": SVC_IP, "node": NODE_IP}.get(t.kind) or (
            EXTERNALS[t.name].address if t.kind == "ext" else sb.ips[t.name])
        r = probe(sb.net, key, ip=ip, port=t.port, protocol=t.protocol)
    return r.ok, r.output


def _sync(sb: Sandbox, case: Case) -> None:
    objs = objects(case, sb.ips)
    sb.net.sync(namespaces=objs["namespaces"], pods=objs["pods"],
                policies=objs["policies"], services=objs["services"])
    assert not sb.net.warnings


@pytest.mark.sandbox
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_table_packets(sandbox: Sandbox, case: Case) -> None:
    _sync(sandbox, case)
    targets, expect = parse_matrix(case.matrix)
    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = {k: pool.submit(real_verdict, sandbox, k[0], targets[k[1]]) for k in expect}
    wrong = []
    for (src, i), want in expect.items():
        got, out = futures[(src, i)].result()
        if got != want:
            t = targets[i]
            wrong.append(f"{src} -> {t.name}:{t.port}/{t.protocol}: expected "
                         f"{'allow' if want else 'deny'}, got {'allow' if got else 'deny'}"
                         f" ({out!r})")
    assert not wrong, "\n".join(wrong) + "\n\nruleset:\n" + (
        sandbox.net._dir / "netpol.nft").read_text()


@pytest.mark.sandbox
def test_reject_mode(tmp_path: Path) -> None:
    """Reject mode: denied TCP is refused (RST), denied UDP unreachable (admin-prohibited),
    both well before the 1 s probe timeout; allowed traffic is unaffected."""
    require_sandbox()
    sb = _build(tmp_path / "state", deny_mode="reject", pods=("x/a", "x/b", "y/a"))
    try:
        case = Case("reject", "", P + """
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
""", "")
        objs = objects(case, {**sb.ips, **{p: None for p in (*PODS, HOSTNET)
                                             if p not in sb.ips}})
        sb.net.sync(namespaces=objs["namespaces"], pods=objs["pods"],
                    policies=objs["policies"], services=objs["services"])
        net, a = sb.net, sb.ips["x/a"]
        with ThreadPoolExecutor(max_workers=4) as pool:
            tcp_no = pool.submit(probe, net, uid("y/a"), ip=a, port=80, protocol="TCP")
            udp_no = pool.submit(probe, net, uid("y/a"), ip=a, port=80, protocol="UDP",
                                 timeout=3)
            tcp_ok = pool.submit(probe, net, uid("x/b"), ip=a, port=80, protocol="TCP")
            udp_ok = pool.submit(probe, net, uid("x/b"), ip=a, port=80, protocol="UDP")
        assert tcp_ok.result().ok and udp_ok.result().ok
        r = tcp_no.result()
        assert not r.ok and "refused" in r.output and r.elapsed < 0.8, r
        r = udp_no.result()
        assert not r.ok and r.elapsed < 2.5, r  # fast error, not the 3 s idle timeout
        # The errno a UDP prober sees: EHOSTUNREACH (ICMP admin-prohibited), not
        # ECONNREFUSED (which would read as a closed port) and not EPERM (local drop).
        code = (
            "import socket,sys\n"
            "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(2)\n"
            f"s.connect(({a!r},80));s.send(b'x')\n"
            "try: s.recv(9)\n"
            "except OSError as e: print(e.errno)\n"
        )
        out = subprocess.run(["ip", "netns", "exec", net.pod_netns(uid("y/a")),
                              sys.executable, "-I", "-c", code],
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == str(errno.EHOSTUNREACH), out
    finally:
        sb.net.down()
