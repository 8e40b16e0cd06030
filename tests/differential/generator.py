"""Random NetworkPolicy worlds and probes for the differential test, from a fixed seed.

The topology is fixed (so one sandbox serves every world): namespaces n0-n2, pods p0-p8
serving TCP 80/81/8080 and UDP 80/81 (SCTP 80 declared), the hostNetwork pod p9 (node IP,
TCP 8081 and UDP 8082), two external hosts, and the Service
n0/svc (10.96.0.20:8080). Each world draws fresh namespace labels, pod labels, container port
names, the Service's selector and targetPort, and 2-6 NetworkPolicies using every peer kind
(podSelector, namespaceSelector, both, ipBlock with except, none) and every port form
(number, range, name, protocol only, UDP, SCTP, none). Pod IPs are known only once the sandbox
made the pods, so manifests carry `{ip:N}` placeholders that `objects()` fills in.

Only valid objects are generated (what the API server would accept): the comparison is about
semantics, not validation.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Any

SEED = 20261129
WORLDS = 26
PROBES_PER_WORLD = 40

NAMESPACES = ("n0", "n1", "n2")
POD_NAMESPACES = ("n0", "n0", "n0", "n0", "n1", "n1", "n1", "n2", "n2", "n1")
HOSTNET = 9
"""p9 is a hostNetwork pod: it has the node's IP, serves HOSTNET_SERVED, and no policy
selects it either as subject or as selector peer (semantics rule 28)."""
HOSTNET_SERVED = ((8081, "TCP"), (8082, "UDP"))
SERVED = ((80, "TCP"), (81, "TCP"), (8080, "TCP"), (80, "UDP"), (81, "UDP"))
DECLARED = (*SERVED, (80, "SCTP"))
EXTERNALS = {"e1": ("203.0.113.10", (80, 443)), "e2": ("198.51.100.20", (80,))}
SERVICE_IP = "10.96.0.20"
SERVICE_PORT = 8080
PORT_NAMES = ("http", "web", "metrics", "dns")


@dataclass(frozen=True)
class Probe:
    """`src`/`dst`: "p<N>", "e1"/"e2" (external hosts) or "svc" (the Service's ClusterIP)."""

    src: str
    dst: str
    port: int
    protocol: str


@dataclass(frozen=True)
class World:
    index: int
    ns_labels: tuple[dict[str, str], ...]
    pod_labels: tuple[dict[str, str], ...]
    port_names: tuple[tuple[str | None, ...], ...]
    service: dict[str, Any]
    policies: tuple[dict[str, Any], ...]
    probes: tuple[Probe, ...]
    admin_policies: tuple[dict[str, Any], ...] = ()
    """ClusterNetworkPolicy/ANP/BANP objects (worlds(..., tiers=True) only)."""


def pod_key(index: int) -> str:
    return f"uid-p{index}"


def _labels(rng: random.Random, choices: dict[str, tuple[str, ...]], p: float) -> dict[str, str]:
    return {k: rng.choice(v) for k, v in choices.items() if rng.random() < p}


POD_LABELS = {"app": ("web", "api", "db"), "tier": ("front", "back"), "env": ("prod", "dev")}
NS_LABELS = {"team": ("red", "blue"), "env": ("prod", "dev")}


def _selector(rng: random.Random, vocab: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.25:
        return {}
    key = rng.choice(sorted(vocab))
    if roll < 0.65:
        return {"matchLabels": {key: rng.choice(vocab[key])}}
    op = rng.choice(("In", "NotIn", "Exists", "DoesNotExist"))
    expr: dict[str, Any] = {"key": key, "operator": op}
    if op in ("In", "NotIn"):
        expr["values"] = rng.sample(vocab[key], rng.randint(1, len(vocab[key])))
    out: dict[str, Any] = {"matchExpressions": [expr]}
    if rng.random() < 0.3:
        other = rng.choice(sorted(vocab))
        out["matchLabels"] = {other: rng.choice(vocab[other])}
    return out


def _ip_block(rng: random.Random) -> dict[str, Any]:
    pod = rng.randrange(len(POD_NAMESPACES))
    other = rng.randrange(len(POD_NAMESPACES))
    return rng.choice((
        {"cidr": f"{{ip:{pod}}}/32"},
        {"cidr": f"{{ip:{HOSTNET}}}/32"},
        {"cidr": "10.244.0.0/16", "except": [f"{{ip:{pod}}}/32"]},
        {"cidr": "10.244.0.0/16", "except": [f"{{ip:{pod}}}/32", f"{{ip:{other}}}/32"]},
        {"cidr": "203.0.113.0/24"},
        {"cidr": "0.0.0.0/0", "except": ["203.0.113.10/32"]},
        {"cidr": "0.0.0.0/0"},
        {"cidr": "198.51.100.0/24"},
    ))


def _peer(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(("pod", "ns", "both", "ipblock", "ipblock", "both-empty-pod"))
    if kind == "pod":
        return {"podSelector": _selector(rng, POD_LABELS)}
    if kind == "ns":
        return {"namespaceSelector": _selector(rng, NS_LABELS)}
    if kind == "both":
        return {"namespaceSelector": _selector(rng, NS_LABELS),
                "podSelector": _selector(rng, POD_LABELS)}
    if kind == "both-empty-pod":
        return {"namespaceSelector": _selector(rng, NS_LABELS), "podSelector": {}}
    return {"ipBlock": _ip_block(rng)}


def _port(rng: random.Random) -> dict[str, Any]:
    return rng.choice((
        {"port": 80},
        {"port": 81},
        {"port": 8080, "protocol": "TCP"},
        {"port": 443},
        {"port": 80, "protocol": "UDP"},
        {"port": 80, "endPort": 81},
        {"port": 81, "endPort": 8080, "protocol": "TCP"},
        {"port": 80, "endPort": 81, "protocol": "UDP"},
        {"port": rng.choice(PORT_NAMES)},
        {"port": rng.choice(PORT_NAMES), "protocol": "UDP"},
        {"protocol": "UDP"},
        {"protocol": "SCTP"},
        {"protocol": "TCP"},
    ))


def _rules(rng: random.Random, peers_key: str) -> list[dict[str, Any]]:
    rules = []
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        rule: dict[str, Any] = {}
        roll = rng.random()
        if roll < 0.7:
            rule[peers_key] = [_peer(rng) for _ in range(rng.randint(1, 2))]
        elif roll < 0.8:
            rule[peers_key] = []
        roll = rng.random()
        if roll < 0.65:
            rule["ports"] = [_port(rng) for _ in range(rng.randint(1, 2))]
        elif roll < 0.75:
            rule["ports"] = []
        rules.append(rule)
    return rules


def _policy(rng: random.Random, index: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": _selector(rng, POD_LABELS)}
    types = rng.choice((None, None, ["Ingress"], ["Egress"], ["Ingress", "Egress"]))
    if types is not None:
        spec["policyTypes"] = types
    for key, peers_key in (("ingress", "from"), ("egress", "to")):
        roll = rng.random()
        if roll < 0.7:
            spec[key] = _rules(rng, peers_key)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": f"np{index}", "namespace": rng.choice(NAMESPACES)},
            "spec": spec}


def _probe(rng: random.Random) -> Probe:
    pods = len(POD_NAMESPACES)
    src = rng.choice(("e1",)) if rng.random() < 0.08 else f"p{rng.randrange(pods)}"
    roll = rng.random()
    if roll < 0.1:
        name = rng.choice(sorted(EXTERNALS))
        return Probe(src, name, rng.choice(EXTERNALS[name][1]), "TCP")
    if roll < 0.22 and src != "e1":
        return Probe(src, "svc", SERVICE_PORT, "TCP")
    dst = f"p{rng.randrange(pods)}"
    while dst == src and rng.random() < 0.95:  # a few own-IP probes, not one in ten
        dst = f"p{rng.randrange(pods)}"
    served = HOSTNET_SERVED if dst == f"p{HOSTNET}" else SERVED
    port, protocol = rng.choice((*served, (82, "TCP"), (82, "UDP"), (8080, "TCP")))
    return Probe(src, dst, port, protocol)


def world(rng: random.Random, index: int) -> World:
    pods = len(POD_NAMESPACES)
    return World(
        index=index,
        ns_labels=tuple(_labels(rng, NS_LABELS, 0.6) for _ in NAMESPACES),
        pod_labels=tuple(_labels(rng, POD_LABELS, 0.7) for _ in range(pods)),
        port_names=tuple(
            tuple(rng.choice((*PORT_NAMES, None, None)) for _ in DECLARED) for _ in range(pods)),
        service={"selector": {"app": rng.choice(POD_LABELS["app"])},
                 "targetPort": rng.choice((80, 81, 8080, 80, 8080, "http", "web"))},
        policies=tuple(_policy(rng, i) for i in range(rng.randint(2, 6))),
        probes=tuple(_probe(rng) for _ in range(PROBES_PER_WORLD)),
    )


def worlds(seed: int = SEED, count: int = WORLDS, *, tiers: bool = False) -> list[World]:
    """`tiers`: add 1-4 admin-tier objects per world, drawn from a separate stream so the
    NetworkPolicy part of each world stays exactly what the seed gives without tiers."""
    rng = random.Random(seed)
    out = [world(rng, i) for i in range(count)]
    if tiers:
        from tests.differential_tiers.generator import Vocab, admin_objects

        vocab = Vocab(ns_selector=lambda r: _selector(r, NS_LABELS),
                      pod_selector=lambda r: _selector(r, POD_LABELS),
                      pods=len(POD_NAMESPACES), ports=(80, 81, 8080), named_port="http")
        out = [replace(w, admin_policies=tuple(admin_objects(
            random.Random(f"{seed}-tiers-{w.index}"), vocab))) for w in out]
    return out


def _fill(value: Any, ips: dict[int, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{ip:(\d+)\}", lambda m: ips[int(m.group(1))], value)
    if isinstance(value, list):
        return [_fill(v, ips) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ips) for k, v in value.items()}
    return value


def objects(w: World, ips: dict[int, str]) -> dict[str, list[dict[str, Any]]]:
    """The world as Kubernetes JSON objects, with the sandbox's pod IPs filled in."""
    namespaces = [{"metadata": {"name": ns, "labels": dict(w.ns_labels[i])}}
                  for i, ns in enumerate(NAMESPACES)]
    pods = []
    for i, ns in enumerate(POD_NAMESPACES):
        ports = [{"containerPort": port, "protocol": proto}
                 | ({"name": name} if name else {})
                 for (port, proto), name in zip(DECLARED, w.port_names[i], strict=True)]
        if i == HOSTNET:
            ports = [{"containerPort": port, "protocol": proto, "name": "http"}
                     for port, proto in HOSTNET_SERVED]
        pods.append({
            "metadata": {"name": f"p{i}", "namespace": ns, "uid": pod_key(i),
                         "labels": dict(w.pod_labels[i])},
            "spec": {"nodeName": "node", "hostNetwork": i == HOSTNET,
                     "containers": [{"name": "c", "ports": ports}]},
            "status": {"phase": "Running", "podIP": ips[i],
                       "conditions": [{"type": "Ready", "status": "True"}]},
        })
    services = [{"metadata": {"name": "svc", "namespace": "n0"}, "spec": {
        "clusterIP": SERVICE_IP, "selector": w.service["selector"],
        "ports": [{"port": SERVICE_PORT, "protocol": "TCP",
                   "targetPort": w.service["targetPort"]}]}}]
    return {"namespaces": namespaces, "pods": pods, "services": services,
            "policies": [_fill(p, ips) for p in w.policies],
            "admin_policies": [_fill(p, ips) for p in w.admin_policies]}
