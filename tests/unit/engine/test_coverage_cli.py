"""coverage SPEC --policies: the JSON a CI job reads to see what the spec never touches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.exitcodes import ExitCode
from tests.unit.engine.test_explain import MANIFESTS, SPEC_TEXT


@pytest.fixture(autouse=True)
def _isolated_environ(tmp_path: Path) -> Iterator[None]:
    ENV.environ_override = {"HOME": str(tmp_path)}
    yield
    ENV.environ_override = None


def test_coverage_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC_TEXT)
    extra = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}, {ports: [{port: 53, protocol: UDP}]}]
"""
    (tmp_path / "m.yaml").write_text(MANIFESTS + extra)
    code = run(["coverage", str(tmp_path / "spec.yaml"), "--policies", str(tmp_path / "m.yaml"),
                "-o", "json"])
    assert code == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    rules = {(r["policy"], r["direction"], r["rule"]): r for r in doc["rules"]}
    db = rules[("db-from-web", "ingress", 0)]
    assert db["exercisedBy"] == ["web->pod/db:5432/tcp"]
    assert db["edgeTestedBy"] == ["web->pod/db:22/tcp"]
    assert db["peers"] == "pods [app=web] in the policy's namespace" and db["ports"] == "pg/TCP"
    assert rules[("web-egress", "egress", 0)]["exercisedBy"] == [
        "web->pod/db:5432/tcp", "web->pod/db:22/tcp"]
    assert doc["untouchedRules"] == ["shop/web-egress egress[1]"]
    assert doc["summary"]["untouched"] == 1
