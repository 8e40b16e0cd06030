"""Enforcement lag: a NetworkPolicy change reaches the data plane N seconds after the API took it.

Real CNIs program policy asynchronously: the API server answers `kubectl apply` at once, and
each node's agent (calico-node/Felix, cilium-agent, kube-router) computes and installs the rules
later, typically in well under a second and sometimes many seconds on a loaded cluster
(Kubernetes' own e2e suite polls for this reason: test/e2e/network/netpol/kubemanager.go
`probeConnectivity` retries, and the network-policy-api conformance helper polls with a
timeout). The knob `timing.enforcementLag` reproduces that, so `execute --settle` and
`enforce-time` can be tested with real packets: the data plane is given, for each policy, the
newest version that is at least `lag` seconds old. Policies present when the scenario is loaded
are in force from the start; only later changes lag. One lag for the whole cluster: the sandbox
has a single enforcement point (its router), so there is no per-node spread to model yet.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from tests.sandbox.resources import NETWORKPOLICIES
from tests.sandbox.store import Event, Store

Key = tuple[str, str]


class EnforcementLag:
    def __init__(self, *, store: Store, lag: float, request_sync: Callable[[], object]) -> None:
        self.lag = lag
        self._store = store
        self._request_sync = request_sync
        self._armed = False
        # Per policy, its versions in order: (time it takes effect, object or None if deleted).
        self._history: dict[Key, list[tuple[float, dict | None]]] = {}
        store.listen(self._on_event)

    def arm(self) -> None:
        """From now on, changes lag (the scenario's own policies were in force at once)."""
        self._armed = True

    def _on_event(self, ev: Event) -> None:
        if ev.rt != NETWORKPOLICIES:
            return
        meta = ev.obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        due = time.monotonic() + self.lag if self._armed else float("-inf")
        obj = None if ev.type == "DELETED" else ev.obj
        self._history.setdefault(key, []).append((due, obj))
        if self._armed:
            # Re-sync once the change is due; a little late rather than early.
            asyncio.get_running_loop().call_later(self.lag + 0.05, self._request_sync)

    def effective(self) -> list[dict]:
        """The policies the data plane enforces now."""
        now = time.monotonic()
        out = []
        for versions in self._history.values():
            current = None
            for due, obj in versions:
                if due <= now:
                    current = obj
            if current is not None:
                out.append(current)
        return out
