"""generate -> validate -> plan -> prepare -> execute on the examples' scenarios: all PASS.

The generated expectations come from the policy engine; the sandbox enforces the same
policies with real nftables rules, so on a CNI that enforces, every generated probe must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
FAST = ("--probe-timeout", "1", "--attempts", "2")


@pytest.mark.parametrize(
    ("scenario", "cni_mode", "min_probes"),
    [
        # No CNI agent in this scenario: auto falls back to drop, which is the sandbox's mode.
        ("examples/sandbox-scenario", "auto", 4),
        # A reject-mode sandbox without an agent pod to detect: say so explicitly.
        ("examples/sandbox-scenario-richer", "reject", 12),
    ],
)
def test_generated_spec_round_trips_and_passes(
    scenario: str, cni_mode: str, min_probes: int, tmp_path: Path
) -> None:
    require_root_sandbox()
    with start_sandbox(ROOT / scenario) as sb:
        generated = netpoltest(sb, "generate", "-A")
        assert generated.code == ExitCode.OK, generated.err
        spec = tmp_path / "generated.yaml"
        spec.write_text(generated.out)
        assert "# Deployment " in generated.out and "allowed by " in generated.out

        assert netpoltest(sb, "validate", str(spec)).code == ExitCode.OK
        plan = netpoltest(sb, "plan", str(spec), "-o", "json")
        assert plan.code == ExitCode.OK, plan.err
        probes = plan.json()["probes"]
        count = len(probes)
        assert count >= min_probes
        assert {p["expect"] for p in probes} == {"allowed", "denied"}
        assert f"generated {count} probes" in generated.err

        prepared = netpoltest(sb, "prepare", str(spec))
        assert prepared.code == ExitCode.OK, prepared.out + prepared.err
        run = netpoltest(
            sb, "execute", str(spec), "-o", "json", "--junit", "", "--cni-mode", cni_mode, *FAST
        )
        results = run.json()["results"]
        assert run.code == ExitCode.OK, [r for r in results if r["verdict"] != "PASS"]
        assert len(results) == count
        assert {r["verdict"] for r in results} == {"PASS"}
