"""Enforcement lag: a NetworkPolicy change reaches the data plane N seconds after the API took it.

Real CNIs program policy asynchronously: the API server answers `kubectl apply` at once, and
each node's agent (calico-node/Felix, cilium-agent, kube-router) computes and installs the rules
later, typically in well under a second and sometimes many seconds on a loaded cluster
(Kubernetes' own e2e suite polls for this reason: test/e2e/network/netpol/kubemanager.go
`probeConnectivity` retries, and the network-policy-api conformance helper polls with a
timeout). The knob `timing.enforcementLag` reproduces that, so `execute --settle` and
`enforce-time` can be tested with real packets: the data plane is given, for each policy, the
newest version that is at least `lag` seconds old. Policies present when the scenario is loaded
are in force from the start; only later changes lag. The same history serves a per-node
override (nodeenforcement.py: a Node annotated `sandbox.netpoltest.test/enforcement-lag=<s>`
enforces, for its own pods, the policies that are at least that old), so there is one lag
knob, cluster-wide or for one node whose agent is slow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from tests.sandbox.resources import NETWORKPOLICIES
from tests.sandbox.store import Event, Store

Key = tuple[str, str]


class EnforcementLag:
    def __init__(self, *, store: Store, lag: float, request_sync: Callable[[], object]) -> None:
        self.lag = lag
        self._store = store
        self._request_sync = request_sync
        self._armed = False
        # Per policy, its versions in order: (time the API accepted it, object or None if
        # deleted); a version takes effect `lag` seconds after it was accepted.
        self._history: dict[Key, list[tuple[float, dict | None]]] = {}
        self.node_lags: Callable[[], Iterable[float]] = tuple
        """Per-node lags in force (nodeenforcement.py): a change re-syncs after each."""
        store.listen(self._on_event)

    def arm(self) -> None:
        """From now on, changes lag (the scenario's own policies were in force at once)."""
        self._armed = True

    def _on_event(self, ev: Event) -> None:
        if ev.rt != NETWORKPOLICIES:
            return
        meta = ev.obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        accepted = time.monotonic() if self._armed else float("-inf")
        obj = None if ev.type == "DELETED" else ev.obj
        self._history.setdefault(key, []).append((accepted, obj))
        if self._armed:
            # Re-sync once the change is due; a little late rather than early.
            for lag in {self.lag, *self.node_lags()}:
                if lag > 0:
                    asyncio.get_running_loop().call_later(lag + 0.05, self._request_sync)

    def effective(self, lag: float | None = None) -> list[dict]:
        """The policies the data plane enforces now: each policy's newest version at least
        `lag` seconds old (default: the cluster-wide lag; a lagging node passes its own)."""
        now = time.monotonic()
        lag = self.lag if lag is None else lag
        out = []
        for versions in self._history.values():
            current = None
            for accepted, obj in versions:
                if accepted + lag <= now:
                    current = obj
            if current is not None:
                out.append(current)
        return out
