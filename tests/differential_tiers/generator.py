"""Random admin-tier worlds for the tier differential test, from a fixed seed.

Fixed topology (one sandbox serves every world): namespaces n0-n2, pods p0-p8 serving TCP
80, 81 and 8080. Each world draws namespace and pod labels, which container port is named
`http`, 0-2 NetworkPolicies and 1-4 admin objects: ClusterNetworkPolicies of either tier,
AdminNetworkPolicies and at most one BaselineAdminNetworkPolicy (named `default`), with every
action, the peers namespaces / pods / networks (pod /32, the pod /16, 0.0.0.0/0) and the
port forms none / number / range / named port. Priorities are drawn without repetition inside a
tier most of the time, and sometimes repeated, so same-priority overlaps also occur (the
product must then say `undefined`; the comparison skips those).

Only objects the CRDs accept are generated (the test validates each against the sandbox's
CRD validation); pod IPs are placeholders `{ip:N}` filled in by `objects()`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SEED = 20261130
NAMESPACES = ("n0", "n1", "n2")
POD_NAMESPACES = ("n0", "n0", "n0", "n1", "n1", "n1", "n2", "n2", "n2")
PORTS = (80, 81, 8080)
GROUP = "policy.networking.k8s.io"


@dataclass(frozen=True)
class Probe:
    src: int
    dst: int
    port: int


@dataclass(frozen=True)
class World:
    index: int
    ns_labels: dict[str, dict[str, str]]
    pod_labels: tuple[dict[str, str], ...]
    named_port: tuple[int, ...]
    """Per pod, which of its ports is named `http`."""
    objects: tuple[dict[str, Any], ...]
    probes: tuple[Probe, ...]


def _selector(rng: random.Random, keys: tuple[str, ...], values: tuple[str, ...]
              ) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.2:
        return {}
    key = rng.choice(keys)
    if roll < 0.8:
        return {"matchLabels": {key: rng.choice(values)}}
    return {"matchExpressions": [{"key": key, "operator": rng.choice(["In", "NotIn"]),
                                  "values": [rng.choice(values)]}]}


def _ns_selector(rng: random.Random) -> dict[str, Any]:
    return _selector(rng, ("team",), ("a", "b"))


def _pod_selector(rng: random.Random) -> dict[str, Any]:
    return _selector(rng, ("app", "role"), ("a", "b", "x"))


@dataclass(frozen=True)
class Vocab:
    """What admin objects may name: selectors over the world's labels, pods, ports, named
    port. The NetworkPolicy differential (tests/differential) reuses `admin_objects` with its
    own label vocabulary."""

    ns_selector: Callable[[random.Random], dict[str, Any]] = field(default=_ns_selector)
    pod_selector: Callable[[random.Random], dict[str, Any]] = field(default=_pod_selector)
    pods: int = len(POD_NAMESPACES)
    ports: tuple[int, ...] = PORTS
    named_port: str = "http"


def _peer(rng: random.Random, vocab: Vocab, *, egress: bool, v1: bool) -> dict[str, Any]:
    kinds = ["namespaces", "pods"] + (["networks"] if egress else [])
    kind = rng.choice(kinds)
    if kind == "namespaces":
        return {"namespaces": vocab.ns_selector(rng)}
    if kind == "pods":
        pods: dict[str, Any] = {"podSelector": vocab.pod_selector(rng)}
        if v1 or rng.random() < 0.7:  # required in v1alpha1, optional in v1alpha2
            pods["namespaceSelector"] = vocab.ns_selector(rng)
        return {"pods": pods}
    return {"networks": [rng.choice([f"{{ip:{rng.randrange(vocab.pods)}}}/32",
                                     "10.244.0.0/16", "0.0.0.0/0"])]}


def _ports(rng: random.Random, vocab: Vocab, *, v1: bool, ip_peers: bool) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.4:
        return {}
    if roll < 0.55 and not ip_peers:  # CEL: no named port with networks peers
        return {"ports": [{"namedPort": vocab.named_port}]} if v1 else {
            "protocols": [{"destinationNamedPort": vocab.named_port}]}
    port = rng.choice(vocab.ports)
    if roll < 0.8:
        return {"ports": [{"portNumber": {"protocol": "TCP", "port": port}}]} if v1 else {
            "protocols": [{"tcp": {"destinationPort": {"number": port}}}]}
    return {"ports": [{"portRange": {"protocol": "TCP", "start": 80, "end": 81}}]} if v1 else {
        "protocols": [{"tcp": {"destinationPort": {"range": {"start": 80, "end": 81}}}}]}


def _rules(rng: random.Random, vocab: Vocab, *, actions: tuple[str, ...], v1: bool,
           egress: bool) -> list[dict[str, Any]]:
    rules = []
    for _ in range(rng.randint(1, 3)):
        peers = [_peer(rng, vocab, egress=egress, v1=v1) for _ in range(rng.randint(1, 2))]
        ip_peers = any("networks" in p for p in peers)
        rule = {"action": rng.choice(actions), "to" if egress else "from": peers,
                **_ports(rng, vocab, v1=v1, ip_peers=ip_peers)}
        rules.append(rule)
    return rules


def _admin(rng: random.Random, vocab: Vocab, i: int, priorities: dict[str, list[int]],
           banp_made: bool) -> dict[str, Any]:
    kinds = ["cnp-admin", "cnp-baseline", "anp"] + ([] if banp_made else ["banp"])
    kind = rng.choice(kinds)
    v1 = kind in ("anp", "banp")
    tier = "Baseline" if kind in ("cnp-baseline", "banp") else "Admin"
    used = priorities.setdefault(tier, [])
    priority = rng.choice(used) if used and rng.random() < 0.15 else rng.randrange(0, 50)
    used.append(priority)
    subject: dict[str, Any] = (
        {"namespaces": vocab.ns_selector(rng)} if rng.random() < 0.5 else
        {"pods": {"namespaceSelector": vocab.ns_selector(rng),
                  "podSelector": vocab.pod_selector(rng)}})
    if kind == "banp":
        actions: tuple[str, ...] = ("Allow", "Deny")
    elif v1:
        actions = ("Allow", "Deny", "Pass")
    else:
        actions = ("Accept", "Deny", "Pass")
    spec: dict[str, Any] = {"subject": subject}
    if kind != "banp":
        spec["priority"] = priority
    if not v1:
        spec["tier"] = tier
    for direction in ("ingress", "egress"):
        if rng.random() < 0.6:
            spec[direction] = _rules(rng, vocab, actions=actions, v1=v1,
                                     egress=direction == "egress")
    kind_name = {"anp": "AdminNetworkPolicy", "banp": "BaselineAdminNetworkPolicy"}.get(
        kind, "ClusterNetworkPolicy")
    return {"apiVersion": f"{GROUP}/{'v1alpha1' if v1 else 'v1alpha2'}", "kind": kind_name,
            "metadata": {"name": "default" if kind == "banp" else f"a{i}"}, "spec": spec}


def _netpol(rng: random.Random, i: int) -> dict[str, Any]:
    ns = rng.choice(NAMESPACES)
    types = rng.choice([["Ingress"], ["Egress"], ["Ingress", "Egress"]])
    spec: dict[str, Any] = {"podSelector": _pod_selector(rng), "policyTypes": types}
    for t in types:
        key, peers_key = ("ingress", "from") if t == "Ingress" else ("egress", "to")
        rules = []
        for _ in range(rng.randint(0, 2)):
            rule: dict[str, Any] = {peers_key: [{"namespaceSelector": _ns_selector(rng),
                                                 "podSelector": _pod_selector(rng)}]}
            if rng.random() < 0.5:
                rule["ports"] = [{"port": rng.choice([*PORTS, "http"])}]
            rules.append(rule)
        spec[key] = rules
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": f"np{i}", "namespace": ns}, "spec": spec}


def admin_objects(rng: random.Random, vocab: Vocab) -> list[dict[str, Any]]:
    """1-4 admin objects (CNP Admin/Baseline, ANP, at most one BANP) over `vocab`."""
    priorities: dict[str, list[int]] = {}
    out: list[dict[str, Any]] = []
    banp = False
    for i in range(rng.randint(1, 4)):
        obj = _admin(rng, vocab, i, priorities, banp)
        banp = banp or obj["kind"] == "BaselineAdminNetworkPolicy"
        out.append(obj)
    return out


def worlds(count: int, *, probes: int, seed: int = SEED) -> list[World]:
    rng = random.Random(seed)
    out = []
    for w in range(count):
        ns_labels = {n: {"team": rng.choice("ab")} for n in NAMESPACES}
        pod_labels = tuple({"app": rng.choice("abx"), "role": rng.choice("ab")}
                           for _ in POD_NAMESPACES)
        named = tuple(rng.choice(PORTS) for _ in POD_NAMESPACES)
        objs: list[dict[str, Any]] = [_netpol(rng, i) for i in range(rng.randint(0, 2))]
        objs += admin_objects(rng, Vocab())
        chosen = set()
        while len(chosen) < probes:
            src, dst = rng.sample(range(len(POD_NAMESPACES)), 2)
            chosen.add(Probe(src, dst, rng.choice(PORTS)))
        out.append(World(w, ns_labels, pod_labels, named, tuple(objs),
                         tuple(sorted(chosen, key=lambda p: (p.src, p.dst, p.port)))))
    return out


def _fill(value: Any, ips: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ips) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ips) for v in value]
    if isinstance(value, str) and value.startswith("{ip:"):
        n, rest = value[4:].split("}", 1)
        return ips[int(n)] + rest
    return value


def objects(world: World, ips: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The world as Kubernetes JSON: namespaces, pods (uid p<N>), NPs, admin objects."""
    namespaces = [{"metadata": {"name": n, "labels": {**world.ns_labels[n],
                                                      "kubernetes.io/metadata.name": n}}}
                  for n in NAMESPACES]
    pods = [{"metadata": {"name": f"p{i}", "namespace": ns, "uid": f"p{i}",
                          "labels": world.pod_labels[i]},
             "spec": {"containers": [{"name": "c", "ports": [
                 {"containerPort": port, "protocol": "TCP",
                  **({"name": "http"} if port == world.named_port[i] else {})}
                 for port in PORTS]}]},
             "status": {"podIP": ips[i], "phase": "Running"}}
            for i, ns in enumerate(POD_NAMESPACES)]
    filled = [_fill(o, ips) for o in world.objects]
    return {"namespaces": namespaces, "pods": pods,
            "policies": [o for o in filled if o["kind"] == "NetworkPolicy"],
            "admin_policies": [o for o in filled if o["kind"] != "NetworkPolicy"]}
