"""Core kinds: pkg/apis/core/validation/validation.go (ValidateNamespace, ValidateService +
validateServicePort, ValidatePodCreate's metadata and validateContainerPorts) and the apps
kinds' label rules (pkg/apis/apps/validation ValidateDeploymentSpec/ValidateReplicaSetSpec).
Only the rules a NetworkPolicy test can trip over are ported: names, labels, ports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.sandbox.validation import content
from tests.sandbox.validation.field import (
    FieldError,
    duplicate,
    invalid,
    not_supported,
    required,
)
from tests.sandbox.validation.meta import (
    validate_label_selector,
    validate_labels,
    validate_object_meta,
)

PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"]  # sets.List(supportedPortProtocols): sorted
SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]


def validate_namespace(ns: Mapping[str, Any]) -> list[FieldError]:
    """ValidateNamespace: the name is a DNS-1123 *label* (ValidateNamespaceName =
    NameIsDNSLabel), so `team.a` is refused although it is a valid subdomain."""
    return validate_object_meta(ns.get("metadata") or {}, name_check=content.is_dns1123_label)


def validate_container_ports(ports: list[Mapping[str, Any]], path: str) -> list[FieldError]:
    """validateContainerPorts."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(ports):
        ipath = f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            msgs = content.is_valid_port_name(name)
            if msgs:
                errs += [invalid(f"{ipath}.name", name, m) for m in msgs]
            elif name in names:
                errs.append(duplicate(f"{ipath}.name", name))
            else:
                names.add(name)
        cport = port.get("containerPort") or 0
        if cport == 0:
            errs.append(required(f"{ipath}.containerPort"))
        else:
            errs += [invalid(f"{ipath}.containerPort", cport, m)
                     for m in content.is_valid_port_num(cport)]
        proto = port.get("protocol") or ""
        if not proto:
            errs.append(required(f"{ipath}.protocol"))
        elif proto not in PORT_PROTOCOLS:
            errs.append(not_supported(f"{ipath}.protocol", proto, PORT_PROTOCOLS))
    return errs


def validate_pod(pod: Mapping[str, Any]) -> list[FieldError]:
    """ValidatePodCreate: metadata (labels the policies select on) and container ports
    (the names a NetworkPolicy's named port resolves against)."""
    errs = validate_object_meta(pod.get("metadata") or {},
                                name_check=content.is_dns1123_subdomain)
    spec = pod.get("spec") or {}
    for key in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(key) or []):
            errs += validate_container_ports(c.get("ports") or [],
                                             f"spec.{key}[{i}].ports")
    return errs


def validate_service_port(sp: Mapping[str, Any], path: str, *, require_name: bool,
                          names: set[str]) -> list[FieldError]:
    """validateServicePort (+ ValidatePortNumOrName for targetPort)."""
    errs: list[FieldError] = []
    name = sp.get("name") or ""
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs += [invalid(f"{path}.name", name, m) for m in content.is_dns1123_label(name)]
        if name in names:
            errs.append(duplicate(f"{path}.name", name))
        names.add(name)
    errs += [invalid(f"{path}.port", sp.get("port", 0), m)
             for m in content.is_valid_port_num(sp.get("port") or 0)]
    proto = sp.get("protocol") or ""
    if not proto:
        errs.append(required(f"{path}.protocol"))
    elif proto not in PORT_PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", proto, PORT_PROTOCOLS))
    target = sp.get("targetPort")
    if isinstance(target, int):
        errs += [invalid(f"{path}.targetPort", target, m)
                 for m in content.is_valid_port_num(target)]
    elif isinstance(target, str):
        errs += [invalid(f"{path}.targetPort", target, m)
                 for m in content.is_valid_port_name(target)]
    return errs


def validate_service(svc: Mapping[str, Any]) -> list[FieldError]:
    """ValidateService: a DNS-1035 name (NameIsDNS1035Label), supported type, ports (named
    when there are several), selector labels."""
    errs = validate_object_meta(svc.get("metadata") or {}, name_check=content.is_dns1035_label)
    spec = svc.get("spec") or {}
    stype = spec.get("type") or "ClusterIP"
    if stype not in SERVICE_TYPES:
        errs.append(not_supported("spec.type", stype, SERVICE_TYPES))
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if not ports and not headless and stype != "ExternalName":
        errs.append(required("spec.ports"))
    names: set[str] = set()
    for i, sp in enumerate(ports):
        errs += validate_service_port(sp, f"spec.ports[{i}]", require_name=len(ports) > 1,
                                      names=names)
    errs += validate_labels(spec.get("selector"), "spec.selector")
    return errs


def validate_workload(obj: Mapping[str, Any]) -> list[FieldError]:
    """ValidateDeployment/ValidateReplicaSet, the label parts: metadata, selector, template."""
    errs = validate_object_meta(obj.get("metadata") or {},
                                name_check=content.is_dns1123_subdomain)
    spec = obj.get("spec") or {}
    errs += validate_label_selector(spec.get("selector"), "spec.selector")
    tmpl = spec.get("template") or {}
    errs += validate_labels((tmpl.get("metadata") or {}).get("labels"),
                            "spec.template.metadata.labels")
    # ValidatePodTemplateSpec: the template's pod spec is checked like a pod's
    for key in ("initContainers", "containers"):
        for i, c in enumerate((tmpl.get("spec") or {}).get(key) or []):
            errs += validate_container_ports(c.get("ports") or [],
                                             f"spec.template.spec.{key}[{i}].ports")
    return errs
