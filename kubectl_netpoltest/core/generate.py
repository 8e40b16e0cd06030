"""A starter spec from the cluster's own policies: what the policy engine predicts, as tests.

One symbolic pod per workload; for each ordered pair of workloads and each TCP port the
destination declares (`--ports declared`) or that a policy mentions (`--ports all`), an
`allowed` or `denied` expectation computed by core.policy, with a comment naming the policy
rules behind it. Choices that keep the result honest (every generated probe can PASS):
- only TCP: a UDP probe on a dropped port ends in silence, which proves nothing (ERROR);
- `allowed` only where the destination declares the port: an allowed port with no listener
  is refused, which would read as a FAIL of a correct policy;
- no probe from a workload to itself (execute needs another pod of it as the target);
- `undefined` predictions (implementation-defined cases) are left out, each with a comment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kubectl_netpoltest.core.policy import Predictor, Snapshot, Verdict, pod_endpoint
from kubectl_netpoltest.core.policy.decision import Prediction
from kubectl_netpoltest.core.policy.parse import ObjectError, namespace, pod, policy
from kubectl_netpoltest.core.workloads import Workload, group, owner_of, selects_only_its_pods

DEFAULT_MAX_PROBES = 500


class PortsMode(StrEnum):
    DECLARED = "declared"
    ALL = "all"


@dataclass(frozen=True)
class Expectation:
    source: str
    target: str
    port: int
    allowed: bool
    why: str


@dataclass(frozen=True)
class Generated:
    text: str
    probes: int
    left_out: tuple[str, ...]


def _names(workloads: Sequence[Workload]) -> dict[str, str]:
    """Symbolic names: the workload's name, qualified by namespace where names repeat."""
    counts: dict[str, int] = {}
    for w in workloads:
        counts[w.name] = counts.get(w.name, 0) + 1
    return {w.ref: w.name if counts[w.name] == 1 else f"{w.namespace}-{w.name}" for w in workloads}


def _declared(workload: Workload) -> list[int]:
    spec = workload.pods[0].get("spec") or {}
    ports = {
        int(p["containerPort"])
        for c in spec.get("containers") or []
        for p in c.get("ports") or []
        if p.get("containerPort") and str(p.get("protocol", "TCP")).upper() == "TCP"
    }
    return sorted(ports)


def _mentioned(policies: Sequence[Mapping[str, Any]]) -> list[int]:
    found: set[int] = set()
    for item in policies:
        spec = item.get("spec") or {}
        for rule in [*(spec.get("ingress") or []), *(spec.get("egress") or [])]:
            for port in rule.get("ports") or []:
                value = port.get("port")
                if isinstance(value, int) and str(port.get("protocol", "TCP")).upper() == "TCP":
                    found.add(value)
    return sorted(found)


def _why(prediction: Prediction) -> str:
    parts = []
    for side in prediction.because:
        refs = ", ".join(str(r) for r in side.policies)
        parts.append(
            f"{side.direction.value} {side.decision.value}" + (f" by {refs}" if refs else "")
        )
    return "; ".join(parts)


