"""enforce-time: how long after a NetworkPolicy change do packets obey it?

Applies nothing: it watches NetworkPolicies in the spec's namespaces, and from the first change
(create, update or delete) it runs every probe in rounds until each one's observation matches
the spec `stable` times in a row. A probe's time is from the moment the change was seen on the
watch to the start of the first of those matching observations (its arrival minus the probe's
own duration, so a deny's timeout is not counted); the resolution is one round (a round lasts
about one probe timeout while denied probes wait for it). The API server's timestamps have
one-second resolution, which is why the watch event's arrival is the clock's zero.
"""

from __future__ import annotations

import math
import queue
import statistics
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubectl_netpoltest import interrupts
from kubectl_netpoltest.cluster.gateway import ClusterGateway
from kubectl_netpoltest.cluster.inspector import ClusterInspector
from kubectl_netpoltest.core.model import PodTarget, Probe
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine.execute import execute
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.errors import ClusterError
from kubectl_netpoltest.exitcodes import ExitCode


@dataclass(frozen=True)
class PolicyChange:
    kind: str
    """ADDED, MODIFIED or DELETED."""
    policy: str
    """namespace/name."""


@dataclass(frozen=True)
class ProbeTime:
    probe: Probe
    seconds: float | None
    """None: never matched the spec stably within the timeout."""
    last: ProbeResult | None


@dataclass(frozen=True)
class EnforceTimes:
    change: PolicyChange
    times: tuple[ProbeTime, ...]
    rounds: int
    round_seconds: float
    """The mean duration of a round: the measurement's resolution."""
    interrupt_code: ExitCode | None = None
    """130/143 when Ctrl-C or SIGTERM ended the measurement early (the times so far stand)."""

    @property
    def measured(self) -> list[float]:
        return sorted(t.seconds for t in self.times if t.seconds is not None)

    def stat(self, name: str) -> float | None:
        values = self.measured
        if not values:
            return None
        if name == "median":
            return statistics.median(values)
        if name == "p99":  # nearest rank
            return values[max(0, math.ceil(0.99 * len(values)) - 1)]
        return values[-1]


def exit_code_of(times: EnforceTimes) -> ExitCode:
    """enforce-time's exit code: 0 every probe matched; 1 some never did, on a definite
    contradiction (FAIL); 5 the rest never ran conclusively (their last round ERROR: exec
    failed, pod gone), since an ERROR is no evidence that the policy is not enforced;
    130/143 interrupted."""
    if times.interrupt_code is not None:
        return times.interrupt_code
    never = [t for t in times.times if t.seconds is None]
    if not never:
        return ExitCode.OK
    if any(t.last is not None and t.last.verdict is Verdict.FAIL for t in never):
        return ExitCode.TEST_FAILURES
    return ExitCode.INCONCLUSIVE


def namespaces_of(probes: Sequence[Probe]) -> list[str]:
    found = {p.source.namespace or "default" for p in probes}
    found |= {
        p.target.pod.namespace or "default" for p in probes if isinstance(p.target, PodTarget)
    }
    return sorted(found)


RESUME_PAUSE_SECONDS = 1.0
"""Before re-listing after a watch stream ended early: never a busy loop on a closing server."""


def _missed(
    namespace: str, before: Mapping[str, str], now: Mapping[str, str]
) -> PolicyChange | None:
    """The change a re-list shows against the first list (it fell in a gap between watches)."""
    for name in sorted(set(before) | set(now)):
        if name not in before:
            return PolicyChange("ADDED", f"{namespace}/{name}")
        if name not in now:
            return PolicyChange("DELETED", f"{namespace}/{name}")
        if before[name] != now[name]:
            return PolicyChange("MODIFIED", f"{namespace}/{name}")
    return None


