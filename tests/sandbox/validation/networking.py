"""NetworkPolicy validation: pkg/apis/networking/validation/validation.go, function by
function. A policy the real API server refuses must never reach the data plane, where it
would be skipped silently or match nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tests.sandbox.validation import content
from tests.sandbox.validation.field import (
    FieldError,
    GoRepr,
    forbidden,
    invalid,
    not_supported,
    required,
)
from tests.sandbox.validation.meta import validate_label_selector, validate_object_meta

PROTOCOLS = ["TCP", "UDP", "SCTP"]
POLICY_TYPES = ["Ingress", "Egress"]


def validate_network_policy_port(port: Mapping[str, Any], path: str) -> list[FieldError]:
    """ValidateNetworkPolicyPort."""
    errs: list[FieldError] = []
    proto = port.get("protocol")
    if proto is not None and proto not in PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", proto, PROTOCOLS))
    value, end = port.get("port"), port.get("endPort")
    if value is not None:
        if isinstance(value, int):
            errs += [invalid(f"{path}.port", value, m) for m in content.is_valid_port_num(value)]
            if end is not None:
                if end < value:
                    errs.append(invalid(f"{path}.endPort", end,
                                        "must be greater than or equal to `port`"))
                errs += [invalid(f"{path}.endPort", end, m)
                         for m in content.is_valid_port_num(end)]
        else:
            if end is not None:
                errs.append(invalid(f"{path}.endPort", end,
                                    "may not be specified when `port` is non-numeric"))
            errs += [invalid(f"{path}.port", value, m)
                     for m in content.is_valid_port_name(str(value))]
    elif end is not None:
        errs.append(invalid(f"{path}.endPort", end,
                            "may not be specified when `port` is not specified"))
    return errs


def validate_ip_block(ipb: Mapping[str, Any], path: str,
                      allowed_cidrs: Sequence[str] = ()) -> list[FieldError]:
    """ValidateIPBlock: a parseable cidr; each except parseable and a strict subset of it.
    `allowed_cidrs` are the old object's values, accepted unchanged on update."""
    cidr = ipb.get("cidr") or ""
    if not cidr:
        return [required(f"{path}.cidr")]
    errs: list[FieldError] = []
    if cidr not in allowed_cidrs:
        errs += [invalid(f"{path}.cidr", cidr, m)
                 for m in content.is_valid_cidr_for_legacy_field(cidr)]
    net = content.parse_cidr_sloppy(cidr)
    if net is None:
        return errs
    for i, exc in enumerate(ipb.get("except") or []):
        epath = f"{path}.except[{i}]"
        if exc not in allowed_cidrs:
            errs += [invalid(epath, exc, m) for m in content.is_valid_cidr_for_legacy_field(exc)]
        enet = content.parse_cidr_sloppy(exc)
        if enet is None:
            continue
        if enet.version != net.version or enet.network_address not in net or \
                net.prefixlen >= enet.prefixlen:
            errs.append(invalid(epath, exc, "must be a strict subset of `cidr`"))
    return errs


def validate_network_policy_peer(peer: Mapping[str, Any], path: str,
                                 allowed_cidrs: Sequence[str]) -> list[FieldError]:
    """ValidateNetworkPolicyPeer: at least one of the three; ipBlock alone."""
    errs: list[FieldError] = []
    n = 0
    for key in ("podSelector", "namespaceSelector"):
        if peer.get(key) is not None:
            n += 1
            errs += validate_label_selector(peer[key], f"{path}.{key}")
    if peer.get("ipBlock") is not None:
        n += 1
        errs += validate_ip_block(peer["ipBlock"], f"{path}.ipBlock", allowed_cidrs)
    if n == 0:
        errs.append(required(path, "must specify a peer"))
    elif n > 1 and peer.get("ipBlock") is not None:
        errs.append(forbidden(path, "may not specify both ipBlock and another peer"))
    return errs


def validate_network_policy_spec(spec: Mapping[str, Any], *,
                                 allowed_cidrs: Sequence[str] = ()) -> list[FieldError]:
    """ValidateNetworkPolicySpec."""
    errs = validate_label_selector(spec.get("podSelector") or {}, "spec.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or []):
            rpath = f"spec.{direction}[{i}]"
            for j, port in enumerate(rule.get("ports") or []):
                errs += validate_network_policy_port(port, f"{rpath}.ports[{j}]")
            for j, peer in enumerate(rule.get(peers) or []):
                errs += validate_network_policy_peer(peer, f"{rpath}.{peers}[{j}]",
                                                     allowed_cidrs)
    types = spec.get("policyTypes") or []
    if len(types) > len(POLICY_TYPES):
        shown = ", ".join(f'"{t}"' for t in types)
        errs.append(invalid("spec.policyTypes", GoRepr(f"[]networking.PolicyType{{{shown}}}"),
                            "may not specify more than two policyTypes"))
        return errs
    for i, t in enumerate(types):
        if t not in POLICY_TYPES:
            errs.append(not_supported(f"spec.policyTypes[{i}]", t, POLICY_TYPES))
    return errs


def existing_cidrs(old: Mapping[str, Any] | None) -> list[str]:
    """ValidateNetworkPolicyUpdate: every cidr/except of the old object stays acceptable."""
    out: list[str] = []
    spec = (old or {}).get("spec") or {}
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for rule in spec.get(direction) or []:
            for peer in rule.get(peers) or []:
                ipb = peer.get("ipBlock") or {}
                if ipb.get("cidr"):
                    out += [ipb["cidr"], *(ipb.get("except") or [])]
    return out


def validate_network_policy(np: Mapping[str, Any], old: Mapping[str, Any] | None = None
                            ) -> list[FieldError]:
    """ValidateNetworkPolicy / ValidateNetworkPolicyUpdate (name: NameIsDNSSubdomain)."""
    errs = validate_object_meta(np.get("metadata") or {},
                                name_check=content.is_dns1123_subdomain)
    return errs + validate_network_policy_spec(np.get("spec") or {},
                                               allowed_cidrs=existing_cidrs(old))
