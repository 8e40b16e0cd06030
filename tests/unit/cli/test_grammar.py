"""kubectl's grammar: flags on either side of the command, `-x=v`, identity flags, outputs."""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubectl_netpoltest import __version__
from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.argv import normalize
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import HOISTABLE
from kubectl_netpoltest.engine.cleanup import CleanupAction, PodCleanup
from kubectl_netpoltest.engine.execute import ExecuteOutcome
from kubectl_netpoltest.engine.prepare import PrepState, SourcePrep
from kubectl_netpoltest.exitcodes import ExitCode
from tests.unit.distribution.scripts import ROOT
from tests.unit.engine.fakegateway import FakeGateway

SPEC = (
    "pods:\n  - {name: a, podname: a}\n  - {name: b, podname: b}\n"
    "addresses:\n  - {name: h, hosts: [h.example]}\n"
    "connections:\n  - {name: c, addresses: [h], ports: [80]}\n"
    "rules:\n  - {name: r, from: [a], denied: [c]}\n  - {name: s, from: [b], allowed: [c]}\n"
)


def _config(path: Path) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "current-context": "ctx",
                "contexts": [
                    {"name": "ctx", "context": {"cluster": "c", "user": "u", "namespace": "ctxns"}}
                ],
                "clusters": [
                    {"name": "c", "cluster": {"server": "https://127.0.0.1:1"}},
                    {"name": "other", "cluster": {"server": "https://127.0.0.2:2"}},
                ],
                "users": [
                    {"name": "u", "user": {"token": "from-u"}},
                    {"name": "v", "user": {"token": "from-v"}},
                ],
            }
        )
    )
    return path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    config = _config(tmp_path / "kubeconfig")
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC)
    seen: dict[str, Any] = {"spec": str(spec), "config": str(config)}

    def fake_connect(
        *, settings: Any, request_timeout: float | None, verbosity: int = 0
    ) -> FakeGateway:
        seen.update(settings=settings, verbosity=verbosity, request_timeout=request_timeout)
        return FakeGateway()

    def fake_execute(**kwargs: Any) -> ExecuteOutcome:
        seen["execute"] = kwargs
        return ExecuteOutcome(results=[], exec_calls=0, interrupted=False, seconds=0.0)

    monkeypatch.setattr("kubectl_netpoltest.cluster.kube.connect", fake_connect)
    monkeypatch.setattr("kubectl_netpoltest.cli.execute.run_execute", fake_execute)
    ENV.environ_override = {"HOME": str(tmp_path), "KUBECONFIG": str(config)}
    yield seen
    ENV.environ_override = None


def _plan_namespaces(argv: list[str], capsys: pytest.CaptureFixture[str]) -> set[str]:
    assert run(argv) == ExitCode.OK, capsys.readouterr().err
    document = json.loads(capsys.readouterr().out)
    return {p["source"]["namespace"] for p in document["probes"]}


