"""explain: offline from manifests, live from one list call per kind, same predictions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cluster.objectreads import Kind
from kubectl_netpoltest.core.explanation import exit_code
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.policy import Verdict
from kubectl_netpoltest.core.policy.manifests import load_snapshot
from kubectl_netpoltest.core.spec.loader import load_spec_file
from kubectl_netpoltest.engine.explain import explain, read_snapshot
from kubectl_netpoltest.exitcodes import ExitCode
from tests.unit.engine.fakereader import FakeReader

ROOT = Path(__file__).resolve().parents[3]
SPEC = str(ROOT / "examples" / "richer.yaml")
SCENARIO = str(ROOT / "examples" / "sandbox-scenario-richer")

MANIFESTS = """
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, ports: [{containerPort: 5432, name: pg}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: pg}]}]
"""

SPEC_TEXT = """
pods:
  - {name: web, namespace: shop, podname: web-}
  - {name: db, namespace: shop, selector: {app: db}}
connections:
  - {name: pg, pods: [db], ports: [{port: 5432}]}
  - {name: other, pods: [db], ports: [{port: 22}]}
rules:
  - {name: r, from: [web], allowed: [pg], denied: [other]}
"""


@pytest.fixture(autouse=True)
def _isolated_environ(tmp_path: Path) -> Iterator[None]:
    ENV.environ_override = {"HOME": str(tmp_path)}
    yield
    ENV.environ_override = None


def _files(tmp_path: Path, spec: str = SPEC_TEXT, manifests: str = MANIFESTS) -> tuple[str, str]:
    (tmp_path / "spec.yaml").write_text(spec)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "all.yaml").write_text(manifests)
    return str(tmp_path / "spec.yaml"), str(tmp_path / "m")


def test_offline_json_names_the_deciding_rule(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec, manifests = _files(tmp_path)
    assert run(["explain", spec, "--policies", manifests, "-o", "json"]) == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    by_id = {p["id"]: p for p in doc["probes"]}
    allowed = by_id["web->pod/db:5432/tcp"]
    assert allowed["predicted"] == "allowed" and allowed["agrees"] is True
    ingress = next(b for b in allowed["because"] if b["direction"] == "ingress")
    assert ingress["policies"] == [
        {"namespace": "shop", "name": "db-from-web", "rule": "ingress[0] from[0] ports[0]"}]
    denied = by_id["web->pod/db:22/tcp"]
    assert denied["predicted"] == "denied"
    assert "isolated by shop/db-from-web" in denied["because"][-1]["reason"]
    assert doc["summary"] == {"probes": 2, "agree": 2, "disagree": 0, "undefined": 0}


def test_offline_contradiction_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    spec, manifests = _files(tmp_path, manifests=MANIFESTS.replace("port: pg", "port: 5433"))
    assert run(["explain", spec, "--policies", manifests]) == ExitCode.TEST_FAILURES
    out = capsys.readouterr().out
    assert "≠" in out and "1 contradict it" in out


def test_offline_undefined_exits_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, manifests = _files(tmp_path, manifests=MANIFESTS.replace(
        "podSelector: {matchLabels: {app: web}}", "ipBlock: {cidr: 10.0.0.0/8}"))
    text = SPEC_TEXT.replace("denied: [other]", "denied: []")
    (tmp_path / "spec.yaml").write_text(text)
    assert run(["explain", spec, "--policies", manifests, "-o", "yaml"]) == ExitCode.INCONCLUSIVE
    doc = yaml.safe_load(capsys.readouterr().out)
    assert doc["probes"][0]["predicted"] == "undefined"
    assert doc["probes"][0]["because"][-1]["code"] == "address-unknown"  # offline: no pod IPs


def test_bad_manifest_is_a_usage_error_naming_the_file(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec, manifests = _files(tmp_path, manifests=MANIFESTS.replace("{port: pg}",
                                                                   "{port: 80, endPort: 70}"))
    assert run(["explain", spec, "--policies", manifests]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "all.yaml" in err and "endPort" in err and "Traceback" not in err


def test_missing_policies_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, _ = _files(tmp_path)
    assert run(["explain", spec, "--policies", str(tmp_path / "nope")]) == ExitCode.USAGE
    assert "no such file or directory" in capsys.readouterr().err


def _live_objects(path: str) -> dict[Kind, list[dict[str, Any]]]:
    kinds = {"Namespace": Kind.NAMESPACES, "Pod": Kind.PODS, "Service": Kind.SERVICES,
             "NetworkPolicy": Kind.NETWORKPOLICIES}
    out: dict[Kind, list[dict[str, Any]]] = {k: [] for k in Kind}
    for file in sorted(Path(path).rglob("*.yaml")):
        for doc in yaml.safe_load_all(file.read_text()):
            if isinstance(doc, dict) and doc.get("kind") in kinds:
                out[kinds[doc["kind"]]].append(doc)
            elif isinstance(doc, dict) and doc.get("kind") == "Deployment":
                # what the cluster would list: a pod of the template, named <workload>-<hash>
                template = doc["spec"]["template"]
                out[Kind.PODS].append({
                    "metadata": {"name": doc["metadata"]["name"] + "-5d8f9-abcde",
                                 "namespace": doc["metadata"].get("namespace"),
                                 "labels": template["metadata"]["labels"]},
                    "spec": template["spec"], "status": {"phase": "Running"}})
    return out


def test_live_reads_each_kind_once_and_predicts_like_offline() -> None:
    loaded = load_spec_file(SPEC).spec
    assert loaded is not None
    probes = expand(loaded)
    offline = explain(probes, load_snapshot([SCENARIO], default_namespace="default"))
    reader = FakeReader(_live_objects(SCENARIO))
    live = explain(probes, read_snapshot(reader, namespaces=["backend"], warn=print))
    assert sorted(reader.calls) == sorted((k, None) for k in Kind)
    assert [e.predicted for e in live] == [e.predicted for e in offline]
    assert {e.predicted for e in live} == {Verdict.ALLOWED, Verdict.DENIED, Verdict.UNDEFINED}


def test_live_falls_back_to_spec_namespaces_when_forbidden_cluster_wide() -> None:
    warnings: list[str] = []
    reader = FakeReader(_live_objects(SCENARIO),
                        forbidden_cluster_wide=[Kind.PODS, Kind.NAMESPACES])
    snapshot = read_snapshot(reader, namespaces=["backend", "db"], warn=warnings.append)
    assert (Kind.PODS, "backend") in reader.calls and (Kind.PODS, "db") in reader.calls
    assert {p.namespace for p in snapshot.pods} == {"backend", "db"}
    (warning,) = warnings  # said once
    assert "cannot list pods in all namespaces: only backend, db are read" in warning
    assert "cannot list namespaces cluster-wide" in warning


def test_exit_code_prefers_contradiction_over_undefined() -> None:
    loaded = load_spec_file(SPEC).spec
    assert loaded is not None
    items = explain(expand(loaded), load_snapshot([SCENARIO], default_namespace="default"))
    assert exit_code(items) is ExitCode.TEST_FAILURES
    assert exit_code([i for i in items if i.agrees]) is ExitCode.OK


def test_assume_pins_what_the_api_leaves_to_the_cni(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    spec, manifests = _files(tmp_path, manifests=MANIFESTS.replace(
        "podSelector: {matchLabels: {app: web}}", "ipBlock: {cidr: 10.0.0.0/8}"))
    (tmp_path / "spec.yaml").write_text(SPEC_TEXT.replace("denied: [other]", "denied: []"))
    code = run(["explain", spec, "--policies", manifests, "-o", "json",
                "--assume", "ipblock-matches-pod-ips=no"])
    assert code == ExitCode.TEST_FAILURES  # Cilium-like: the ipBlock never admits the pod
    doc = json.loads(capsys.readouterr().out)
    assert doc["probes"][0]["predicted"] == "denied"
    assert run(["explain", spec, "--policies", manifests, "--assume", "ipblock=maybe"]) == (
        ExitCode.USAGE)
    assert "expected KEY=yes|no" in capsys.readouterr().err
