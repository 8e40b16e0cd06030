"""Graceful pod deletion, as the API server and the kubelet share it.

kube-apiserver (pkg/registry/core/pod/strategy.go CheckGracefulDelete,
k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete): DELETE of a pod does not remove
it; it sets `metadata.deletionTimestamp` (now + grace) and `deletionGracePeriodSeconds`, and
answers 200 with the pod. The grace period is DeleteOptions.gracePeriodSeconds, else the pod's
`spec.terminationGracePeriodSeconds` (default 30); a pod that never ran or already finished
(phase Succeeded/Failed) gets 0, and 0 (kubectl `--grace-period=0 --force`) removes it at
once. A second DELETE may only shorten the grace period. The kubelet then stops the
containers and removes the object for good (a delete with grace 0). Until then the pod is
"Terminating" and clients see it with its deletionTimestamp.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

DEFAULT_GRACE = 30


def requested_grace(options: Mapping[str, Any] | None, query: Mapping[str, str]) -> int | None:
    """gracePeriodSeconds from the DeleteOptions body, else from the query string."""
    value = (options or {}).get("gracePeriodSeconds")
    if value is None and query.get("gracePeriodSeconds") not in (None, ""):
        value = query["gracePeriodSeconds"]
    return None if value is None else max(0, int(value))


def grace_for(pod: Mapping[str, Any], requested: int | None) -> int:
    """CheckGracefulDelete: the grace period this deletion gets."""
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed") or not (pod.get("spec") or {}).get("nodeName"):
        return 0
    if requested is not None:
        return requested
    spec_grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds")
    return DEFAULT_GRACE if spec_grace is None else max(0, int(spec_grace))


def mark_terminating(pod: Mapping[str, Any], grace: int) -> dict[str, Any] | None:
    """The pod with deletionTimestamp/deletionGracePeriodSeconds set, or None when nothing
    changes (already terminating with a grace period no longer than this one)."""
    md = pod.get("metadata") or {}
    current = md.get("deletionGracePeriodSeconds")
    if md.get("deletionTimestamp") and current is not None and current <= grace:
        return None
    out = copy.deepcopy(dict(pod))
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=grace)
    out["metadata"]["deletionTimestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["metadata"]["deletionGracePeriodSeconds"] = grace
    return out


def is_terminating(obj: Mapping[str, Any]) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def check_uid_precondition(obj: Mapping[str, Any], options: Mapping[str, Any] | None
                           ) -> str | None:
    """DeleteOptions.preconditions.uid: the Conflict message, or None when it holds
    (k8s.io/apiserver/pkg/registry/generic/registry/store.go)."""
    want = ((options or {}).get("preconditions") or {}).get("uid")
    have = (obj.get("metadata") or {}).get("uid")
    if want and want != have:
        return (f"Precondition failed: UID in precondition: {want}, UID in object meta: "
                f"{have}")
    return None
