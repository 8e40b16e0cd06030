"""execute's predictions: read once, annotate results, say so once when unreadable."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import yaml

from kubectl_netpoltest.cluster.objectreads import Kind
from kubectl_netpoltest.core.model import Expectation, HostTarget, PodRef, Probe, Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.results import AddressResult, ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine.predictions import annotate, predict_probes
from kubectl_netpoltest.report.predictions import annotate_document, annotate_junit, write_section
from tests.unit.engine.fakereader import FakeReader

OBJECTS = """
- {kind: Namespace, metadata: {name: shop}}
- kind: Pod
  metadata: {name: web-1, namespace: shop, labels: {app: web}}
  spec: {containers: [{name: c}]}
  status: {podIP: 10.0.0.5}
- kind: NetworkPolicy
  metadata: {name: web-out, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: web}}
    policyTypes: [Egress]
    egress: [{to: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 443}]}]
"""
KINDS = {"Namespace": Kind.NAMESPACES, "Pod": Kind.PODS, "NetworkPolicy": Kind.NETWORKPOLICIES}


def _reader(**kwargs: Any) -> FakeReader:
    objects: dict[Kind, list[dict[str, Any]]] = {k: [] for k in Kind}
    for obj in yaml.safe_load(OBJECTS):
        objects[KINDS[obj["kind"]]].append(obj)
    return FakeReader(objects, **kwargs)


WEB = PodRef(name="web", namespace="shop", podname="web-")


def _probe(host: str, expect: Expectation) -> Probe:
    return Probe(id=f"web->{host}:443/tcp", rule="r", source=WEB,
                 target=HostTarget(address="a", host=host), port=443, protocol=Protocol.TCP,
                 expect=expect)


def _result(probe: Probe, address: str, observation: Observation, verdict: Verdict
            ) -> ProbeResult:
    return ProbeResult(probe=probe, source_pod="shop/web-1",
                       addresses=(AddressResult(address, observation, ""),), verdict=verdict,
                       reason="", seconds=0.1)


def test_a_host_is_predicted_on_the_address_the_probe_used() -> None:
    ok = _probe("api.partner.example", Expectation.ALLOWED)
    leak = _probe("evil.example", Expectation.DENIED)
    warnings: list[str] = []
    predictions = predict_probes(_reader(), [ok, leak], warn=warnings.append)
    assert predictions is not None and not warnings
    # offline from the names alone both are undefined: only the pod's resolver knows them
    assert {e.predicted.value for e in predictions.by_id.values()} == {"undefined"}
    results = [_result(ok, "203.0.113.7", Observation.CONNECTED, Verdict.PASS),
               _result(leak, "198.51.100.9", Observation.CONNECTED, Verdict.FAIL)]
    found = annotate(results, predictions, reject_mode=False)
    assert found[ok.id].explained.predicted.value == "allowed"
    assert found[ok.id].discrepancy is None
    assert found[leak.id].explained.predicted.value == "denied"
    assert found[leak.id].explained.prediction.via == "evil.example -> 198.51.100.9"
    discrepancy = found[leak.id].discrepancy
    assert discrepancy is not None and discrepancy.code.value == "denied-but-connected"

    document: dict[str, Any] = {"results": [{"id": ok.id}, {"id": leak.id}], "summary": {}}
    annotate_document(document, found)
    assert document["results"][1]["discrepancy"]["code"] == "denied-but-connected"
    assert document["results"][0]["predicted"] == "allowed"
    assert document["summary"]["discrepancies"] == 1

    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite>'
           f'<testcase name="{leak.id}"><failure message="m">evidence</failure></testcase>'
           f'<testcase name="{ok.id}"><system-out>203.0.113.7: connected</system-out>'
           '</testcase></testsuite></testsuites>\n')
    root = ET.fromstring(annotate_junit(xml, found).split("\n", 1)[1])
    cases = {c.get("name"): c for c in root.iter("testcase")}
    leak_out = cases[leak.id].find("system-out")
    assert leak_out is not None and "discrepancy: the policies deny it" in (leak_out.text or "")
    ok_out = cases[ok.id].find("system-out")
    assert ok_out is not None and (ok_out.text or "").startswith("203.0.113.7: connected\n")


def test_without_permission_execute_runs_without_predictions_and_says_so_once() -> None:
    warnings: list[str] = []
    reader = _reader(forbidden_cluster_wide=list(Kind))

    def forbidden_everywhere(*, kind: Kind, namespace: str | None) -> list[Any]:
        reader.calls.append((kind, namespace))
        from kubectl_netpoltest.errors import Forbidden
        raise Forbidden(f"list {kind.value}: forbidden")

    reader.list_objects = forbidden_everywhere  # type: ignore[method-assign]
    assert predict_probes(reader, [_probe("x.example", Expectation.DENIED)],
                          warn=warnings.append) is None
    assert [w for w in warnings if w.startswith("running without predictions")] == [warnings[-1]]
    assert "forbidden" in warnings[-1]


def test_console_section_shows_only_discrepancies_unless_wide() -> None:
    import io

    leak = _probe("evil.example", Expectation.DENIED)
    predictions = predict_probes(_reader(), [leak], warn=print)
    assert predictions is not None
    found = annotate([_result(leak, "198.51.100.9", Observation.CONNECTED, Verdict.FAIL)],
                     predictions, reject_mode=False)
    out = io.StringIO()
    write_section(found, out, wide=False)
    assert "Discrepancies with the policies" in out.getvalue()
    assert "predicted: denied because egress: shop/web-1 is egress-isolated" in out.getvalue()


def test_predicted_for_the_pod_the_probe_really_ran_from() -> None:
    """Two pods match the source; prepare instrumented web-2, which the policy does not
    select: the prediction follows the pod, not the first match."""
    reader = _reader()
    reader.objects[Kind.PODS].append({  # type: ignore[attr-defined]
        "kind": "Pod", "metadata": {"name": "web-2", "namespace": "shop",
                                    "labels": {"app": "web", "canary": "yes"}},
        "spec": {"containers": [{"name": "c"}]}, "status": {"podIP": "10.0.0.6"}})
    reader.objects[Kind.NETWORKPOLICIES][0]["spec"]["podSelector"] = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}
    probe = _probe("198.51.100.9", Expectation.DENIED)
    predictions = predict_probes(reader, [probe], warn=print)
    assert predictions is not None
    assert predictions.by_id[probe.id].predicted.value == "denied"  # web-1, first by name
    ran = ProbeResult(probe=probe, source_pod="shop/web-2",
                      addresses=(AddressResult("198.51.100.9", Observation.CONNECTED, ""),),
                      verdict=Verdict.FAIL, reason="", seconds=0.1)
    found = annotate([ran], predictions, reject_mode=False)[probe.id]
    assert (found.explained.source_pod, found.explained.predicted.value) == (
        "shop/web-2", "allowed")
    assert found.discrepancy is None
