"""Commands that need no cluster must not import the kubernetes client.

It is about a thousand modules; importing it eagerly would make every `--help`, `validate` and
`plan` (and the frozen binary's start-up) slower. A fresh interpreter per case, because this
test process may already have imported it for other tests.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.unit.distribution.scripts import ROOT

EXAMPLE = str(ROOT / "examples" / "original-internet-access.yaml")
PROBE = """
import sys
from kubectl_netpoltest.__main__ import run
code = run(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m == "kubernetes" or m.startswith("kubernetes."))
print("KUBERNETES_MODULES", len(loaded), loaded[:3], file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["validate", EXAMPLE], ["plan", "-o", "json", EXAMPLE], ["rbac"]],
    ids=["help", "version", "validate", "plan", "rbac"],
)
def test_offline_commands_do_not_import_kubernetes(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"HOME": "/nonexistent", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "KUBERNETES_MODULES 0 []" in result.stderr
