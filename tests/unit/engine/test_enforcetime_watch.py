"""enforce-time's wait for a policy change, against watches that behave like real ones.

Found by reading wait_for_change against the API's watch semantics: it told the user "apply
your change now" before the namespaces were listed (a change applied at once, as a CI script
does, fell before the watch's resourceVersion and was never seen: exit 5 "no NetworkPolicy
changed"), and a watch stream that ended early (a load balancer's idle timeout, an API server
restart, a 410 ERROR event) was never resumed, so every later change was missed as well.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from kubectl_netpoltest.engine.enforcetime import PolicyChange, wait_for_change


class Watches:
    """Each call of watch_network_policies for a namespace plays the next script entry:
    (listed {name: resourceVersion}, events to yield, then end the stream)."""

    def __init__(self, scripts: dict[str, list[tuple[dict[str, str], list[tuple[str, str]]]]],
                 *, list_delay: dict[str, float] | None = None) -> None:
        self.scripts = scripts
        self.list_delay = list_delay or {}
        self.log: list[str] = []
        self.lock = threading.Lock()

    def watch_network_policies(
        self, *, namespace: str, timeout_seconds: int,
        on_listed: Callable[[Mapping[str, str]], None] | None = None,
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        time.sleep(self.list_delay.get(namespace, 0.0))
        with self.lock:
            if not self.scripts[namespace]:
                self.log.append(f"exhausted {namespace}")
                time.sleep(timeout_seconds)
                return
            listed, events = self.scripts[namespace].pop(0)
            self.log.append(f"listed {namespace}")
        if on_listed is not None:
            on_listed(listed)
        for kind, name in events:
            yield kind, {"metadata": {"namespace": namespace, "name": name}}


def test_the_user_is_told_to_apply_only_once_every_namespace_is_listed() -> None:
    watches = Watches({"a": [({}, [])], "b": [({}, [("ADDED", "deny")])]},
                      list_delay={"b": 0.3})

    def ready() -> None:
        with watches.lock:
            watches.log.append("ready")

    found = wait_for_change(watches, namespaces=["a", "b"], timeout_seconds=5,  # type: ignore[arg-type]
                            on_watching=ready)
    assert found is not None and found[0] == PolicyChange("ADDED", "b/deny")
    assert watches.log.index("ready") > watches.log.index("listed b")


def test_a_stream_that_ends_early_is_resumed_and_a_change_in_the_gap_is_seen() -> None:
    watches = Watches({"a": [({"deny": "1"}, []), ({"deny": "2"}, [])]})
    found = wait_for_change(watches, namespaces=["a"], timeout_seconds=3)  # type: ignore[arg-type]
    assert found is not None and found[0] == PolicyChange("MODIFIED", "a/deny")


def test_a_policy_created_or_deleted_in_the_gap_is_named() -> None:
    created = Watches({"a": [({"x": "1"}, []), ({"x": "1", "new": "5"}, [])]})
    found = wait_for_change(created, namespaces=["a"], timeout_seconds=3)  # type: ignore[arg-type]
    assert found is not None and found[0] == PolicyChange("ADDED", "a/new")
    deleted = Watches({"a": [({"x": "1"}, []), ({}, [])]})
    found = wait_for_change(deleted, namespaces=["a"], timeout_seconds=3)  # type: ignore[arg-type]
    assert found is not None and found[0] == PolicyChange("DELETED", "a/x")
