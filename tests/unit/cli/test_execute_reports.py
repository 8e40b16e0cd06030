"""execute's JUnit file when the run fails before any probe ran (issue 9 item 8).

The previous run's junit.xml used to stay in place, so CI published old results as current.
No cluster is involved: the failures here happen before one would be contacted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = str(ROOT / "examples" / "original-internet-access.yaml")
STALE = "<testsuites><testsuite name='last week' tests='1'><testcase name='ok'/></testsuite>"


@pytest.fixture(autouse=True)
def _isolated_environ(tmp_path: Path) -> Iterator[None]:
    ENV.environ_override = {"HOME": str(tmp_path)}
    yield
    ENV.environ_override = None


def _failed_run_reason(junit: Path) -> str:
    root = ET.parse(junit).getroot()
    (case,) = root.iter("testcase")
    error = case.find("error")
    assert error is not None and error.get("type") == "run-failed"
    assert "last week" not in junit.read_text()
    return f"{error.get('message', '')}\n{error.text or ''}"


def test_a_kubeconfig_problem_replaces_the_previous_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(STALE)
    missing = tmp_path / "no-such-kubeconfig"
    code = run(["execute", EXAMPLE, "--kubeconfig", str(missing), "--junit", str(junit)])
    assert code == ExitCode.CLUSTER_ERROR
    assert str(missing) in _failed_run_reason(junit)
    assert "error:" in capsys.readouterr().err


def test_an_invalid_spec_replaces_the_previous_report(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("rules:\n  - {name: r, from: [nowhere]}\n")
    junit = tmp_path / "junit.xml"
    junit.write_text(STALE)
    assert run(["execute", str(spec), "--junit", str(junit)]) == ExitCode.INVALID_SPEC
    assert "nowhere" in _failed_run_reason(junit)


def test_no_report_is_written_when_junit_is_off(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-kubeconfig"
    assert run(["execute", EXAMPLE, "--kubeconfig", str(missing), "--junit", ""]) == 4
    assert list(tmp_path.iterdir()) == []
