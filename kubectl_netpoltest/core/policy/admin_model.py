"""Cluster-wide admin policies as small frozen values, parsed from plain Kubernetes JSON.

Three kinds, one model (admin-tiers-services-cni.md L2: v1alpha1 maps onto the v1alpha2 model):

* ClusterNetworkPolicy `policy.networking.k8s.io/v1alpha2` (tier Admin or Baseline, priority
  0-1000, actions Accept | Deny | Pass, ports in `protocols`);
* AdminNetworkPolicy v1alpha1 (Admin tier, priority, Allow | Deny | Pass, ports in `ports`);
* BaselineAdminNetworkPolicy v1alpha1 (Baseline tier, a singleton without priority,
  Allow | Deny).

The reader is lenient where the API server is strict (a wrong object was already refused by
it), but never silently permissive: a peer or port entry it does not understand is kept as
`unknown` so the evaluator can fail closed or say "undefined" (T16, L4).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kubectl_netpoltest.core.labels import LabelSelector
from kubectl_netpoltest.core.policy.parse import ObjectError, selector

GROUP = "policy.networking.k8s.io"


class Tier(StrEnum):
    ADMIN = "Admin"
    BASELINE = "Baseline"


class Action(StrEnum):
    ACCEPT = "Accept"
    DENY = "Deny"
    PASS = "Pass"


_ACTIONS = {
    "Accept": Action.ACCEPT,
    "Allow": Action.ACCEPT,
    "Deny": Action.DENY,
    "Pass": Action.PASS,
}
SHORT_NAMES = {
    "ClusterNetworkPolicy": "cnp",
    "AdminNetworkPolicy": "anp",
    "BaselineAdminNetworkPolicy": "banp",
}


class PeerKind(StrEnum):
    NAMESPACES = "namespaces"
    PODS = "pods"
    NETWORKS = "networks"
    NODES = "nodes"
    DOMAIN_NAMES = "domainNames"
    UNKNOWN = "unknown"
    """No field this reader knows (a newer CRD), or v1alpha1's removed sameLabels/notSameLabels."""


@dataclass(frozen=True)
class AdminPeer:
    kind: PeerKind
    namespace_selector: LabelSelector | None = None
    """`namespaces` peers; for `pods` peers None means every namespace."""
    pod_selector: LabelSelector | None = None
    cidrs: tuple[str, ...] = ()
    node_selector: LabelSelector | None = None
    domains: tuple[str, ...] = ()
    unknown: str = ""


@dataclass(frozen=True)
class AdminPort:
    """One `protocols`/`ports` entry: a number or range of one protocol, or a named port."""

    protocol: str | None = None
    start: int | None = None
    end: int | None = None
    named: str | None = None
    unknown: str = ""

    def describe(self) -> str:
        if self.named is not None:
            return f"named port {self.named}"
        if self.start is None:
            return f"any/{self.protocol}"
        if self.end is not None and self.end != self.start:
            return f"{self.start}-{self.end}/{self.protocol}"
        return f"{self.start}/{self.protocol}"


@dataclass(frozen=True)
class AdminRule:
    action: Action
    peers: tuple[AdminPeer, ...]
    ports: tuple[AdminPort, ...] | None = None
    """None: every protocol and port (ICMP included)."""
    name: str = ""


@dataclass(frozen=True)
class AdminPolicy:
    kind: str
    """ClusterNetworkPolicy | AdminNetworkPolicy | BaselineAdminNetworkPolicy."""
    name: str
    tier: Tier
    priority: int | None
    """None only for the BaselineAdminNetworkPolicy (it has no priority)."""
    subject_namespaces: LabelSelector | None
    subject_pods: tuple[LabelSelector, LabelSelector] | None
    """(namespaceSelector, podSelector) when the subject is `pods`."""
    ingress: tuple[AdminRule, ...] = ()
    egress: tuple[AdminRule, ...] = ()

    @property
    def ref(self) -> str:
        """`cnp/name`: short name and name (cluster-scoped objects have no namespace)."""
        return f"{SHORT_NAMES.get(self.kind, self.kind)}/{self.name}"

    @property
    def v1alpha1(self) -> bool:
        return self.kind != "ClusterNetworkPolicy"


def _ns_selector(data: Any, *, where: str) -> AdminPeer:
    """A `namespaces` peer; v1alpha1 before v0.1.3 wrapped it (L4)."""
    if isinstance(data, Mapping) and ("sameLabels" in data or "notSameLabels" in data):
        return AdminPeer(PeerKind.UNKNOWN, unknown=f"{where}: sameLabels/notSameLabels")
    if isinstance(data, Mapping) and "namespaceSelector" in data:
        return AdminPeer(
            PeerKind.NAMESPACES, namespace_selector=selector(data["namespaceSelector"], where=where)
        )
    return AdminPeer(PeerKind.NAMESPACES, namespace_selector=selector(data, where=where))


