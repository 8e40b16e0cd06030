"""execute's predictions: read the policies once at start, then annotate each result.

Additive to execute: the run itself never depends on them. Without permission to read the
policies (or another kind the evaluator needs), execute says so once and runs without
predictions; a wrong prediction must never change a verdict. A host name, which only the
source pod can resolve, is predicted again on the address the probe actually used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from kubectl_netpoltest.cluster.objectreads import ObjectReader
from kubectl_netpoltest.core.discrepancy import Annotation, discrepancy
from kubectl_netpoltest.core.explanation import Explained
from kubectl_netpoltest.core.model import HostTarget, Probe
from kubectl_netpoltest.core.policy import Predictor
from kubectl_netpoltest.core.policy.parse import ObjectError
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.engine.explain import (
    explain,
    explain_probe,
    read_snapshot,
    spec_namespaces,
)
from kubectl_netpoltest.errors import ClusterError


@dataclass(frozen=True)
class Predictions:
    predictor: Predictor
    by_id: Mapping[str, Explained]


def predict_probes(
    reader: ObjectReader,
    probes: Sequence[Probe],
    *,
    warn: Callable[[str], None],
    tiers: Any = None,
) -> Predictions | None:
    """Predictions by probe id from one list call per kind; None (after one warning) when the
    objects cannot be read. `tiers`: engine.admintiers.Tiers, when admin tiers were read."""
    try:
        snapshot = read_snapshot(reader, namespaces=spec_namespaces(probes), warn=warn)
    except (ClusterError, ObjectError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warn(f"running without predictions: cannot read the policies ({first})")
        return None
    predictor = Predictor(snapshot) if tiers is None else tiers.predictor(snapshot)
    return Predictions(predictor, {e.probe.id: e for e in explain(probes, snapshot, tiers=tiers)})


def _for_this_run(predictions: Predictions, result: ProbeResult, explained: Explained
                  ) -> Explained:
    """Predicted again for the pod the probe really ran from (prepare's choice among the
    matching pods) and, for a host target, on the address it resolved to in that pod."""
    predictor = predictions.predictor
    source = next((p for p in predictor.snapshot.pods if p.ref == result.source_pod), None)
    address = next((a.address for a in result.addresses if a.address), None)
    is_host = isinstance(result.probe.target, HostTarget)
    if source is None or (source.ref == explained.source_pod and not (is_host and address)):
        return explained
    again = explain_probe(predictor, result.probe, source=source,
                          address=address if is_host else None)
    host = result.probe.target.host if isinstance(result.probe.target, HostTarget) else None
    if host and address and address != host and again.prediction.via is None:
        return replace(again, prediction=replace(again.prediction, via=f"{host} -> {address}"))
    return again


def annotate(
    results: Sequence[ProbeResult], predictions: Predictions, *, reject_mode: bool
) -> dict[str, Annotation]:
    found = {}
    for result in results:
        explained = predictions.by_id.get(result.probe.id)
        if explained is None:
            continue
        explained = _for_this_run(predictions, result, explained)
        found[result.probe.id] = Annotation(
            explained,
            discrepancy(predicted=explained.predicted, observation=result.observation,
                        reject_mode=reject_mode) if result.addresses else None,
        )
    return found
