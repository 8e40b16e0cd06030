"""The fake gateway answers label selectors like the API server, set-based forms included."""

from __future__ import annotations

from tests.unit.engine.fakegateway import FakeGateway, make_pod


def test_list_pods_understands_set_based_selectors() -> None:
    gateway = FakeGateway().add(
        make_pod("a", labels={"app": "web", "tier": "front"}),
        make_pod("b", labels={"app": "web", "tier": "back", "canary": "yes"}),
        make_pod("c", labels={"app": "db", "tier": "back"}),
        make_pod("d", labels={"app": "web"}),
    )

    def names(selector: str) -> list[str]:
        return sorted(p.name for p in gateway.list_pods(namespace="shop", label_selector=selector))

    assert names("app=web") == ["a", "b", "d"]
    assert names("app=web,tier in (front,back)") == ["a", "b"]
    assert names("app=web,!canary") == ["a", "d"]
    assert names("tier notin (front),app!=db") == ["b", "d"]
    assert names("tier") == ["a", "b", "c"]
