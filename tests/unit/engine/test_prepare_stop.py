"""prepare under SIGINT/SIGTERM, failures that leave state, and the one container rule."""

from __future__ import annotations

import _thread
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest

from kubectl_netpoltest.cluster.gateway import ContainerState, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.engine import prepare as prepare_module
from kubectl_netpoltest.engine.instrument import LABEL_KEY, PROBE_CONTAINER_KEY
from kubectl_netpoltest.engine.options import PrepareOptions
from kubectl_netpoltest.engine.prepare import PrepareInterrupted, PrepState, prepare
from kubectl_netpoltest.engine.prepare_pod import Control, instrument_pod
from tests.unit.engine.fakegateway import FakeGateway, make_pod

WEB = PodRef(name="web", namespace="shop", podname="web")
OPTIONS = PrepareOptions(image="example/agnhost:1", ttl_seconds=60, timeout_seconds=5)


@dataclass
class StopAfterLabel(FakeGateway):
    control: Control | None = None

    def patch_pod_labels(
        self, *, namespace: str, name: str, labels: Mapping[str, str | None]
    ) -> PodInfo:
        pod = super().patch_pod_labels(namespace=namespace, name=name, labels=labels)
        if self.control is not None:
            self.control.stop.set()  # the signal arrives while the label patch is in flight
        return pod


def test_a_stop_between_label_and_container_rolls_the_label_back() -> None:
    control = Control()
    gateway = StopAfterLabel(control=control).add(make_pod("web-a"))
    result = instrument_pod(
        gateway=gateway,
        source=WEB,
        pod=gateway.pods["shop/web-a"],
        options=OPTIONS,
        skipped=(),
        control=control,
    )
    assert result.state is PrepState.INTERRUPTED
    assert "label removed again, nothing changed" in result.message
    assert [kind for kind, _ in gateway.calls] == ["label", "label"]
    assert LABEL_KEY not in gateway.pods["shop/web-a"].labels
    assert not result.instrumented


_RUNS: list[Control] = []


@dataclass
class _SpyControl(Control):
    def __post_init__(self) -> None:
        _RUNS.append(self)


@dataclass
class InterruptOnAdd(FakeGateway):
    def add_ephemeral_container(
        self,
        *,
        namespace: str,
        name: str,
        container: Mapping[str, Any],
        resource_version: str | None = None,
    ) -> PodInfo:
        pod = super().add_ephemeral_container(
            namespace=namespace, name=name, container=container, resource_version=resource_version
        )
        _thread.interrupt_main()  # Ctrl-C while the first source is being prepared ...
        assert _RUNS[-1].stop.wait(10)  # ... seen by prepare's main thread before we go on
        return pod


def test_an_interrupt_starts_nothing_new_and_reports_every_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prepare_module, "Control", _SpyControl)
    sources = [PodRef(name=n, namespace="shop", podname=n) for n in ("web", "api", "db")]
    gateway = InterruptOnAdd().add(make_pod("web-a"), make_pod("api-a"), make_pod("db-a"))
    with pytest.raises(PrepareInterrupted) as caught:
        prepare(gateway=gateway, sources=sources, options=replace(OPTIONS, parallelism=1))
    assert isinstance(caught.value.__cause__, KeyboardInterrupt)  # exit code 130/143 kept
    first, *rest = caught.value.results
    assert first.instrumented and first.pod == "shop/web-a"
    assert [r.state for r in rest] == [PrepState.INTERRUPTED] * 2
    assert all("not started (interrupted): nothing changed" in r.message for r in rest)
    assert [kind for kind, _ in gateway.calls].count("add") == 1
    assert gateway.pods["shop/api-a"].labels == {}


def test_a_failure_after_the_container_was_added_says_cleanup_is_needed() -> None:
    waiting = ContainerState("x", "bad/image", "waiting", "ErrImagePull", "not found")
    gateway = FakeGateway(container_outcome=waiting).add(make_pod("web-a"))
    (result,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert result.state is PrepState.FAILED
    assert result.instrumented
    assert "`kubectl netpoltest cleanup` with this spec removes them" in result.message


def test_execute_and_prepare_use_the_container_prepare_reported() -> None:
    """Item 10: a newer running container of another image is not the probe container."""
    good = ContainerState("netpoltest-good1", "agnhost:2.53", "running")
    broken = ContainerState("netpoltest-bbox1", "busybox:1.36", "running")
    pod = make_pod("web-a", labels={LABEL_KEY: "true"}, ephemeral=(good, broken))
    assert instrument.probe_container(pod) == "netpoltest-bbox1"  # no record: newest
    pod = replace(pod, annotations={PROBE_CONTAINER_KEY: "netpoltest-good1"})
    assert instrument.probe_container(pod) == "netpoltest-good1"
    assert instrument.probe_container(pod, image="agnhost:2.53") == "netpoltest-good1"
    assert instrument.probe_container(pod, image="busybox:1.36") == "netpoltest-bbox1"
