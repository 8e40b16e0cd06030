"""`cleanup --keep-pods`: stop our debug containers and remove the label, deleting nothing."""

from __future__ import annotations

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.engine import instrument, signals
from kubectl_netpoltest.engine.cleanup_items import CleanupAction, PodCleanup


def keep(gateway: ClusterGateway, pod: PodInfo, *, dry_run: bool) -> PodCleanup:
    running = [
        c.name
        for c in pod.ephemeral
        if c.name.startswith(instrument.CONTAINER_PREFIX) and c.state == "running"
    ]
    if dry_run:
        return PodCleanup(
            pod.ref,
            CleanupAction.WOULD_KEEP,
            f"would stop {', '.join(running) or 'no running debug container'} and "
            "remove the label, keeping the pod",
        )
    for name in running:
        with signals.deferred():
            result = gateway.exec_lines(
                namespace=pod.namespace,
                pod=pod.name,
                container=name,
                argv=instrument.stop_command(name=name),
                timeout_seconds=30,
                on_line=lambda _line: None,
            )
        if not result.status.succeeded:
            return PodCleanup(
                pod.ref,
                CleanupAction.FAILED,
                f"could not stop debug container {name}: {result.status.message}",
            )
    with signals.deferred():
        gateway.patch_pod_labels(
            namespace=pod.namespace, name=pod.name, labels={instrument.LABEL_KEY: None}
        )
    stopped = f"stopped {', '.join(running)}; " if running else ""
    return PodCleanup(
        pod.ref,
        CleanupAction.KEPT,
        f"{stopped}label removed; the pod keeps running (Kubernetes cannot remove an "
        "ephemeral container from its spec: the exited entry stays)",
    )
