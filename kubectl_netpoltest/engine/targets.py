"""Which pod a pod target means, and whether it still is that pod after the probes ran.

Two ways a pod target can lie, both seen as false PASSes (issue 9):
- the target is the probing pod itself (`from: [db]` to `db`): a connection to one's own IP
  stays on the pod's own interface, which no NetworkPolicy governs. So the source pod is never
  a target; if it is the only match, the probe is an ERROR;
- the target pod is deleted or replaced while the exec runs: probes to its old IP time out, and
  a deny test passes on silence that has nothing to do with the policy. So after the exec every
  probed target is looked up again (same uid, same IPs, Ready, not terminating), else ERROR.
A target that is not Ready or has no IP yet is an ERROR too: a verdict against it would judge
the pod's start-up, not the policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.errors import ClusterError


@dataclass(frozen=True)
class ResolvedTarget:
    """The pod a target stands for in one source's probes, or why there is none."""

    pod: PodInfo | None
    problem: str | None

    @property
    def ips(self) -> tuple[str, ...]:
        return self.pod.ips if self.pod is not None else ()


def _unusable(pod: PodInfo) -> str | None:
    if pod.deleting:
        return "is being deleted"
    if pod.phase != "Running":
        return f"is {pod.phase}, not Running"
    if not pod.ips:
        return "has no IP yet"
    if not pod.ready:
        return "is not Ready"
    return None


def resolve_target(
    target: PodRef, pods: Sequence[PodInfo], *, source: PodInfo | None
) -> ResolvedTarget:
    """The first usable pod (by name) matching `target` that is not the probing pod."""
    matching = sorted((p for p in pods if instrument.matches(target, p)), key=lambda p: p.name)
    others = [p for p in matching if source is None or p.uid != source.uid]
    if matching and not others:
        assert source is not None
        return ResolvedTarget(
            None,
            f"the only pod matching {target.name} ({target.describe()}) is the source itself "
            f"({source.ref}); traffic to itself is not subject to NetworkPolicy: add another "
            "pod that matches, or test this rule from a different source",
        )
    for pod in others:
        if _unusable(pod) is None:
            return ResolvedTarget(pod, None)
    if others:
        pod = others[0]
        return ResolvedTarget(
            None,
            f"target pod {pod.ref} {_unusable(pod)}: a verdict against it would judge its "
            "start-up, not the policy; wait until it is Ready and run execute again",
        )
    return ResolvedTarget(
        None,
        f"target pod {target.name} ({target.describe()}) not found: no running pod with an IP "
        "matches it",
    )


def changed_targets(gateway: ClusterGateway, *, probed: Iterable[PodInfo]) -> dict[str, str]:
    """For each probed target pod (by ref) that is no longer the pod that was probed, why.

    One pod list per namespace. If the list itself fails, every target is in doubt: an ERROR
    is honest, a verdict on unverified targets is not.
    """
    by_namespace: dict[str, list[PodInfo]] = {}
    for pod in probed:
        by_namespace.setdefault(pod.namespace, []).append(pod)
    problems: dict[str, str] = {}
    for namespace, pods in by_namespace.items():
        try:
            now = {p.name: p for p in gateway.list_pods(namespace=namespace)}
        except ClusterError as exc:
            for pod in pods:
                problems[pod.ref] = (
                    f"could not check target pod {pod.ref} after the probe ({exc.message}); "
                    "run execute again"
                )
            continue
        for pod in pods:
            change = _change(pod, now.get(pod.name))
            if change:
                problems[pod.ref] = (
                    f"target pod {pod.ref} {change} during the probe, so its answers are not "
                    "the policy's: run execute again"
                )
    return problems


def _change(before: PodInfo, after: PodInfo | None) -> str | None:
    if after is None:
        return "was deleted"
    if after.uid != before.uid:
        return "was replaced"
    if after.deleting:
        return "started terminating"
    if after.ips != before.ips:
        return f"changed its IPs ({', '.join(before.ips)} -> {', '.join(after.ips) or 'none'})"
    if not after.ready:
        return "stopped being Ready"
    return None
