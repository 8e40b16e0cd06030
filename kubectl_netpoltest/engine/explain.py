"""Predict every probe of a plan from the policies, and say why: the `explain` engine.

Works on a `Snapshot` read either from manifest files (offline) or from the cluster with one
list call per kind (live). A probe's source is the first pod by name that matches its spec
entry (what prepare would instrument); a pod target is the first matching pod too; a host
target is resolved like the pod's resolver would for cluster names (Services) and IPs, and is
otherwise an unknown outside address.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kubectl_netpoltest.cluster.objectreads import Kind, ObjectReader
from kubectl_netpoltest.core.explanation import Explained
from kubectl_netpoltest.core.model import HostTarget, PodRef, PodTarget, Probe
from kubectl_netpoltest.core.policy import (
    Assumptions,
    Code,
    Decision,
    Direction,
    DirectionDecision,
    Prediction,
    Predictor,
    ServiceTarget,
    Verdict,
    parse,
    pod_endpoint,
)
from kubectl_netpoltest.core.policy.objects import Pod, Snapshot
from kubectl_netpoltest.engine.admintiers import Tiers
from kubectl_netpoltest.errors import Forbidden, NotFound


def _matches(ref: PodRef, pod: Pod) -> bool:
    if pod.namespace != ref.namespace:
        return False
    if ref.podname is not None:
        if pod.template_of is not None:  # real pods are named <workload>-<suffix>
            stem = f"{pod.name}-"
            return ref.podname.startswith(stem) or stem.startswith(ref.podname)
        return pod.name.startswith(ref.podname)
    return ref.selector is not None and ref.selector.matches(dict(pod.labels))


def find_pod(ref: PodRef, pods: Sequence[Pod]) -> Pod | None:
    return next(iter(sorted((p for p in pods if _matches(ref, p)), key=lambda p: p.name)), None)


def _missing(ref: PodRef, *, what: str) -> Prediction:
    side = DirectionDecision(
        Direction.EGRESS if what == "source" else Direction.INGRESS,
        Decision.UNDEFINED,
        Code.NOT_A_POD,
        f"no pod matches the {what} {ref.name} ({ref.describe()}) in the "
        "objects read, so nothing can be predicted",
    )
    return Prediction(Verdict.UNDEFINED, (side,))


def explain_probe(
    predictor: Predictor, probe: Probe, *, source: Pod | None = None, address: str | None = None
) -> Explained:
    """`source`: the pod the probe ran from, when known (execute), else the first matching
    one; `address`: the address a host target resolved to inside that pod, when known."""
    pods = predictor.snapshot.pods
    source = source or find_pod(probe.source, pods)
    if source is None:
        return Explained(probe, _missing(probe.source, what="source"), None)
    target: Any
    if isinstance(probe.target, HostTarget):
        target = predictor.address(address or probe.target.host,
                                   from_namespace=source.namespace)
    elif isinstance(probe.target, PodTarget):
        found = find_pod(probe.target.pod, pods)
        if found is None:
            return Explained(probe, _missing(probe.target.pod, what="target"), source.ref)
        target = pod_endpoint(found)
    else:
        target = service_target(predictor, probe.target)
        if target is None:
            return Explained(probe, _no_service(probe.target), source.ref)
    prediction = predictor.predict(
        source=pod_endpoint(source), target=target, port=probe.port, protocol=probe.protocol.value
    )
    return Explained(probe, prediction, source.ref)


def explain(
    probes: Sequence[Probe],
    snapshot: Snapshot,
    *,
    assumptions: Assumptions | None = None,
    tiers: Tiers | None = None,
) -> list[Explained]:
    """`tiers`: the admin tiers (engine.admintiers); without them, NetworkPolicies only."""
    predictor = (
        Predictor(snapshot, assumptions=assumptions)
        if tiers is None
        else tiers.predictor(snapshot, assumptions=assumptions)
    )
    return [explain_probe(predictor, p) for p in probes]


# ---------------------------------------------------------------------------- live reads


def _list(
    reader: ObjectReader, kind: Kind, namespaces: Sequence[str], notes: dict[str, list[str]]
) -> list[Mapping[str, Any]]:
    """All namespaces in one call; on 403, one call per namespace the spec touches."""
    try:
        return reader.list_objects(kind=kind, namespace=None)
    except NotFound:
        notes["not served"].append(kind.value)
        return []
    except Forbidden:
        if not kind.namespaced:
            notes["cluster-wide"].append(kind.value)
            return []
    notes["narrowed"].append(kind.value)
    found: list[Mapping[str, Any]] = []
    for namespace in namespaces:
        found += reader.list_objects(kind=kind, namespace=namespace)
    return found


def _one_warning(notes: dict[str, list[str]], namespaces: Sequence[str]) -> str | None:
    """What the missing permissions cost the predictions, in one line (said once)."""
    parts = []
    if notes["narrowed"]:
        parts.append(f"cannot list {', '.join(notes['narrowed'])} in all namespaces: only "
                     f"{', '.join(namespaces)} are read, so peers elsewhere are not seen")
    if notes["cluster-wide"]:
        parts.append(f"cannot list {', '.join(notes['cluster-wide'])} cluster-wide: "
                     "namespaceSelectors are matched against each namespace's "
                     "kubernetes.io/metadata.name label only")
    if notes["not served"]:
        parts.append(f"the server does not serve {', '.join(notes['not served'])}: Service "
                     "backends are found by their selectors instead")
    return "; ".join(parts) or None


def read_snapshot(
    reader: ObjectReader, *, namespaces: Sequence[str], warn: Callable[[str], None]
) -> Snapshot:
    """The live objects: exactly one list call per kind when RBAC allows it; at most one
    warning about what could not be read."""
    notes: dict[str, list[str]] = {"narrowed": [], "cluster-wide": [], "not served": []}
    raw = {kind: _list(reader, kind, namespaces, notes) for kind in Kind}
    message = _one_warning(notes, namespaces)
    if message:
        warn(message)
    slices = [parse.endpoint_slice(s) for s in raw[Kind.ENDPOINTSLICES]]
    return Snapshot(
        namespaces=tuple(parse.namespace(n) for n in raw[Kind.NAMESPACES]),
        pods=tuple(parse.pod(p) for p in raw[Kind.PODS] if _running(p)),
        policies=tuple(parse.policy(p) for p in raw[Kind.NETWORKPOLICIES]),
        services=tuple(parse.service(s) for s in raw[Kind.SERVICES]),
        endpoint_slices=tuple(s for s in slices if s is not None),
        live=True,
    )


def _running(pod: Mapping[str, Any]) -> bool:
    """Semantics rule 32: finished pods and pods being deleted take no part."""
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    return status.get("phase") not in ("Succeeded", "Failed") and not meta.get("deletionTimestamp")


def _service_ref(target: object) -> tuple[str, str] | None:
    """(namespace, name) of a spec Service target (duck-typed: `services:` in the spec)."""
    ref = getattr(target, "service", None)
    namespace, name = getattr(ref, "namespace", None), getattr(ref, "service", None)
    return (namespace, name) if isinstance(namespace, str) and isinstance(name, str) else None


def service_target(predictor: Predictor, target: object) -> ServiceTarget | None:
    """A spec Service target as the evaluator's: decided on each backend (rule 25)."""
    key = _service_ref(target)
    service = None if key is None else predictor.services.get(key)
    return None if service is None else ServiceTarget(service, headless=service.headless)


def _no_service(target: object) -> Prediction:
    key = _service_ref(target)
    where = "/".join(key) if key else str(target)
    side = DirectionDecision(Direction.INGRESS, Decision.UNDEFINED, Code.NOT_A_POD,
                             f"no Service {where} in the objects read, so nothing can be "
                             "predicted")
    return Prediction(Verdict.UNDEFINED, (side,))


def spec_namespaces(probes: Sequence[Probe]) -> list[str]:
    found = [p.source.namespace for p in probes]
    for p in probes:
        if isinstance(p.target, PodTarget):
            found.append(p.target.pod.namespace)
        elif not isinstance(p.target, HostTarget):
            key = _service_ref(p.target)
            found.append(key[0] if key else None)
    return sorted({n for n in found if n})
