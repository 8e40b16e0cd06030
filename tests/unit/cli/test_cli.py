"""The command line: exit codes, user-facing lines, and kubectl-like behaviour."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kubectl_netpoltest import __version__
from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = str(ROOT / "examples" / "original-internet-access.yaml")


@pytest.fixture(autouse=True)
def _isolated_environ(tmp_path: Path) -> Iterator[None]:
    ENV.environ_override = {"HOME": str(tmp_path)}
    yield
    ENV.environ_override = None


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == ExitCode.OK
    assert capsys.readouterr().out.strip() == f"kubectl-netpoltest {__version__}"


@pytest.mark.parametrize(
    "argv", [["-h"], ["--help"], ["plan", "-h"], ["validate", "--help"], ["execute", "-h"]]
)
def test_help_says_kubectl_netpoltest(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Usage: kubectl netpoltest" in out
    assert "kubectl-netpoltest" not in out


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", EXAMPLE]) == ExitCode.OK
    assert capsys.readouterr().out == (
        f"{EXAMPLE}: valid: 1 pod, 2 addresses, 2 connections, 1 rule -> 6 probes from "
        "1 source pod\n"
    )


def test_invalid_spec_exits_3_with_every_problem_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "t.yaml"
    spec.write_text("pods:\n  - {name: a, podname: A}\nrules:\n  - {name: r, from: [b]}\n")
    for command in ("validate", "plan", "prepare", "execute", "cleanup"):
        assert run([command, str(spec)]) == ExitCode.INVALID_SPEC
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert re.findall(r"^\S+t\.yaml:(\d+):\d+: ", err, re.M) == ["2", "4", "4"]
        assert err.rstrip().endswith("3 problems; nothing was changed in the cluster.")


def test_missing_file_is_invalid_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(tmp_path / "nope.yaml")]) == ExitCode.INVALID_SPEC
    assert "file does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["validate"], ["plan", EXAMPLE, "-o", "xml"], ["nope"], ["plan", EXAMPLE, "--bogus"]]
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == ExitCode.USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_plan_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", EXAMPLE, "-o", "json"]) == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    assert document["apiVersion"] == "netpoltest.kubectl.io/v1alpha1"
    assert document["kind"] == "Plan"
    assert document["metadata"]["spec"] == EXAMPLE
    assert document["metadata"]["version"] == __version__
    probes = document["probes"]
    assert [(p["target"]["host"], p["port"], p["expect"]) for p in probes] == [
        ("repo1.maven.org", 80, "allowed"),
        ("repo1.maven.org", 443, "allowed"),
        ("github.com", 80, "denied"),
        ("github.com", 443, "denied"),
        ("google.com", 80, "denied"),
        ("google.com", 443, "denied"),
    ]


def test_plan_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", EXAMPLE]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["RULE", "SOURCE", "TARGET", "PORT", "EXPECT"]
    assert "6 probes from 1 source pod" in out


def _namespace_spec(tmp_path: Path) -> str:
    spec = tmp_path / "ns.yaml"
    spec.write_text(
        "pods:\n  - {name: a, podname: a}\naddresses:\n  - {name: h, hosts: [h.example]}"
        "\nconnections:\n  - {name: c, addresses: [h], ports: [80]}\n"
        "rules:\n  - {name: r, from: [a], denied: [c]}\n"
    )
    return str(spec)


def _kubeconfig(path: Path, *, context: str, namespace: str) -> str:
    path.write_text(
        yaml.safe_dump(
            {
                "current-context": context,
                "contexts": [
                    {
                        "name": context,
                        "context": {"cluster": "c", "user": "u", "namespace": namespace},
                    }
                ],
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
                "users": [{"name": "u", "user": {"token": "x"}}],
            }
        )
    )
    return str(path)


@pytest.mark.parametrize(
    ("argv_extra", "env_files", "expected"),
    [
        ([], [], "default"),
        (["-n", "flagged"], [], "flagged"),
        ([], ["first", "second"], "ns-first"),
        (["--context", "second"], ["first", "second"], "ns-second"),
        (["--context", "second", "--namespace", "flagged"], ["first", "second"], "flagged"),
    ],
)
def test_plan_namespace_is_decided_like_kubectl(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv_extra: list[str],
    env_files: list[str],
    expected: str,
) -> None:
    files = [
        _kubeconfig(tmp_path / name, context=name, namespace=f"ns-{name}") for name in env_files
    ]
    ENV.environ_override = {"HOME": str(tmp_path), "KUBECONFIG": os.pathsep.join(files)}
    assert run(["plan", _namespace_spec(tmp_path), "-o", "json", *argv_extra]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["probes"][0]["source"]["namespace"] == expected


def test_plan_with_unknown_context_is_a_cluster_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _kubeconfig(tmp_path / "k", context="one", namespace="x")
    code = run(["plan", _namespace_spec(tmp_path), "--kubeconfig", config, "--context", "two"])
    assert code == ExitCode.CLUSTER_ERROR
    assert capsys.readouterr().err.startswith("error: context 'two' is not in")


def test_exit_code_table_in_readme_matches_the_enum() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| (\d+) \| `(\w+)` \|", readme, re.M))
    assert {int(k): v for k, v in rows.items()} == {c.value: c.name for c in ExitCode}


def test_plan_table_shows_selectors_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "pods:\n  - {name: api, namespace: shop, selector: 'app=api,tier in (a)'}\n"
        "addresses:\n  - {name: h, hosts: [h.example]}\n"
        "connections:\n  - {name: c, addresses: [h], ports: [80]}\n"
        "rules:\n  - {name: r, from: [api], denied: [c]}\n"
    )
    assert run(["plan", str(spec)]) == ExitCode.OK
    assert "api (shop/[app=api,tier in (a)])" in capsys.readouterr().out
