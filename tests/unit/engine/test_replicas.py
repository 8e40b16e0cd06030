"""Several pods per spec entry (engine/replicas.py): which source pods a spread probe runs
from, what prepare instruments, which target replicas are probed, and the ERROR rows for
nodes or pods no prepared pod covers (never a silent gap in a spread result)."""

from __future__ import annotations

from dataclasses import replace

from kubectl_netpoltest.cluster.gateway import ContainerState, PodInfo
from kubectl_netpoltest.core.labels import LabelSelector
from kubectl_netpoltest.core.model import PodRef, Spread
from kubectl_netpoltest.engine.execbatch import find_source
from kubectl_netpoltest.engine.instrument import LABEL_KEY, LABEL_VALUE
from kubectl_netpoltest.engine.replicas import source_runs, spread_pods, target_replicas
from tests.unit.engine.fakegateway import make_pod

WEB = LabelSelector(match_labels=(("app", "web"),))


def _pod(name: str, node: str, *, prepared: bool = True, ready: bool = True) -> PodInfo:
    labels = {"app": "web", **({LABEL_KEY: LABEL_VALUE} if prepared else {})}
    ephemeral = (ContainerState("netpoltest-a", "agnhost", "running"),) if prepared else ()
    ip = f"10.0.0.{sum(map(ord, name)) % 250}"
    pod = make_pod(name, labels=labels, ephemeral=ephemeral, ready=ready, ips=(ip,))
    return replace(pod, node=node)


def _runs(spread: Spread, pods: list[PodInfo]) -> list[tuple[str | None, str | None, bool]]:
    source = PodRef("web", "shop", selector=WEB, spread=spread)
    runs = source_runs(source, pods, find_one=lambda s, p: find_source(s, p, spec_path="t.yaml"))
    return [
        (r.pod.name if r.pod else None, r.pod.node if r.pod else r.node, bool(r.problem))
        for r in runs
    ]


def test_one_pod_per_node_and_an_error_row_for_an_unprepared_node() -> None:
    pods = [
        _pod("web-a", "node-1"),
        _pod("web-b", "node-1"),
        _pod("web-c", "node-2"),
        _pod("web-d", "node-3", prepared=False),
    ]
    assert _runs(Spread.NODES, pods) == [
        ("web-a", "node-1", False),
        ("web-c", "node-2", False),
        (None, "node-3", True),
    ]
    assert _runs(Spread.ONE, pods) == [("web-a", "node-1", False)]


def test_all_means_every_prepared_pod_plus_error_rows_for_the_rest() -> None:
    pods = [
        _pod("web-a", "node-1"),
        _pod("web-b", "node-1"),
        _pod("web-c", "node-2", prepared=False),
        _pod("web-d", "node-2", ready=False, prepared=False),
    ]
    assert _runs(Spread.ALL, pods) == [
        ("web-a", "node-1", False),
        ("web-b", "node-1", False),
        (None, "node-2", True),
    ]


def test_prepare_takes_the_first_pod_then_one_per_other_node() -> None:
    source = PodRef("web", "shop", selector=WEB, spread=Spread.NODES)
    usable = [
        _pod("web-a", "node-1", prepared=False),
        _pod("web-b", "node-1", prepared=False),
        _pod("web-c", "node-2", prepared=False),
    ]
    chosen = spread_pods(source, usable, first=usable[1])
    assert [p.name for p in chosen] == ["web-b", "web-c"]
    every = spread_pods(replace(source, spread=Spread.ALL), usable, first=usable[1])
    assert [p.name for p in every] == ["web-b", "web-a", "web-c"]


def test_target_replicas_are_the_ready_ones_except_the_probing_pod() -> None:
    pods = [_pod("web-a", "node-1"), _pod("web-b", "node-2"), _pod("web-c", "node-3", ready=False)]
    target = PodRef("web", "shop", selector=WEB)
    assert [p.name for p in target_replicas(target, pods, source=pods[0])] == ["web-b"]
    one = replace(target, targets=Spread.ONE)
    assert target_replicas(one, pods, source=None) == []
