"""enforce-time --timeout 0: was silently 5 minutes (`parse_duration('0')` is None, then the
default); kubectl reads 0 as 'no limit', which a watch-then-measure command cannot honour
without risking a hang. Refused before any cluster access, with what to pass instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.exitcodes import ExitCode

SPEC = str(Path(__file__).resolve().parents[3] / "examples" / "richer.yaml")


def test_a_zero_timeout_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["enforce-time", SPEC, "--timeout", "0", "--kubeconfig", "/nonexistent"])
    assert code == ExitCode.USAGE
    assert "--timeout" in capsys.readouterr().err
