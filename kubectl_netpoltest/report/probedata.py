"""Plain-data forms of model objects, for JSON output and JUnit properties."""

from __future__ import annotations

from typing import Any

from kubectl_netpoltest.core.labels import LabelSelector
from kubectl_netpoltest.core.model import HostTarget, PodRef, Probe, ServiceTarget, Spread


def selector_dict(selector: LabelSelector) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if selector.match_labels:
        data["matchLabels"] = dict(selector.match_labels)
    if selector.match_expressions:
        data["matchExpressions"] = [
            {"key": r.key, "operator": r.operator.value, "values": list(r.values)}
            for r in selector.match_expressions
        ]
    return data


def pod_dict(pod: PodRef) -> dict[str, Any]:
    data: dict[str, Any] = {"name": pod.name, "namespace": pod.namespace}
    if pod.spread is not Spread.ONE:
        data["spread"] = pod.spread.value
    if pod.targets is not Spread.ALL:
        data["targets"] = pod.targets.value
    if pod.podname is not None:
        data["podname"] = pod.podname
    if pod.selector is not None:
        data["selector"] = selector_dict(pod.selector)
    return data


def probe_dict(probe: Probe) -> dict[str, Any]:
    if isinstance(probe.target, HostTarget):
        target: dict[str, Any] = {
            "kind": "host",
            "name": probe.target.address,
            "host": probe.target.host,
        }
    elif isinstance(probe.target, ServiceTarget):
        ref = probe.target.service
        target = {
            "kind": "service",
            "name": ref.name,
            "namespace": ref.namespace,
            "service": ref.service,
            "dns": ref.dns,
        }
    else:
        target = {"kind": "pod", **pod_dict(probe.target.pod)}
    return {
        "id": probe.id,
        "rule": probe.rule,
        "alsoInRules": list(probe.also_in_rules),
        "source": pod_dict(probe.source),
        "target": target,
        "port": probe.port,
        "protocol": probe.protocol.value,
        "expect": probe.expect.value,
    }
