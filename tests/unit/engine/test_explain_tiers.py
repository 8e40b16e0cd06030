"""explain offline with admin-tier manifests: the tier chain decides and is shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.exitcodes import ExitCode
from tests.unit.engine.test_explain import MANIFESTS, SPEC_TEXT

CNP = """
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-web-to-db}
spec:
  tier: Admin
  priority: 5
  subject: {pods: {podSelector: {matchLabels: {app: db}}}}
  ingress: [{action: Deny, from: [{pods: {podSelector: {matchLabels: {app: web}}}}]}]
---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: antrea-own-kind}
spec: {priority: 1}
"""


@pytest.fixture(autouse=True)
def _isolated_environ(tmp_path: Path) -> Iterator[None]:
    ENV.environ_override = {"HOME": str(tmp_path)}
    yield
    ENV.environ_override = None


def test_admin_deny_overrides_the_np_allow_offline(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC_TEXT)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "all.yaml").write_text(MANIFESTS + CNP)
    code = run(["explain", str(tmp_path / "spec.yaml"), "--policies", str(tmp_path / "m"),
                "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == ExitCode.TEST_FAILURES  # the spec expects allowed; the Admin tier denies
    assert doc["policiesFrom"].endswith("(admin tiers considered (manifests): "
                                        "ClusterNetworkPolicy: 1 object(s))")
    probe = doc["probes"][0]
    assert probe["predicted"] == "denied"
    ingress = next(b for b in probe["because"] if b["direction"] == "ingress")
    assert ingress["code"] == "admin-tier"
    assert ingress["reason"] == "[Admin] Deny (cnp/no-web-to-db ingress[0])"
    assert ingress["policies"] == [{"namespace": "", "name": "no-web-to-db",
                                    "rule": "ingress[0]", "kind": "cnp"}]


def test_without_admin_manifests_nothing_changes(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC_TEXT)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "all.yaml").write_text(MANIFESTS)
    assert run(["explain", str(tmp_path / "spec.yaml"), "--policies", str(tmp_path / "m"),
                "-o", "json"]) == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["policiesFrom"].endswith("(admin tiers considered (manifests): none)")


def test_malformed_admin_manifest_is_a_usage_error(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC_TEXT)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "all.yaml").write_text(MANIFESTS + CNP.replace("priority: 5",
                                                                     "priority: high"))
    code = run(["explain", str(tmp_path / "spec.yaml"), "--policies", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert "cnp/no-web-to-db.spec.priority: 'high' is not an integer from 0 to 1000" in err
    assert "Traceback" not in err
