"""The sandbox's EndpointSlice controller (endpointslices.py), pure: slices per resolved port
set, readiness conditions, placeholder slice, pods without the named port left out."""

from __future__ import annotations

from typing import Any

from tests.sandbox.endpointslices import endpoint_slices

SERVICE = {"metadata": {"name": "api", "namespace": "shop", "uid": "u1"},
           "spec": {"ports": [{"name": "web", "port": 80, "targetPort": "http"}]}}


def _pod(name: str, ip: str | None, port: int | None, *, ready: bool = True,
         terminating: bool = False) -> dict[str, Any]:
    ports = [{"name": "http", "containerPort": port}] if port else []
    meta: dict[str, Any] = {"name": name, "uid": f"uid-{name}"}
    if terminating:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"metadata": meta, "spec": {"nodeName": "node-1", "containers": [{"ports": ports}]},
            "status": {"podIP": ip, "ready": ready}}


def _slices(*pods: dict[str, Any]) -> list[dict[str, Any]]:
    return endpoint_slices(
        SERVICE, list(pods), is_ready=lambda p: p["status"]["ready"],
        is_terminating=lambda p: "deletionTimestamp" in p["metadata"])


def test_one_slice_per_resolved_port_with_conditions_node_and_target_ref() -> None:
    slices = _slices(_pod("a", "10.0.0.1", 8080), _pod("b", "10.0.0.2", 8081, ready=False),
                     _pod("c", "10.0.0.3", 8080, terminating=True))
    by_port = {s["ports"][0]["port"]: s for s in slices}
    assert sorted(by_port) == [8080, 8081]
    stable = by_port[8080]
    assert stable["metadata"]["labels"]["kubernetes.io/service-name"] == "api"
    assert [(e["targetRef"]["name"], e["conditions"]) for e in stable["endpoints"]] == [
        ("a", {"ready": True, "serving": True, "terminating": False}),
        ("c", {"ready": False, "serving": True, "terminating": True}),
    ]
    assert by_port[8081]["endpoints"][0]["conditions"]["ready"] is False
    assert stable["endpoints"][0]["nodeName"] == "node-1"


def test_pods_without_ip_or_the_named_port_are_left_out_and_a_placeholder_stays() -> None:
    slices = _slices(_pod("a", None, 8080), _pod("b", "10.0.0.2", None))
    assert len(slices) == 1 and slices[0]["endpoints"] == [] and slices[0]["ports"] == []
