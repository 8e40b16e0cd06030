"""The cleanup lease: how two cleanup runs at once never take a workload below one Ready pod.

Before deleting a pod, a run marks it with an annotation naming the run and an expiry, written
with the pod's resourceVersion as a precondition (a lost race is a 409 Conflict, never a silent
overwrite). Only then does it count the owner's other Ready pods, leaving out every pod another
live run has marked. Two runs that mark two pods of one workload at the same moment each see the
other's mark (each wrote before it read), so at most one of them deletes: the one-Ready-pod rule
holds without any new API kind or permission (patch pods is needed anyway). A run that crashed
leaves a mark that expires; a mark only ever makes cleanup more careful.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo

LEASE_KEY = "netpoltest.io/cleanup-lease"


@dataclass(frozen=True)
class Lease:
    run: str
    expires: float

    def encode(self) -> str:
        return f"{self.run};{int(self.expires)}"


def new_run_id() -> str:
    return secrets.token_hex(4)


def lease_of(pod: PodInfo) -> Lease | None:
    raw = pod.annotations.get(LEASE_KEY)
    if not raw or ";" not in raw:
        return None
    run, _, expires = raw.partition(";")
    try:
        return Lease(run=run, expires=float(expires))
    except ValueError:
        return None


def held_by_other(pod: PodInfo, *, run: str, now: float | None = None) -> bool:
    """Is this pod marked by another cleanup run whose mark has not expired?"""
    lease = lease_of(pod)
    moment = time.time() if now is None else now
    return lease is not None and lease.run != run and lease.expires > moment


def take(gateway: ClusterGateway, pod: PodInfo, *, run: str, seconds: float) -> PodInfo:
    """Mark the pod for this run; raises Conflict if it changed since `pod` was read."""
    lease = Lease(run=run, expires=time.time() + seconds)
    return gateway.annotate_pod(
        namespace=pod.namespace,
        name=pod.name,
        annotations={LEASE_KEY: lease.encode()},
        resource_version=pod.resource_version or None,
    )


def release(gateway: ClusterGateway, pod: PodInfo) -> None:
    gateway.annotate_pod(namespace=pod.namespace, name=pod.name, annotations={LEASE_KEY: None})
