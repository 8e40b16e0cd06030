"""`python -m tests.differential [WORLDS]` (as root): run the differential test, print the
agreement count and every disagreement."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.differential.generator import SEED, WORLDS
from tests.differential.run import run
from tests.sandbox.network.testing import instance_name

if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else WORLDS
    with tempfile.TemporaryDirectory() as tmp:
        report = run(state_dir=Path(tmp) / "state", instance=instance_name("dif"), seed=SEED,
                     count=count)
    print("\n".join(report.disagreements))
    print(report.summary())
    sys.exit(1 if report.disagreements else 0)
