"""The not-Ready / crash-loop knob: an annotation on a pod that the sandbox's kubelet honours.

    kubectl annotate pod web-0 sandbox.netpoltest.test/readiness=not-ready    # Running, not Ready
    kubectl annotate pod web-0 sandbox.netpoltest.test/readiness=crash-loop   # CrashLoopBackOff
    kubectl annotate pod web-0 sandbox.netpoltest.test/readiness=ready --overwrite

Put it in a workload's pod template to make every pod of it behave so. A real kubelet reports
a failing readiness probe as phase Running with conditions Ready/ContainersReady False
(reason ContainersNotReady) and the container `ready: false`; a container that keeps exiting
as state waiting/CrashLoopBackOff with the last exit in lastState and a growing restartCount
(pkg/kubelet/kuberuntime, status_manager.go). The pod keeps its IP in both cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ANNOTATION = "sandbox.netpoltest.test/readiness"
MODES = ("ready", "not-ready", "crash-loop")


def mode(pod: Mapping[str, Any]) -> str:
    value = ((pod.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION, "ready")
    return value if value in MODES else "ready"


def apply(pod: Mapping[str, Any], status: dict[str, Any]) -> None:
    """Adjust a Running pod's status (conditions, containerStatuses) to the pod's mode."""
    want = mode(pod)
    ready = want == "ready"
    for cond in status.get("conditions") or []:
        if cond.get("type") in ("Ready", "ContainersReady"):
            cond["status"] = "True" if ready else "False"
            if ready:
                cond.pop("reason", None)
            else:
                cond["reason"] = "ContainersNotReady"
    name = (pod.get("metadata") or {}).get("name", "")
    namespace = (pod.get("metadata") or {}).get("namespace", "")
    for cs in status.get("containerStatuses") or []:
        state = cs.get("state") or {}
        if want == "crash-loop":
            started = (state.get("running") or {}).get("startedAt") or \
                (cs.get("lastState") or {}).get("terminated", {}).get("startedAt")
            cs["restartCount"] = int(cs.get("restartCount") or 0) + 1
            cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error",
                                              "startedAt": started, "finishedAt": started}}
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": (
                f"back-off 10s restarting failed container={cs['name']} "
                f"pod={name}_{namespace}({(pod.get('metadata') or {}).get('uid', '')})")}}
            cs["ready"], cs["started"] = False, False
        else:
            if "waiting" in state:  # back from a crash loop: running again
                started = (cs.get("lastState") or {}).get("terminated", {}).get("startedAt")
                cs["state"] = {"running": {"startedAt": started}}
            cs["ready"], cs["started"] = ready, True
