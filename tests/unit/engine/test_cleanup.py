"""cleanup never loses a pod unless told to, never takes a workload below one Ready pod, and
names every pod it leaves instrumented."""

from __future__ import annotations

from dataclasses import replace

from kubectl_netpoltest.cluster.gateway import ContainerState, ControllerInfo, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine.cleanup import CleanupAction, cleanup, outcome
from kubectl_netpoltest.engine.cleanup_lease import LEASE_KEY
from kubectl_netpoltest.engine.instrument import LABEL_KEY
from kubectl_netpoltest.engine.options import CleanupOptions
from kubectl_netpoltest.errors import PodsLeftInstrumented
from kubectl_netpoltest.exitcodes import ExitCode
from tests.unit.engine.fakegateway import FakeGateway, make_pod

WEB = PodRef(name="web", namespace="shop", podname="web")
MARK = {LABEL_KEY: "true"}
DEBUG = (ContainerState("netpoltest-abcde", "img", "running"),)


def _ours(name: str, **kwargs: object) -> PodInfo:
    return make_pod(name, labels=MARK, ephemeral=DEBUG, **kwargs)  # type: ignore[arg-type]


def _gateway(replicas: int = 2) -> FakeGateway:
    gateway = FakeGateway()
    gateway.controllers[("ReplicaSet", "web-rs")] = ControllerInfo(
        "ReplicaSet", "web-rs", replicas, None
    )
    return gateway


def _deletes(gateway: FakeGateway) -> list[str]:
    return [target for kind, target in gateway.calls if kind == "delete"]


def test_deletes_only_instrumented_pods_of_this_spec_and_waits_for_the_replacement() -> None:
    gateway = _gateway().add(
        _ours("web-a"),
        make_pod("web-b"),
        _ours("api-a", owner=("ReplicaSet", "api-rs")),
    )
    report = cleanup(
        gateway=gateway, sources=[WEB], options=CleanupOptions(ready_timeout_seconds=2)
    )
    actions = [(r.pod, r.action) for r in report]
    assert actions == [("shop/web-a", CleanupAction.DELETED), ("shop/api-a", CleanupAction.LEFT)]
    assert "ReplicaSet web-rs is back to 2 Ready pod(s)" in report[0].message
    assert "`cleanup -A` covers it" in report[1].message  # named, never silently left
    assert _deletes(gateway) == ["shop/web-a"]


def test_bare_pod_is_left_alone_unless_forced() -> None:
    gateway = _gateway().add(_ours("web-bare", owner=None))
    (item,) = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions())
    assert item.action is CleanupAction.SKIPPED
    assert item.message.startswith("a bare pod: no controller would recreate it")
    assert _deletes(gateway) == []
    (forced,) = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(force=True))
    assert forced.action is CleanupAction.DELETED
    assert "forced" in forced.message


def test_the_only_ready_pod_is_left_alone_whatever_the_desired_replicas() -> None:
    """Item 1: 2 desired replicas, the other one not Ready: deleting ours means 0 Ready."""
    gateway = _gateway(replicas=2).add(_ours("web-a"), make_pod("web-b", ready=False))
    dry = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(dry_run=True))
    real = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions())
    for report in (dry, real):
        (item,) = report
        assert item.action is CleanupAction.SKIPPED
        assert "the only Ready pod of ReplicaSet web-rs (others: web-b" in item.message
    assert _deletes(gateway) == []


def test_a_label_without_our_container_is_removed_and_the_pod_kept() -> None:
    """Item 3: someone else's label is no reason to delete a pod."""
    gateway = _gateway().add(make_pod("web-a", labels=MARK), make_pod("web-b"))
    (item,) = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(force=True))
    assert item.action is CleanupAction.UNLABELLED
    assert _deletes(gateway) == []
    assert LABEL_KEY not in gateway.pods["shop/web-a"].labels


