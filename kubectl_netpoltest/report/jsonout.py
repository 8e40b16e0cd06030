"""Machine-readable results: `execute -o json`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.report.resultdata import run_dict


def write_results_json(
    results: Sequence[ProbeResult],
    out: TextIO,
    *,
    seconds: float,
    exec_calls: int,
    interrupted: bool,
) -> None:
    json.dump(
        run_dict(results, seconds=seconds, exec_calls=exec_calls, interrupted=interrupted),
        out,
        indent=2,
    )
    out.write("\n")