def _selector_text(labels: Sequence[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in labels) + "}"


def _prefix(workload: Workload) -> str:
    return workload.name if workload.kind == "Pod" else f"{workload.name}-"


def _ambiguous(workload: Workload, pods: Sequence[Mapping[str, Any]]) -> str | None:
    """Another pod the spec entry would also match (`namespace/name`), or None. The entry is
    the labels if they select only this workload's pods, else the name prefix, which for
    bare pod `db` also matches `db-x` and for Deployment `web` matches `web-canary-...`."""
    if selects_only_its_pods(workload, pods):
        return None
    for other in pods:
        meta = other.get("metadata") or {}
        if (
            meta.get("namespace") == workload.namespace
            and owner_of(other) != (workload.kind, workload.name)  # its own, running or not
            and (other.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
            and str(meta.get("name", "")).startswith(_prefix(workload))
        ):
            return f"{workload.namespace}/{meta.get('name')}"
    return None


def _fair_share(candidates: Sequence[Sequence[Expectation]], limit: int) -> list[Expectation]:
    """At most `limit` expectations, dealt round-robin over the sources, each source's list
    rotated by its position so the kept ones reach different targets; kept in source order.
    A cut in plain order gave every probe to the first few sources of a big cluster."""
    kept: set[tuple[int, int]] = set()
    rotated = [
        [(s, (i + s) % len(c)) for i in range(len(c))] for s, c in enumerate(candidates) if c
    ]
    depth = 0
    while len(kept) < limit and any(depth < len(r) for r in rotated):
        for r in rotated:
            if depth < len(r) and len(kept) < limit:
                kept.add(r[depth])
        depth += 1
    return [c[i] for s, c in enumerate(candidates) for i in range(len(c)) if (s, i) in kept]


def generate_spec(
    *,
    pods: Sequence[Mapping[str, Any]],
    policies: Sequence[Mapping[str, Any]],
    namespaces: Sequence[Mapping[str, Any]],
    ports: PortsMode = PortsMode.DECLARED,
    max_probes: int = DEFAULT_MAX_PROBES,
    scope: str = "",
    selected: Sequence[Mapping[str, Any]] | None = None,
    system_sources: bool = False,
) -> Generated:
    """`pods`: every pod of the namespaces (selectors are checked against all of them);
    `selected`: the pods whose workloads become symbolic pods (default: all);
    `system_sources`: also probe from kube-* namespaces (only when the user named one: their
    pods are the platform's, often static or hostNetwork, and not ours to instrument)."""
    left_out: list[str] = []
    parsed = []
    for item in policies:
        try:
            parsed.append(policy(item))
        except ObjectError as exc:
            left_out.append(f"policy skipped: {exc}")
    snapshot = Snapshot(
        namespaces=tuple(namespace(n) for n in namespaces),
        pods=tuple(pod(p) for p in pods),
        policies=tuple(parsed),
        live=True,
    )
    predictor = Predictor(snapshot)
    workloads = group(pods if selected is None else selected)
    for w in workloads:
        if (clash := _ambiguous(w, pods)) is not None:
            left_out.append(
                f"{w.ref}: cannot be named unambiguously: its labels and its name prefix "
                f"{_prefix(w)!r} also match {clash}"
            )
    workloads = [w for w in workloads if _ambiguous(w, pods) is None]
    names = _names(workloads)
    mentioned = _mentioned(policies) if ports is PortsMode.ALL else []
    candidates: list[list[Expectation]] = []
    for src in workloads:
        if src.namespace.startswith("kube-") and not system_sources:
            continue
        source = pod_endpoint(pod(src.pods[0]))
        mine: list[Expectation] = []
        candidates.append(mine)
        for dst in workloads:
            if dst is src:
                continue
            declared = _declared(dst)
            destination = pod_endpoint(pod(dst.pods[0]))
            for port in sorted(set(declared) | set(mentioned)):
                prediction = predictor.connection(
                    source=source, destination=destination, port=port, protocol="TCP"
                )
                what = f"{names[src.ref]} -> {names[dst.ref]}:{port}"
                if prediction.verdict is Verdict.UNDEFINED:
                    left_out.append(f"{what}: undefined ({_why(prediction)})")
                    continue
                allowed = prediction.verdict is Verdict.ALLOWED
                if allowed and port not in declared:
                    left_out.append(f"{what}: allowed, but {dst.ref} declares no such port")
                    continue
                mine.append(
                    Expectation(names[src.ref], names[dst.ref], port, allowed, _why(prediction))
                )
    expectations = _fair_share(candidates, max_probes)
    truncated = sum(len(c) for c in candidates) - len(expectations)
    if truncated:
        left_out.insert(0, f"{truncated} more probes beyond --max-probes {max_probes}")
    text = _render(workloads, names, expectations, pods, left_out, scope=scope, ports=ports)
    return Generated(text=text, probes=len(expectations), left_out=tuple(left_out))


def _render(
    workloads: Sequence[Workload],
    names: Mapping[str, str],
    expectations: Sequence[Expectation],
    pods: Sequence[Mapping[str, Any]],
    left_out: Sequence[str],
    *,
    scope: str,
    ports: PortsMode,
) -> str:
    used = {e.source for e in expectations} | {e.target for e in expectations}
    which = " or a policy mentions" if ports is PortsMode.ALL else ""
    lines = [
        "# Starter spec written by `kubectl netpoltest generate`"
        + (f" for {scope}" if scope else "")
        + ".",
        "# Each expectation is what the NetworkPolicies predict (the policy engine), not what",
        "# you intend: review it, then run prepare/execute to see the cluster agree.",
        f"# Ports: TCP ports the destination declares{which};",
        "# UDP is left out (silence proves nothing), and so are a workload's probes to itself.",
        "pods:",
    ]
    for w in workloads:
        if names[w.ref] not in used:
            continue
        lines.append(f"  - name: {json.dumps(names[w.ref])}  # {w.kind} {w.ref}")
        lines.append(f"    namespace: {json.dumps(w.namespace)}")  # `yes`, `123`: YAML 1.1
        if selects_only_its_pods(w, pods):
            lines.append(f"    selector: {_selector_text(w.labels)}")
        else:
            lines.append(
                f"    podname: {json.dumps(_prefix(w))}  # its labels also match other pods"
            )
    connections = sorted({(e.target, e.port) for e in expectations})
    lines.append("connections:")
    for target, port in connections:
        lines.append(
            f"  - {{name: {json.dumps(f'{target}-{port}')}, pods: [{json.dumps(target)}], "
            f"ports: [{{port: {port}, type: TCP}}]}}"
        )
    lines.append("rules:")
    pairs: dict[tuple[str, str], list[Expectation]] = {}
    for e in expectations:
        pairs.setdefault((e.source, e.target), []).append(e)
    for (source, target), items in pairs.items():
        for e in items:
            verdict = "allowed" if e.allowed else "denied"
            lines.append(f"  # {target}:{e.port} {verdict}: {e.why}")
        allowed = [json.dumps(f"{target}-{e.port}") for e in items if e.allowed]
        denied = [json.dumps(f"{target}-{e.port}") for e in items if not e.allowed]
        lines.append(f"  - name: {json.dumps(f'{source}-to-{target}')}")
        lines.append(f"    from: [{json.dumps(source)}]")
        if allowed:
            lines.append(f"    allowed: [{', '.join(allowed)}]")
        if denied:
            lines.append(f"    denied: [{', '.join(denied)}]")
    if not pairs:
        lines[-1] = "rules: []"
    if left_out:
        lines.append("# Left out:")
        lines += [f"#   {item}" for item in left_out]
    return "\n".join(lines) + "\n"