def test_a_pod_leased_by_another_run_is_not_counted_as_ready() -> None:
    """Item 2: another run is about to delete web-b; ours must not go down too."""
    lease = {LEASE_KEY: "otherrun;9999999999"}
    gateway = _gateway().add(_ours("web-a"), replace(make_pod("web-b"), annotations=lease))
    (item,) = cleanup(
        gateway=gateway, sources=[WEB], options=CleanupOptions(ready_timeout_seconds=1)
    )
    assert item.action is CleanupAction.SKIPPED
    assert "web-b (being cleaned by another run)" in item.message
    assert _deletes(gateway) == []


def test_an_unreadable_controller_is_one_pods_business_and_the_run_goes_on() -> None:
    """Item 5: the controller cannot be read (Forbidden): every pod is still examined."""
    gateway = FakeGateway().add(  # no controllers registered: get_controller is Forbidden
        _ours("web-a", owner=("StatefulSet", "web")),
        make_pod("web-b", owner=("StatefulSet", "web")),
        _ours("web-c", owner=("DaemonSet", "agent")),
        _ours("web-d", owner=("Job", "once")),
    )
    report = cleanup(
        gateway=gateway, sources=[WEB], options=CleanupOptions(ready_timeout_seconds=2)
    )
    assert [r.action for r in report] == [
        CleanupAction.DELETED,
        CleanupAction.SKIPPED,
        CleanupAction.SKIPPED,
    ]
    error = outcome(report, dry_run=False)
    assert isinstance(error, PodsLeftInstrumented)
    assert error.exit_code is ExitCode.PODS_LEFT
    assert "2 pod(s) still carry" in str(error)


def test_dry_run_changes_nothing() -> None:
    gateway = _gateway().add(_ours("web-a"), _ours("web-b"))
    report = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(dry_run=True))
    assert [r.action for r in report] == [CleanupAction.WOULD_DELETE] * 2
    assert gateway.calls == []
    assert outcome(report, dry_run=True) is None


def test_a_replacement_that_does_not_come_back_fails_that_pod_only() -> None:
    gateway = _gateway(replicas=3).add(_ours("web-a"), _ours("web-b"), make_pod("web-c"))
    gateway.replace_on_delete = False
    report = cleanup(
        gateway=gateway, sources=[WEB], options=CleanupOptions(ready_timeout_seconds=1)
    )
    assert [r.action for r in report] == [CleanupAction.FAILED, CleanupAction.SKIPPED]
    assert "did not get back to 3 Ready pod(s)" in report[0].message
    # web-c is still Ready, but a workload that does not come back loses no more pods
    assert "did not get back to its Ready pods after an earlier delete" in report[1].message
    assert _deletes(gateway) == ["shop/web-a"]


def test_keep_pods_stops_the_container_and_removes_the_label() -> None:
    gateway = _gateway().add(_ours("web-a"))
    (item,) = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(keep_pods=True))
    assert item.action is CleanupAction.KEPT
    assert [kind for kind, _ in gateway.calls] == ["exec", "label"]
    assert LABEL_KEY not in gateway.pods["shop/web-a"].labels


def test_one_pod_of_a_workload_at_a_time_across_runs() -> None:
    """Item 2: web-c is being replaced (by another run): web-a waits although web-b is Ready."""
    gateway = _gateway(replicas=3).add(
        _ours("web-a"), make_pod("web-b"), replace(make_pod("web-c"), deleting=True)
    )
    dry = cleanup(gateway=gateway, sources=[WEB], options=CleanupOptions(dry_run=True))
    assert "would wait up to" in dry[0].message
    (item,) = cleanup(
        gateway=gateway, sources=[WEB], options=CleanupOptions(ready_timeout_seconds=1)
    )
    assert item.action is CleanupAction.SKIPPED
    assert "another pod of ReplicaSet web-rs is being replaced (web-c (terminating))" in (
        item.message
    )
    assert _deletes(gateway) == []
