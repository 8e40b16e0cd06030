"""End-to-end tests: the product, as a user runs it, against sandbox clusters with real packets."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from tests.e2e.sandboxctl import ROOT, product_command
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

VERDICTS_SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "verdicts"
VERDICTS_SPEC = ROOT / "tests" / "e2e" / "specs" / "verdicts.yaml"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def netpoltest(sb: Sandbox, *args: str, user: str = "admin", timeout: float = 180) -> Run:
    """Run `kubectl netpoltest ARGS` against the sandbox (the CLI, or NETPOLTEST_BINARY)."""
    proc = subprocess.run(
        [*product_command(), *args],
        env=sb.env(user),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def verdicts(run: Run) -> dict[str, tuple[str, str]]:
    return {r["id"]: (r["verdict"], r["observation"]) for r in run.json()["results"]}


@pytest.fixture(scope="module")
def lab() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(VERDICTS_SCENARIO) as sb:
        yield sb


@pytest.fixture(scope="module")
def reject_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The same lab on a CNI that rejects denied traffic (TCP reset, ICMP admin-prohibited)."""
    require_root_sandbox()
    scenario = tmp_path_factory.mktemp("reject-lab")
    shutil.copytree(VERDICTS_SCENARIO, scenario, dirs_exist_ok=True)
    config = yaml.safe_load((scenario / "sandbox.yaml").read_text())
    config["denyMode"] = "reject"
    (scenario / "sandbox.yaml").write_text(yaml.safe_dump(config))
    with start_sandbox(scenario) as sb:
        yield sb
