"""cleanup never loses a pod unless told to, and goes one at a time."""

from __future__ import annotations

from kubectl_netpoltest.cluster.gateway import ContainerState, ControllerInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine.cleanup import CleanupAction, cleanup
from kubectl_netpoltest.engine.instrument import LABEL_KEY
from kubectl_netpoltest.engine.options import CleanupOptions
from tests.unit.engine.fakegateway import FakeGateway, make_pod

WEB = PodRef(name="web", namespace="shop", podname="web")
MARK = {LABEL_KEY: "true"}


def _gateway(replicas: int = 2) -> FakeGateway:
    gateway = FakeGateway()
    gateway.controllers[("ReplicaSet", "web-rs")] = ControllerInfo(
        "ReplicaSet", "web-rs", replicas, None
    )
    return gateway


def test_deletes_only_labelled_pods_of_this_spec_and_waits_for_the_replacement() -> None:
    gateway = _gateway().add(
        make_pod("web-a", labels=MARK),
        make_pod("web-b"),
        make_pod("api-a", labels=MARK, owner=("ReplicaSet", "api-rs")),
    )
    report = cleanup(
        gateway=gateway, sources=[WEB], options=CleanupOptions(ready_timeout_seconds=2)
    )
    assert [(r.pod, r.action) for r in report] == [("shop/web-a", CleanupAction.DELETED)]
    assert "ReplicaSet web-rs is back to 2 Ready pod(s)" in report[0].message
    assert ("delete", "shop/api-a") not in gateway.calls


def test_bare_pod_is_left_alone_unless_forced() -> None:
    gateway = _gateway().add(make_pod("web-bare", labels=MARK, owner=None))
    (item,) = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions())
    assert item.action is CleanupAction.SKIPPED
    assert item.message.startswith("a bare pod: no controller would recreate it")
    assert gateway.calls == []
    (forced,) = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(force=True))
    assert forced.action is CleanupAction.DELETED
    assert "forced" in forced.message


def test_single_replica_is_left_alone() -> None:
    gateway = _gateway(replicas=1).add(make_pod("web-a", labels=MARK))
    (item,) = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions())
    assert item.action is CleanupAction.SKIPPED
    assert "the only replica of ReplicaSet web-rs" in item.message


def test_dry_run_changes_nothing() -> None:
    gateway = _gateway().add(make_pod("web-a", labels=MARK), make_pod("web-b", labels=MARK))
    report = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(dry_run=True))
    assert [r.action for r in report] == [CleanupAction.WOULD_DELETE] * 2
    assert gateway.calls == []


def test_stops_at_the_first_replacement_that_does_not_come_back() -> None:
    gateway = _gateway().add(make_pod("web-a", labels=MARK), make_pod("web-b", labels=MARK))
    gateway.replace_on_delete = False
    report = cleanup(
        gateway=gateway, sources=[WEB], options=CleanupOptions(ready_timeout_seconds=1)
    )
    assert [r.action for r in report] == [CleanupAction.FAILED]
    assert "stopping here so no more pods go down" in report[0].message
    assert [c for c in gateway.calls if c[0] == "delete"] == [("delete", "shop/web-a")]


def test_keep_pods_stops_the_container_and_removes_the_label() -> None:
    running = ContainerState("netpoltest-abcde", "img", "running")
    gateway = _gateway().add(make_pod("web-a", labels=MARK, ephemeral=(running,)))
    (item,) = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(keep_pods=True))
    assert item.action is CleanupAction.KEPT
    assert [kind for kind, _ in gateway.calls] == ["exec", "label"]
    assert LABEL_KEY not in gateway.pods["shop/web-a"].labels
