"""Several nodes, pure: the scheduler spreads a workload's replicas over the workers, and the
node enforcement knob marks that node's pods for the data plane only."""

from __future__ import annotations

from typing import Any

from tests.sandbox.network.model import ENFORCEMENT_ANNOTATION
from tests.sandbox.nodeenforcement import pods_as_enforced
from tests.sandbox.resources import NODES, PODS
from tests.sandbox.scheduler import pick_node
from tests.sandbox.store import Store


def _node(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}}


def _pod(name: str, node: str | None, owner: str = "rs-1") -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": "shop",
            "ownerReferences": [{"uid": owner, "controller": True}],
        },
        "spec": {"nodeName": node} if node else {},
    }


def test_replicas_go_to_the_workers_one_per_node_first() -> None:
    store = Store()
    store.create(NODES, _node("sandbox-node", **{"node-role.kubernetes.io/control-plane": ""}))
    for name in ("node-1", "node-2", "node-3"):
        store.create(NODES, _node(name))
    placed = []
    for i in range(4):
        pod = _pod(f"web-{i}", None)
        pod["spec"]["nodeName"] = pick_node(store, pod)
        placed.append(pod["spec"]["nodeName"])
        store.create(PODS, pod)
    assert placed == ["node-1", "node-2", "node-3", "node-1"]


def test_a_single_node_keeps_admissions_default() -> None:
    store = Store()
    store.create(NODES, _node("sandbox-node"))
    assert pick_node(store, _pod("web-0", None)) is None


def test_the_knob_marks_only_that_nodes_pods_and_leaves_the_store_alone() -> None:
    off = {"metadata": {"name": "node-2", "annotations": {ENFORCEMENT_ANNOTATION: "off"}}}
    pods = [_pod("a", "node-1"), _pod("b", "node-2")]
    seen = pods_as_enforced(pods, [_node("node-1"), off])
    marks = [(p["metadata"].get("annotations") or {}).get(ENFORCEMENT_ANNOTATION) for p in seen]
    assert marks == [None, "off"]
    assert "annotations" not in pods[1]["metadata"]


def test_a_lagging_nodes_pods_take_their_allow_lists_from_the_older_compile() -> None:
    from tests.sandbox.network.nodelag import per_node
    from tests.sandbox.network.policy import AddrMatch, Compiled, Match

    now = Compiled(ingress={"10.0.0.1": (), "10.0.0.2": ()}, egress={"10.0.0.2": ()})
    older = Compiled(ingress={"10.0.0.2": (Match((AddrMatch("0.0.0.0/0"),)),)})
    pods = [
        {"spec": {"nodeName": "node-1"}, "status": {"podIP": "10.0.0.1"}},
        {"spec": {"nodeName": "node-2"}, "status": {"podIP": "10.0.0.2"}},
    ]
    merged = per_node(now, pods=pods, node_policies={"node-2": [{"stale": True}]},
                      compile_set=lambda policies: older)
    assert merged.ingress == {"10.0.0.1": (), "10.0.0.2": older.ingress["10.0.0.2"]}
    assert merged.egress == {}  # not isolated yet on the lagging node
    assert per_node(now, pods=pods, node_policies={}, compile_set=lambda p: older) is now