@pytest.mark.parametrize(
    "argv",
    [
        ["-n", "shop", "plan", "{spec}", "-o", "json"],
        ["plan", "{spec}", "-o", "json", "-n", "shop"],
        ["-n=shop", "plan", "{spec}", "-o", "json"],
        ["plan", "-n=shop", "{spec}", "-o=json"],
        ["--namespace=shop", "--context", "ctx", "plan", "{spec}", "-o", "json"],
        ["--context=ctx", "-n", "shop", "plan", "-o", "json", "{spec}"],
    ],
)
def test_connection_flags_on_either_side_and_with_equals(
    argv: list[str], world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [world["spec"] if a == "{spec}" else a for a in argv]
    assert _plan_namespaces(argv, capsys) == {"shop"}


def test_normalize_keeps_root_options_and_the_end_of_options() -> None:
    assert normalize(["--version"], hoistable=HOISTABLE) == ["--version"]
    assert normalize(["-v=6", "execute", "s.yaml"], hoistable=HOISTABLE) == [
        "execute",
        "-v",
        "6",
        "s.yaml",
    ]
    assert normalize(["plan", "--", "-n=x"], hoistable=HOISTABLE) == ["plan", "--", "-n=x"]


@pytest.mark.parametrize("namespace", ["=frontend", "Shop", "-x", "a_b", "x" * 64, "a.b"])
def test_invalid_namespace_is_refused(
    namespace: str, world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("plan", "execute", "prepare", "cleanup"):
        assert run([command, world["spec"], "--namespace", namespace]) == ExitCode.USAGE
        err = capsys.readouterr().err
        assert "not a valid namespace name" in err
        assert "Traceback" not in err


@pytest.mark.parametrize("ttl", ["nan", "inf", "-inf", "-5s", "1e400", "5x", ""])
def test_bad_durations_are_usage_errors(
    ttl: str, world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["prepare", world["spec"], "--ttl", ttl]) == ExitCode.USAGE
    assert run(["prepare", world["spec"], "--timeout", ttl]) == ExitCode.USAGE
    assert run(["execute", world["spec"], "--request-timeout", ttl]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "not a duration" in err
    assert "internal error" not in err


def test_verbosity_with_equals_and_identity_flags_reach_the_connection(
    world: dict[str, Any], tmp_path: Path
) -> None:
    argv = [
        "-v=6",
        "--as",
        "jane",
        "--as-group",
        "auditors",
        "--cluster",
        "other",
        "--user=v",
        "--token",
        "s3cret",
        "execute",
        world["spec"],
        "--junit",
        "",
    ]
    assert run(argv) == ExitCode.INCONCLUSIVE
    settings = world["settings"]
    assert world["verbosity"] == 6
    assert (settings.as_user, settings.as_groups) == ("jane", ("auditors",))
    assert (settings.cluster, settings.user, settings.token) == ("other", "v", "s3cret")
    assert settings.server == "https://127.0.0.2:2"
    assert "s3cret" not in repr(settings)


def test_unknown_cluster_is_a_kubeconfig_error(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["execute", world["spec"], "--cluster", "nope"]) == ExitCode.CLUSTER_ERROR
    assert "cluster 'nope' is not in" in capsys.readouterr().err


def test_narrowing_by_rule_and_source(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["plan", world["spec"], "-o", "json", "--rule", "s"]) == ExitCode.OK
    probes = json.loads(capsys.readouterr().out)["probes"]
    assert [p["rule"] for p in probes] == ["s"]
    assert run(["execute", world["spec"], "--source", "a", "--junit", ""]) == 5
    assert [p.source.name for p in world["execute"]["probes"]] == ["a"]
    capsys.readouterr()
    assert run(["plan", world["spec"], "--rule", "typo"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "--rule typo: not in the spec" in err
    assert "r, s" in err


def test_spec_from_stdin(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(SPEC.encode())))
    out = io.StringIO()
    ENV.stdout_override = out
    try:
        assert run(["plan", "-", "-o", "yaml"]) == ExitCode.OK
    finally:
        ENV.stdout_override = None
    document = yaml.safe_load(out.getvalue())
    assert document["kind"] == "Plan"
    assert len(document["probes"]) == 2


def test_prepare_and_cleanup_print_json_and_yaml_documents(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fake_prepare(**kwargs: Any) -> list[SourcePrep]:
        return [
            SourcePrep(
                source=s,
                state=PrepState.READY,
                message="debug container running",
                pod="web-1",
                container="netpoltest-abc",
                seconds=1.25,
            )
            for s in kwargs["sources"]
        ]

    def fake_cleanup(**kwargs: Any) -> list[PodCleanup]:
        if kwargs["on_done"] is not None:
            raise AssertionError("structured output must not interleave per-pod lines")
        return [PodCleanup(pod="ctxns/web-1", action=CleanupAction.DELETED, message="replaced")]

    monkeypatch.setattr("kubectl_netpoltest.cli.prepare.run_prepare", fake_prepare)
    monkeypatch.setattr("kubectl_netpoltest.cli.cleanup.run_cleanup", fake_cleanup)
    assert run(["prepare", world["spec"], "-o", "json"]) == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    assert (document["kind"], document["metadata"]["context"]) == ("PrepareResult", "ctx")
    assert document["metadata"]["server"] == "https://127.0.0.1:1"
    assert document["sources"][0]["pod"] == "web-1"
    assert document["summary"] == {"sources": 2, "ready": 2, "failed": 0}
    assert run(["cleanup", world["spec"], "-o", "yaml"]) == ExitCode.OK
    document = yaml.safe_load(capsys.readouterr().out)
    assert document["kind"] == "CleanupResult"
    assert document["pods"] == [{"pod": "ctxns/web-1", "action": "deleted", "message": "replaced"}]
    assert run(["prepare", world["spec"], "-o", "wide"]) == ExitCode.OK
    assert "(pod web-1, container netpoltest-abc)" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], ["-n", "shop"], ["--context=kind", "-v", "6"]])
def test_bare_command_prints_help_and_succeeds(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(argv) == ExitCode.OK
    assert "Usage: kubectl netpoltest" in capsys.readouterr().out


def test_version_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["version"]) == ExitCode.OK
    assert capsys.readouterr().out == f"kubectl-netpoltest {__version__}\n"
    assert run(["version", "-o", "json"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == __version__
    assert set(data) >= {"python", "platform"}


def _commands() -> list[str]:
    from typer.main import get_command

    from kubectl_netpoltest.cli.app import app

    return sorted(get_command(app).commands)  # type: ignore[attr-defined]


def test_help_reads_well_at_80_columns() -> None:
    """No line over 80 columns, no `<bool>` type noise, no paragraph broken mid-sentence."""
    for argv in [[], *([c] for c in _commands())]:
        result = subprocess.run(
            [sys.executable, "-m", "kubectl_netpoltest", *argv, "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
            check=True,
        )
        lines = result.stdout.splitlines()
        too_long = [line for line in lines if len(line) > 80]
        assert not too_long, (argv, too_long)
        assert "<bool>" not in result.stdout
        assert "..." not in "\n".join(x for x in lines if not x.startswith("Usage:")), argv
        # A ragged paragraph: a short line followed by one that continues the sentence.
        for first, second in itertools.pairwise(lines):
            if first.startswith("  ") and not first.startswith("   ") and second.startswith("  "):
                ends = first.rstrip()
                assert len(ends) > 50 or ends.endswith((".", ":", ")")) or not second.strip(), (
                    argv,
                    first,
                    second,
                )
        assert re.search(r"^Usage: kubectl netpoltest", result.stdout, re.M)
