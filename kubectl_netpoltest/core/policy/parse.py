"""Kubernetes JSON dicts → the frozen objects of `objects.py`, with the API's defaulting.

Objects read from the API server already carry defaults (policyTypes, protocol); manifests read
from disk do not, so the defaults are applied here for both. A policy the API server would
reject raises `ObjectError` with the field path, so the user learns what to fix and where.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubectl_netpoltest.core.labels import LabelSelector, Requirement, SelectorOperator, labels_of
from kubectl_netpoltest.core.policy.objects import (
    NAMESPACE_NAME_LABEL,
    PROTOCOLS,
    ContainerPort,
    EndpointSlice,
    IPBlock,
    Namespace,
    Peer,
    Pod,
    Policy,
    PortSpec,
    Rule,
    Service,
    ServicePort,
)


class ObjectError(ValueError):
    """An object the API server would have rejected; the message names the field."""


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def selector(data: Mapping[str, Any] | None, *, where: str) -> LabelSelector:
    """API LabelSelector: In/NotIn need values, Exists/DoesNotExist must have none."""
    data = data or {}
    requirements = []
    for i, expr in enumerate(data.get("matchExpressions") or ()):
        path = f"{where}.matchExpressions[{i}]"
        try:
            operator = SelectorOperator(expr.get("operator"))
        except ValueError:
            raise ObjectError(
                f"{path}.operator: {expr.get('operator')!r} is not one of "
                "In, NotIn, Exists, DoesNotExist"
            ) from None
        values = tuple(str(v) for v in expr.get("values") or ())
        if operator in (SelectorOperator.IN, SelectorOperator.NOT_IN) and not values:
            raise ObjectError(f"{path}.values: {operator.value} needs at least one value")
        if operator in (SelectorOperator.EXISTS, SelectorOperator.DOES_NOT_EXIST) and values:
            raise ObjectError(f"{path}.values: {operator.value} takes no values")
        requirements.append(Requirement(key=str(expr.get("key")), operator=operator, values=values))
    labels = {str(k): str(v) for k, v in (data.get("matchLabels") or {}).items()}
    return LabelSelector(match_labels=labels_of(labels), match_expressions=tuple(requirements))


def namespace(obj: Mapping[str, Any]) -> Namespace:
    meta = _meta(obj)
    name = str(meta.get("name") or "")
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    # Semantics rule 14: the control plane sets this label on every namespace; manifests on
    # disk usually leave it out.
    labels.setdefault(NAMESPACE_NAME_LABEL, name)
    return Namespace(name=name, labels=labels_of(labels))


def _protocol(value: Any, *, where: str) -> str:
    protocol = str(value or "TCP").upper()  # semantics rule 18: TCP by default
    if protocol not in PROTOCOLS:
        raise ObjectError(f"{where}.protocol: {value!r} is not one of TCP, UDP, SCTP")
    return protocol


def container_ports(pod_spec: Mapping[str, Any]) -> tuple[ContainerPort, ...]:
    """Named ports are looked up on every container, init containers included (sidecars)."""
    containers = [*(pod_spec.get("initContainers") or ()), *(pod_spec.get("containers") or ())]
    return tuple(
        ContainerPort(
            port=int(p["containerPort"]),
            protocol=str(p.get("protocol") or "TCP").upper(),
            name=p.get("name"),
        )
        for c in containers
        for p in c.get("ports") or ()
        if "containerPort" in p
    )


def pod(obj: Mapping[str, Any], *, default_namespace: str = "default") -> Pod:
    meta, spec, status = _meta(obj), obj.get("spec") or {}, obj.get("status") or {}
    ips = tuple(str(p["ip"]) for p in status.get("podIPs") or () if p.get("ip"))
    if not ips and status.get("podIP"):
        ips = (str(status["podIP"]),)
    return Pod(
        namespace=str(meta.get("namespace") or default_namespace),
        name=str(meta.get("name") or ""),
        labels=labels_of({str(k): str(v) for k, v in (meta.get("labels") or {}).items()}),
        ips=ips,
        ports=container_ports(spec),
        host_network=bool(spec.get("hostNetwork")),
        node=spec.get("nodeName") or None,
    )


def _port_value(value: Any) -> int | str | None:
    if value is None or isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdigit() else text


def _ports(data: Any, *, where: str) -> tuple[PortSpec, ...] | None:
    if not data:
        return None  # semantics rule 11: empty or absent ports = every port, every protocol
    out = []
    for i, p in enumerate(data):
        path = f"{where}[{i}]"
        port = _port_value(p.get("port"))
        end = p.get("endPort")
        if end is not None:
            if not isinstance(port, int):
                raise ObjectError(f"{path}.endPort: needs a numeric port (semantics rule 21)")
            if int(end) < port:
                raise ObjectError(f"{path}.endPort: {end} is below port {port}")
        out.append(
            PortSpec(
                protocol=_protocol(p.get("protocol"), where=path),
                port=port,
                end_port=None if end is None else int(end),
            )
        )
    return tuple(out)


def _peer(data: Mapping[str, Any], *, where: str) -> Peer:
    block = data.get("ipBlock")
    pod_sel, ns_sel = data.get("podSelector"), data.get("namespaceSelector")
    if block is not None:
        if pod_sel is not None or ns_sel is not None:
            raise ObjectError(f"{where}: ipBlock cannot be combined with a selector")
        if not block.get("cidr"):
            raise ObjectError(f"{where}.ipBlock.cidr: required")
        return Peer(
            ip_block=IPBlock(
                cidr=str(block["cidr"]), excepts=tuple(str(e) for e in block.get("except") or ())
            )
        )
    if pod_sel is None and ns_sel is None:
        raise ObjectError(f"{where}: needs podSelector, namespaceSelector or ipBlock")
    return Peer(
        pod_selector=None if pod_sel is None else selector(pod_sel, where=f"{where}.podSelector"),
        namespace_selector=None
        if ns_sel is None
        else selector(ns_sel, where=f"{where}.namespaceSelector"),
    )


def _rules(data: Any, *, key: str, peers_key: str, where: str) -> tuple[Rule, ...]:
    rules = []
    for i, rule in enumerate(data or ()):
        path = f"{where}.{key}[{i}]"
        peers = rule.get(peers_key) or None
        rules.append(
            Rule(
                peers=None
                if peers is None
                else tuple(_peer(p, where=f"{path}.{peers_key}[{j}]") for j, p in enumerate(peers)),
                ports=_ports(rule.get("ports"), where=f"{path}.ports"),
            )
        )
    return tuple(rules)


def policy(obj: Mapping[str, Any], *, default_namespace: str = "default") -> Policy:
    """Semantics rule 3: absent policyTypes = Ingress, plus Egress when egress rules exist."""
    meta, spec = _meta(obj), obj.get("spec") or {}
    ns = str(meta.get("namespace") or default_namespace)  # semantics rule 1
    name = str(meta.get("name") or "")
    where = f"networkpolicy {ns}/{name}: spec"
    types = spec.get("policyTypes")
    if not types:
        types = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
    unknown = [t for t in types if t not in ("Ingress", "Egress")]
    if unknown:
        raise ObjectError(f"{where}.policyTypes: {unknown[0]!r} is not Ingress or Egress")
    return Policy(
        namespace=ns,
        name=name,
        pod_selector=selector(spec.get("podSelector"), where=f"{where}.podSelector"),
        ingress_isolates="Ingress" in types,
        egress_isolates="Egress" in types,
        ingress=_rules(spec.get("ingress"), key="ingress", peers_key="from", where=where),
        egress=_rules(spec.get("egress"), key="egress", peers_key="to", where=where),
    )


def service(obj: Mapping[str, Any], *, default_namespace: str = "default") -> Service:
    meta, spec = _meta(obj), obj.get("spec") or {}
    ips = tuple(str(ip) for ip in spec.get("clusterIPs") or () if ip and ip != "None")
    if not ips and spec.get("clusterIP") not in (None, "", "None"):
        ips = (str(spec["clusterIP"]),)
    sel = spec.get("selector")
    return Service(
        namespace=str(meta.get("namespace") or default_namespace),
        name=str(meta.get("name") or ""),
        cluster_ips=ips,
        selector=None if sel is None else labels_of({str(k): str(v) for k, v in sel.items()}),
        ports=tuple(
            ServicePort(
                port=int(p["port"]),
                protocol=str(p.get("protocol") or "TCP").upper(),
                target_port=_port_value(p.get("targetPort")),
                name=p.get("name"),
            )
            for p in spec.get("ports") or ()
        ),
        headless=spec.get("clusterIP") == "None",
        external_name=str(spec.get("externalName") or "") or None
        if spec.get("type") == "ExternalName"
        else None,
    )


def endpoint_slice(obj: Mapping[str, Any]) -> EndpointSlice | None:
    """None when the slice belongs to no Service (no kubernetes.io/service-name label)."""
    meta = _meta(obj)
    owner = (meta.get("labels") or {}).get("kubernetes.io/service-name")
    if not owner:
        return None
    addresses = tuple(
        str(a)
        for ep in obj.get("endpoints") or ()
        if (ep.get("conditions") or {}).get("ready", True) is not False
        for a in ep.get("addresses") or ()
    )
    return EndpointSlice(
        namespace=str(meta.get("namespace") or "default"),
        service=str(owner),
        addresses=addresses,
        ports=tuple(
            ContainerPort(
                port=int(p["port"]),
                protocol=str(p.get("protocol") or "TCP").upper(),
                name=p.get("name") or None,
            )
            for p in obj.get("ports") or ()
            if p.get("port") is not None
        ),
    )