def wait_for_change(
    inspector: ClusterInspector,
    *,
    namespaces: Sequence[str],
    timeout_seconds: int,
    on_watching: Callable[[], None] | None = None,
) -> tuple[PolicyChange, float] | None:
    """The first NetworkPolicy change in any of the namespaces, and when it was seen.

    `on_watching` runs once every namespace is listed: only from then on is a change certain
    to be seen (the watch starts at the list's resourceVersion), so that is when the user may
    be told to apply it. A stream that ends before the deadline (a load balancer's idle
    timeout, an API server restart, a 410 ERROR event) is resumed with a new list, compared
    with the first one so that a change in the gap is not lost."""
    events: queue.Queue[tuple[PolicyChange, float] | ClusterError | str] = queue.Queue()
    deadline = time.monotonic() + timeout_seconds

    def watch(namespace: str) -> None:
        first: dict[str, str] | None = None

        def listed(versions: Mapping[str, str]) -> None:
            nonlocal first
            if first is None:
                first = dict(versions)
                events.put(namespace)
            elif (change := _missed(namespace, first, versions)) is not None:
                events.put((change, time.monotonic()))

        try:
            while (remaining := deadline - time.monotonic()) >= 1:
                for kind, obj in inspector.watch_network_policies(
                    namespace=namespace, timeout_seconds=int(remaining), on_listed=listed
                ):
                    meta: Mapping[str, Any] = obj.get("metadata") or {}
                    change = PolicyChange(kind, f"{meta.get('namespace')}/{meta.get('name')}")
                    events.put((change, time.monotonic()))
                    return
                time.sleep(RESUME_PAUSE_SECONDS)
        except ClusterError as exc:
            events.put(exc)

    for namespace in namespaces:
        threading.Thread(target=watch, args=(namespace,), daemon=True).start()
    waiting_for = set(namespaces)
    while True:
        try:
            item = events.get(timeout=max(0.0, deadline - time.monotonic()) + 5)
        except queue.Empty:
            return None
        if isinstance(item, ClusterError):
            raise item
        if isinstance(item, str):
            waiting_for.discard(item)
            if not waiting_for and on_watching is not None:
                on_watching()
            continue
        return item


def measure(
    *,
    gateway_factory: Callable[[], ClusterGateway],
    probes: Sequence[Probe],
    options: ExecuteOptions,
    spec_path: str,
    change: PolicyChange,
    seen_at: float,
    stable: int,
    timeout_seconds: float,
    on_round: Callable[[int, int], None] | None = None,
) -> EnforceTimes:
    """Rounds of every not-yet-settled probe until all match `stable` times or time runs out."""
    first_match: dict[str, float] = {}
    streak = {p.id: 0 for p in probes}
    done: dict[str, float] = {}
    last: dict[str, ProbeResult] = {}
    rounds = 0
    interrupt_code: ExitCode | None = None
    started = time.monotonic()
    while len(done) < len(probes) and time.monotonic() - seen_at < timeout_seconds:
        waiting = [p for p in probes if p.id not in done]
        arrived: dict[str, float] = {}

        def stamp(result: ProbeResult, arrived: dict[str, float] = arrived) -> None:
            arrived.setdefault(result.probe.id, time.monotonic())

        try:
            outcome = execute(
                gateway_factory=gateway_factory,
                probes=waiting,
                options=options,
                spec_path=spec_path,
                on_result=stamp,
            )
        except KeyboardInterrupt as exc:  # between two of execute's own handlers
            interrupt_code = interrupts.exit_code_of(exc)
            break
        if outcome.interrupted:
            # A cut round proves nothing: its unfinished probes are ERROR 'interrupted', and
            # the evidence before the signal (`last`) must not be replaced by that.
            interrupt_code = outcome.interrupt_code or ExitCode.INTERRUPTED
            break
        rounds += 1
        for result in outcome.results:
            probe_id = result.probe.id
            last[probe_id] = result
            if result.verdict is not Verdict.PASS:
                streak[probe_id] = 0
                continue
            if streak[probe_id] == 0:
                # When the matching packet left, not when its answer came back: a denied probe
                # reports only after its timeout, which is no part of the enforcement time.
                arrival = arrived.get(probe_id, time.monotonic())
                first_match[probe_id] = max(seen_at, arrival - result.seconds)
            streak[probe_id] += 1
            if streak[probe_id] >= stable:
                done[probe_id] = first_match[probe_id] - seen_at
        if on_round is not None:
            on_round(rounds, len(done))
    return EnforceTimes(
        change=change,
        times=tuple(ProbeTime(p, done.get(p.id), last.get(p.id)) for p in probes),
        rounds=rounds,
        round_seconds=(time.monotonic() - started) / max(1, rounds),
        interrupt_code=interrupt_code,
    )
