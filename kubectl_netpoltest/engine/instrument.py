"""How we mark and instrument pods: our label, our container, and which pod to pick.

The label goes on first and comes off only with the pod (or with `cleanup --keep-pods`), so a
pod with our debug container always carries it: cleanup finds every pod we touched.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kubectl_netpoltest.cluster.gateway import PodInfo
from kubectl_netpoltest.core.model import PodRef

LABEL_KEY = "netpoltest.io/instrumented"
LABEL_VALUE = "true"
PROBE_CONTAINER_KEY = "netpoltest.io/probe-container"
"""Annotation: the debug container the last successful prepare reported for this pod."""
CONTAINER_PREFIX = "netpoltest-"
DEFAULT_IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.53"
"""Kubernetes' own e2e test image: maintained by SIG Testing, multi-arch (amd64, arm64, ppc64le,
s390x), Alpine with bash, netcat-openbsd, dig (bind-tools), getent and busybox: everything the
probe script needs, and nothing that needs privileges."""
PROBE_USER = 65532
"""A numeric non-root user, so runAsNonRoot can be verified by the kubelet."""

_ALPHABET = string.ascii_lowercase + string.digits

# Stays alive for TTL seconds, or until /tmp/<name>.stop appears (`cleanup --keep-pods`).
# Arguments come as argv ($1 ttl, $2 name), never as shell text.
KEEPALIVE = (
    "end=$(( $(date +%s) + $1 )); "
    'while [ "$(date +%s)" -lt "$end" ] && [ ! -e "/tmp/$2.stop" ]; do sleep 1; done'
)


def container_name(*, taken: Sequence[str]) -> str:
    """`netpoltest-` plus 5 random characters, redrawn on a collision (like kubectl debug)."""
    while True:
        name = CONTAINER_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(5))
        if name not in taken:
            return name


def debug_container(*, name: str, image: str, ttl_seconds: int) -> dict[str, Any]:
    """The ephemeral container: restricted-profile compliant, bounded lifetime, no ports."""
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", KEEPALIVE, "netpoltest-keepalive", str(ttl_seconds), name],
        "stdin": False,
        "tty": False,
        "terminationMessagePolicy": "File",
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": PROBE_USER,
            "runAsGroup": PROBE_USER,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }


def stop_command(*, name: str) -> list[str]:
    return ["sh", "-c", 'touch "/tmp/$1.stop"', "netpoltest-stop", name]


def matches(ref: PodRef, pod: PodInfo) -> bool:
    """Does this pod answer to the spec's pod reference (prefix or selector)?"""
    if ref.podname is not None:
        return pod.name.startswith(ref.podname)
    return ref.selector is not None and ref.selector.matches(dict(pod.labels))


def running_debug_container(pod: PodInfo, *, image: str | None = None) -> str | None:
    """Our newest running debug container in this pod (of that image, if one is given)."""
    ours = [
        c
        for c in pod.ephemeral
        if c.name.startswith(CONTAINER_PREFIX)
        and c.state == "running"
        and (image is None or c.image == image)
    ]
    if not ours:
        return None
    order = {name: index for index, name in enumerate(pod.ephemeral_specs)}
    return max(ours, key=lambda c: order.get(c.name, -1)).name


def probe_container(pod: PodInfo, *, image: str | None = None) -> str | None:
    """THE debug container that runs the probes in this pod, one rule for prepare and execute:
    the one the last successful prepare reported (annotation PROBE_CONTAINER_KEY) if it still
    runs (and is of `image`, when given), else our newest running one of `image` (any image
    when none is given). So after `prepare --image other` execute uses the new container, never
    an older broken one of another image, and prepare reuses exactly what execute will use."""
    chosen = pod.annotations.get(PROBE_CONTAINER_KEY)
    for c in pod.ephemeral:
        if c.name == chosen and c.state == "running" and (image is None or c.image == image):
            return chosen
    return running_debug_container(pod, image=image)


def is_instrumented(pod: PodInfo) -> bool:
    return pod.labels.get(LABEL_KEY) == LABEL_VALUE


def has_debug_container(pod: PodInfo) -> bool:
    """Does the pod's spec carry one of our ephemeral containers (in any state)? Only such a pod
    is ever deleted by cleanup: a bare label may have been put there by someone else."""
    return any(name.startswith(CONTAINER_PREFIX) for name in pod.ephemeral_specs)


def still_instrumented(pod: PodInfo) -> bool:
    """Not back to normal: our label, or a debug container of ours that has not exited. (The
    spec entry of an exited one cannot be removed, so that alone does not count.)"""
    live = any(
        c.name.startswith(CONTAINER_PREFIX) and c.state != "terminated" for c in pod.ephemeral
    )
    started = {c.name for c in pod.ephemeral}
    never_started = any(
        n.startswith(CONTAINER_PREFIX) and n not in started for n in pod.ephemeral_specs
    )
    return is_instrumented(pod) or live or never_started


@dataclass(frozen=True)
class Candidates:
    usable: tuple[PodInfo, ...]
    host_network: tuple[PodInfo, ...]
    not_ready: tuple[PodInfo, ...]


def candidates(ref: PodRef, pods: Sequence[PodInfo]) -> Candidates:
    found = sorted((p for p in pods if matches(ref, p) and not p.deleting), key=lambda p: p.name)
    host = tuple(p for p in found if p.host_network)
    running = [p for p in found if not p.host_network and p.phase == "Running"]
    return Candidates(
        usable=tuple(p for p in running if p.ready),
        host_network=host,
        not_ready=tuple(
            p
            for p in found
            if (not p.host_network and p not in running)
            or (p.phase == "Running" and not p.ready and not p.host_network)
        ),
    )


def choose(found: Candidates, *, image: str | None = None) -> PodInfo | None:
    """Ours with the probe container (of `image`), else ours with any running debug container,
    else one we already touched, else the first Ready."""
    for pod in found.usable:
        if is_instrumented(pod) and probe_container(pod, image=image):
            return pod
    for pod in found.usable:
        if is_instrumented(pod) and running_debug_container(pod):
            return pod
    for pod in found.usable:
        if is_instrumented(pod):
            return pod
    return found.usable[0] if found.usable else None
