"""Pod and container status shapes as the kubelet reports them (pkg/kubelet/status,
kuberuntime): the five pod conditions and a containerStatus in waiting/running/terminated.
Kept apart from the kubelet's behaviour so each stays readable."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from tests.sandbox import images
from tests.sandbox.store import now_iso


def new_container_id() -> str:
    return "containerd://" + secrets.token_hex(32)


def conditions(*, ready: bool, scheduled: bool) -> list[dict]:
    t = now_iso()
    r = "True" if ready else "False"
    out = [
        {"type": "PodReadyToStartContainers", "status": r, "lastProbeTime": None,
         "lastTransitionTime": t},
        {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": t},
        {"type": "Ready", "status": r, "lastProbeTime": None, "lastTransitionTime": t},
        {"type": "ContainersReady", "status": r, "lastProbeTime": None, "lastTransitionTime": t},
        {"type": "PodScheduled", "status": "True" if scheduled else "False",
         "lastProbeTime": None, "lastTransitionTime": t},
    ]
    if not ready:
        for c in out:
            if c["type"] in ("Ready", "ContainersReady"):
                c["reason"] = "ContainersNotReady"
    return out


def container_status(c: Mapping, *, waiting: str | None = None, message: str | None = None,
             running_since: str | None = None, terminated: int | None = None,
             reason: str | None = None, started: str | None = None,
             cid: str | None = None) -> dict:
    out: dict[str, Any] = {"name": c["name"], "image": c["image"], "imageID": "",
                           "lastState": {}, "ready": False, "restartCount": 0}
    if waiting is not None:
        w: dict[str, Any] = {"reason": waiting}
        if message:
            w["message"] = message
        out["state"] = {"waiting": w}
        out["started"] = False
    elif running_since is not None:
        out["state"] = {"running": {"startedAt": running_since}}
        out["started"] = True
        out["imageID"] = images.normalize(c["image"])
        out["containerID"] = cid or new_container_id()
        out["ready"] = True
    else:
        t: dict[str, Any] = {"exitCode": terminated, "reason": reason,
                             "startedAt": started, "finishedAt": now_iso(),
                             "containerID": cid}
        if message:
            t["message"] = message
        out["state"] = {"terminated": t}
        out["started"] = False
        out["containerID"] = cid
    return out
