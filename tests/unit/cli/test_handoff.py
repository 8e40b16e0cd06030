"""argv + environment → the typed options and probes that reach the engine (patched)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.core.verdict import CniMode
from kubectl_netpoltest.engine.execute import ExecuteOutcome
from kubectl_netpoltest.engine.options import CleanupOptions, ExecuteOptions, PrepareOptions
from kubectl_netpoltest.exitcodes import ExitCode
from tests.unit.engine.fakegateway import FakeGateway

SPEC = (
    "pods:\n  - {name: a, podname: a}\naddresses:\n  - {name: h, hosts: [h.example]}\n"
    "connections:\n  - {name: c, addresses: [h], ports: [80]}\n"
    "rules:\n  - {name: r, from: [a], denied: [c]}\n"
)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    config = tmp_path / "kubeconfig"
    config.write_text(
        yaml.safe_dump(
            {
                "current-context": "ctx",
                "contexts": [
                    {"name": "ctx", "context": {"cluster": "c", "user": "u", "namespace": "ctxns"}}
                ],
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
                "users": [{"name": "u", "user": {"token": "x"}}],
            }
        )
    )
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC)
    seen: dict[str, Any] = {"spec": str(spec)}

    def fake_connect(
        *, settings: Any, request_timeout: float | None, verbosity: int = 0
    ) -> FakeGateway:
        seen["verbosity"] = verbosity
        seen["settings"] = settings
        seen["request_timeout"] = request_timeout
        return FakeGateway()

    monkeypatch.setattr("kubectl_netpoltest.cluster.kube.connect", fake_connect)
    ENV.environ_override = {"HOME": str(tmp_path), "KUBECONFIG": str(config)}
    yield seen
    ENV.environ_override = None


def test_execute_options(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fake_execute(**kwargs: Any) -> ExecuteOutcome:
        world["execute"] = kwargs
        return ExecuteOutcome(results=[], exec_calls=0, interrupted=False, seconds=0.0)

    monkeypatch.setattr("kubectl_netpoltest.cli.execute.run_execute", fake_execute)
    junit = tmp_path / "j.xml"
    code = run(
        [
            "execute",
            world["spec"],
            "--cni-mode",
            "reject",
            "--probe-timeout",
            "3",
            "--attempts",
            "2",
            "-n",
            "flagns",
            "--request-timeout",
            "1m",
            "--junit",
            str(junit),
            "-v",
            "6",
        ]
    )
    assert code == ExitCode.INCONCLUSIVE  # no probe ran: never a success
    assert world["execute"]["options"] == ExecuteOptions(
        probe_timeout_seconds=3, attempts=2, parallelism_per_pod=32, cni_mode=CniMode.REJECT
    )
    assert [p.source.namespace for p in world["execute"]["probes"]] == ["flagns"]
    assert world["request_timeout"] == 60.0
    assert world["verbosity"] == 6
    assert world["settings"].context == "ctx"
    assert junit.exists()


def test_prepare_options_and_spec_image(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_prepare(**kwargs: Any) -> list[Any]:
        world["prepare"] = kwargs
        return []

    monkeypatch.setattr("kubectl_netpoltest.cli.prepare.run_prepare", fake_prepare)
    assert run(["prepare", world["spec"], "--ttl", "10m", "--timeout", "30s"]) == ExitCode.OK
    assert world["prepare"]["options"] == PrepareOptions(
        image="registry.k8s.io/e2e-test-images/agnhost:2.53", ttl_seconds=600, timeout_seconds=30
    )
    assert [s.namespace for s in world["prepare"]["sources"]] == ["ctxns"]
    Path(world["spec"]).write_text("image: mirror.example/agnhost:2.53\n" + SPEC)
    assert run(["prepare", world["spec"], "--image", "other/img:1"]) == ExitCode.OK
    assert world["prepare"]["options"].image == "other/img:1"
    assert run(["prepare", world["spec"]]) == ExitCode.OK
    assert world["prepare"]["options"].image == "mirror.example/agnhost:2.53"


def test_cleanup_options(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_cleanup(**kwargs: Any) -> list[Any]:
        world["cleanup"] = kwargs
        return []

    monkeypatch.setattr("kubectl_netpoltest.cli.cleanup.run_cleanup", fake_cleanup)
    assert run(["cleanup", world["spec"], "--dry-run", "--force", "-A", "--timeout", "1m"]) == 0
    assert world["cleanup"]["options"] == CleanupOptions(
        force=True, dry_run=True, keep_pods=False, all_namespaces=True, ready_timeout_seconds=60
    )


def test_cluster_commands_need_a_kubeconfig(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC)
    ENV.environ_override = {"HOME": str(tmp_path)}
    try:
        assert run(["execute", str(spec)]) == ExitCode.CLUSTER_ERROR
    finally:
        ENV.environ_override = None
    assert "no kubeconfig found" in capsys.readouterr().err