def _pods(data: Mapping[str, Any], *, where: str) -> AdminPeer:
    pod_sel = selector(data.get("podSelector"), where=f"{where}.podSelector")
    if "namespaces" in data:  # v1alpha1 before v0.1.3: {namespaces: {...}, podSelector}
        inner = _ns_selector(data["namespaces"], where=f"{where}.namespaces")
        if inner.kind is PeerKind.UNKNOWN:
            return inner
        return AdminPeer(
            PeerKind.PODS, namespace_selector=inner.namespace_selector, pod_selector=pod_sel
        )
    ns = data.get("namespaceSelector")
    return AdminPeer(
        PeerKind.PODS,
        pod_selector=pod_sel,
        namespace_selector=None if ns is None else selector(ns, where=f"{where}.namespaceSelector"),
    )


def _peer(data: Mapping[str, Any], *, where: str) -> AdminPeer:
    if "namespaces" in data:
        return _ns_selector(data["namespaces"], where=f"{where}.namespaces")
    if "pods" in data:
        return _pods(data["pods"] or {}, where=f"{where}.pods")
    if "networks" in data:
        return AdminPeer(PeerKind.NETWORKS, cidrs=_cidrs(data["networks"], where=where))
    if "nodes" in data:
        return AdminPeer(
            PeerKind.NODES, node_selector=selector(data["nodes"], where=f"{where}.nodes")
        )
    if "domainNames" in data:
        return AdminPeer(
            PeerKind.DOMAIN_NAMES, domains=tuple(str(d) for d in data["domainNames"] or ())
        )
    return AdminPeer(PeerKind.UNKNOWN, unknown=f"{where}: {sorted(data) or 'no field'}")


def _cidrs(data: Any, *, where: str) -> tuple[str, ...]:
    """The CRDs' `isCIDR(self)` on each item: matching skips what it cannot parse, so an
    unchecked bad CIDR would make a Deny match nothing (a wrong 'allowed' prediction)."""
    if not isinstance(data, list):
        raise ObjectError(f"{where}.networks: {data!r} is not a list of CIDRs")
    for i, cidr in enumerate(data):
        try:
            ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            raise ObjectError(
                f"{where}.networks[{i}]: {cidr!r} is not a CIDR (Invalid CIDR "
                "format provided); the API server would refuse it"
            ) from None
    return tuple(str(c) for c in data)


def _checked_port(port: AdminPort, *, where: str, strict_range: bool) -> AdminPort:
    """The CRDs' bounds (1-65535) and, for v1alpha2 ranges, CEL `self.start < self.end`."""
    for value in (port.start, port.end):
        if value is not None and not 1 <= value <= 65535:
            raise ObjectError(f"{where}: port {value} is out of range (expected 1-65535)")
    if (
        strict_range
        and port.start is not None
        and port.end is not None
        and not port.start < port.end
    ):
        raise ObjectError(
            f"{where}: the range {port.start}-{port.end} does not have "
            "start < end; the API server would refuse it"
        )
    return port


def _port(data: Mapping[str, Any], *, where: str) -> AdminPort:
    port = _parse_port(data)
    ranged = any(
        ((data.get(p) or {}).get("destinationPort") or {}).get("range")
        for p in ("tcp", "udp", "sctp")
        if isinstance(data.get(p), Mapping)
    )
    return _checked_port(port, where=where, strict_range=ranged)


def _parse_port(data: Mapping[str, Any]) -> AdminPort:
    named = data.get("destinationNamedPort", data.get("namedPort"))
    if named is not None:
        return AdminPort(named=str(named))
    for proto in ("tcp", "udp", "sctp"):  # v1alpha2
        if proto in data:
            dport = (data[proto] or {}).get("destinationPort") or {}
            rng = dport.get("range")
            if rng:
                return AdminPort(
                    protocol=proto.upper(), start=int(rng["start"]), end=int(rng["end"])
                )
            if "number" in dport:
                n = int(dport["number"])
                return AdminPort(protocol=proto.upper(), start=n, end=n)
            return AdminPort(protocol=proto.upper(), unknown=f"{proto} without destinationPort")
    if "portNumber" in data:  # v1alpha1; the CRD defaults protocol to TCP
        pn = data["portNumber"]
        return AdminPort(
            protocol=str(pn.get("protocol") or "TCP").upper(),
            start=int(pn["port"]),
            end=int(pn["port"]),
        )
    if "portRange" in data:
        pr = data["portRange"]
        return AdminPort(
            protocol=str(pr.get("protocol") or "TCP").upper(),
            start=int(pr["start"]),
            end=int(pr["end"]),
        )
    return AdminPort(unknown=str(sorted(data)))


