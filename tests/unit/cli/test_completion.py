"""Shell completion: cobra's __complete answers, the kubectl helper, and the bash script."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.completion import BASH, HELPER
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.exitcodes import ExitCode
from tests.unit.distribution.scripts import ROOT


@pytest.fixture(autouse=True)
def _kubeconfig(tmp_path: Path) -> Iterator[None]:
    config = tmp_path / "config"
    config.write_text(
        yaml.safe_dump(
            {
                "current-context": "kind-a",
                "contexts": [
                    {"name": "kind-a", "context": {"cluster": "a", "user": "ua"}},
                    {"name": "prod", "context": {"cluster": "p", "user": "up"}},
                ],
                "clusters": [{"name": "a", "cluster": {"server": "https://127.0.0.1:1"}}],
                "users": [{"name": "ua", "user": {"token": "t"}}],
            }
        )
    )
    ENV.environ_override = {"HOME": str(tmp_path), "KUBECONFIG": str(config)}
    yield
    ENV.environ_override = None


def _answer(words: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    assert run(["__complete", *words]) == ExitCode.OK
    *lines, directive = capsys.readouterr().out.splitlines()
    return [line.split("\t")[0] for line in lines], directive


@pytest.mark.parametrize(
    ("words", "expected", "directive"),
    [
        (["ex"], ["execute", "explain"], ":4"),
        (["execute", "--con"], ["--context"], ":4"),
        (["execute", "-o", ""], ["table", "wide", "json", "yaml"], ":4"),
        (["-n", "shop", "execute", "--context", ""], ["kind-a", "prod"], ":4"),
        (["plan", "--cluster", ""], ["a"], ":4"),
        (["execute", ""], ["yaml", "yml"], ":8"),
        (["--context", "prod", "plan", ""], ["yaml", "yml"], ":8"),
        (["completion", ""], ["bash", "zsh", "fish", "kubectl"], ":4"),
        (["execute", "--junit", ""], [], ":0"),
    ],
)
def test_complete_answers(
    words: list[str], expected: list[str], directive: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _answer(words, capsys) == (expected, directive)


def test_subcommands_carry_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["__complete", "pla"]) == ExitCode.OK
    assert capsys.readouterr().out == "plan\tPrint the probes that execute would run\n:4\n"


def test_namespaces_come_from_the_cluster(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[list[str]] = []

    def lister(words: list[str]) -> list[str]:
        seen.append(list(words))
        return ["default", "shop", "kube-system"]

    monkeypatch.setattr("kubectl_netpoltest.cli.complete.NAMESPACE_LISTER", lister)
    assert _answer(["--context", "prod", "execute", "-n", "sh"], capsys) == (["shop"], ":4")
    assert seen == [["--context", "prod", "execute", "-n"]]


@pytest.fixture
def on_path(tmp_path: Path) -> dict[str, str]:
    """`kubectl-netpoltest` and `kubectl_complete-netpoltest` on PATH, as an install has them."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    plugin = bin_dir / "kubectl-netpoltest"
    plugin.write_text(f'#!/bin/sh\nexec {sys.executable} -m kubectl_netpoltest "$@"\n')
    helper = bin_dir / "kubectl_complete-netpoltest"
    helper.write_text(HELPER)
    for path in (plugin, helper):
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "KUBECONFIG": ENV.environ["KUBECONFIG"],
    }


def test_kubectl_helper_speaks_cobra(on_path: dict[str, str]) -> None:
    """What kubectl >= 1.26 runs for `kubectl netpoltest execute -o <TAB>`."""
    result = subprocess.run(
        ["kubectl_complete-netpoltest", "execute", "-o", ""],
        capture_output=True,
        text=True,
        env=on_path,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout == "table\nwide\njson\nyaml\n:4\n"


def test_bash_script_completes_commands_flags_and_yaml_files(
    on_path: dict[str, str], tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for name in ("spec.yaml", "other.yml", "notes.txt"):
        (work / name).write_text("")
    script = tmp_path / "completion.bash"
    script.write_text(BASH)
    probe = """
source "$1"
complete_words() {
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
    _kubectl_netpoltest
    printf '%s\\n' "${COMPREPLY[@]}" | sort | paste -sd' '
}
complete_words kubectl-netpoltest ex
complete_words kubectl-netpoltest execute --only
complete_words kubectl-netpoltest execute ''
complete_words kubectl-netpoltest --context ''
"""
    result = subprocess.run(
        ["bash", "-c", probe, "probe", str(script)],
        capture_output=True,
        text=True,
        env=on_path,
        check=True,
        cwd=work,
    )
    assert result.stdout.splitlines() == [
        "execute explain",
        "--only-failures",
        "other.yml spec.yaml",
        "kind-a prod",
    ], result.stderr
    assert os.environ.get("COMP_WORDS") is None


def test_real_kubectl_completes_the_plugin_through_the_helper(on_path: dict[str, str]) -> None:
    """kubectl (>= 1.26) finds kubectl_complete-netpoltest on PATH and relays its answer."""
    import shutil

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is not installed (GitHub's runners and the sandbox tests have it)")
    result = subprocess.run(
        [kubectl, "__complete", "netpoltest", "execute", "-o", ""],
        capture_output=True,
        text=True,
        env=on_path,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout == "table\nwide\njson\nyaml\n:4\n", result.stderr