def _list(data: Any, *, where: str) -> list[Any]:
    """The CRDs' `type: array` (absent is empty); a string would be read char by char."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ObjectError(f"{where}: {data!r} is not a list; the API server would refuse it")
    return data


def _object(data: Any, *, where: str) -> Mapping[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ObjectError(f"{where}: {data!r} is not an object; the API server would refuse it")
    return data


def _rules(data: Any, *, key: str, where: str) -> tuple[AdminRule, ...]:
    peers_key = "from" if key == "ingress" else "to"
    out = []
    for i, item in enumerate(_list(data, where=f"{where}.{key}")):
        at = f"{where}.{key}[{i}]"
        rule = _object(item, where=at)
        action = _ACTIONS.get(str(rule.get("action")))
        if action is None:
            raise ObjectError(
                f"{at}.action: {rule.get('action')!r} is not Accept/Allow, Deny or Pass"
            )
        ports_key = "protocols" if "protocols" in rule else "ports"
        ports_data = _list(rule.get(ports_key), where=f"{at}.{ports_key}")
        peers = _list(rule.get(peers_key), where=f"{at}.{peers_key}")
        out.append(
            AdminRule(
                action=action,
                name=str(rule.get("name") or ""),
                peers=tuple(
                    _peer(
                        _object(p, where=f"{at}.{peers_key}[{j}]"), where=f"{at}.{peers_key}[{j}]"
                    )
                    for j, p in enumerate(peers)
                ),
                ports=None
                if not ports_data
                else tuple(
                    _port(
                        _object(p, where=f"{at}.{ports_key}[{j}]"), where=f"{at}.{ports_key}[{j}]"
                    )
                    for j, p in enumerate(ports_data)
                ),
            )
        )
    return tuple(out)


def admin_policy(obj: Mapping[str, Any]) -> AdminPolicy:
    """Parse one ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy.

    A malformed object (offline manifests are not checked by an API server) is an
    `ObjectError` naming the object and field, never a crash."""
    kind = str(obj.get("kind") or "")
    name = str((obj.get("metadata") or {}).get("name") or "")
    where = f"{SHORT_NAMES.get(kind, kind)}/{name}.spec"
    try:
        return _admin_policy(obj, kind=kind, name=name, where=where)
    except ObjectError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ObjectError(
            f"{where}: not a valid {kind} ({type(exc).__name__}: {exc}); "
            f"the API server would refuse it"
        ) from None


def _priority(spec: Mapping[str, Any], *, where: str) -> int:
    value = spec.get("priority")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
        raise ObjectError(f"{where}.priority: {value!r} is not an integer from 0 to 1000")
    return value


def _admin_policy(obj: Mapping[str, Any], *, kind: str, name: str, where: str) -> AdminPolicy:
    spec = obj.get("spec") or {}
    if kind == "ClusterNetworkPolicy":
        if spec.get("tier") not in ("Admin", "Baseline"):
            raise ObjectError(f"{where}.tier: {spec.get('tier')!r} is not Admin or Baseline")
        tier = Tier(spec["tier"])
        priority: int | None = _priority(spec, where=where)
    elif kind == "AdminNetworkPolicy":
        tier, priority = Tier.ADMIN, _priority(spec, where=where)
    elif kind == "BaselineAdminNetworkPolicy":
        tier, priority = Tier.BASELINE, None
    else:
        raise ObjectError(f"{kind or 'an object without kind'} is not an admin policy kind")
    subject = spec.get("subject") or {}
    subject_ns = subject_pods = None
    if "namespaces" in subject:
        subject_ns = selector(subject["namespaces"], where=f"{where}.subject.namespaces")
    elif "pods" in subject:
        pods = subject["pods"] or {}
        subject_pods = (
            selector(
                pods.get("namespaceSelector"), where=f"{where}.subject.pods.namespaceSelector"
            ),
            selector(pods.get("podSelector"), where=f"{where}.subject.pods.podSelector"),
        )
    return AdminPolicy(
        kind=kind,
        name=name,
        tier=tier,
        priority=priority,
        subject_namespaces=subject_ns,
        subject_pods=subject_pods,
        ingress=_rules(spec.get("ingress"), key="ingress", where=where),
        egress=_rules(spec.get("egress"), key="egress", where=where),
    )
