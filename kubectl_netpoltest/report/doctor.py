"""doctor's output: aligned PASS/WARN/FAIL lines with the fix under each, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from kubectl_netpoltest.core.findings import Finding, Status


def findings_dict(findings: Sequence[Finding]) -> dict[str, Any]:
    counts = {status.value: sum(f.status is status for f in findings) for status in Status}
    return {
        "ok": counts[Status.FAIL.value] == 0,
        "counts": counts,
        "checks": [
            {
                "area": f.area.value,
                "subject": f.subject,
                "status": f.status.value,
                "message": f.message,
                "fix": f.fix or None,
            }
            for f in findings
        ],
    }


def write_findings_json(findings: Sequence[Finding], out: TextIO) -> None:
    json.dump(findings_dict(findings), out, indent=2)
    out.write("\n")


def write_findings(findings: Sequence[Finding], out: TextIO) -> None:
    area_width = max((len(f.area.value) for f in findings), default=0)
    subject_width = min(40, max((len(f.subject) for f in findings), default=0))
    for f in findings:
        out.write(
            f"{f.status.value:<4}  {f.area.value:<{area_width}}  "
            f"{f.subject:<{subject_width}}  {f.message}\n"
        )
        if f.fix and f.status is not Status.PASS:
            out.write(f"{'':<4}  {'':<{area_width}}  {'':<{subject_width}}  fix: {f.fix}\n")
    counts = {status: sum(f.status is status for f in findings) for status in Status}
    out.write(
        f"\ndoctor: {counts[Status.PASS]} passed, {counts[Status.WARN]} warnings, "
        f"{counts[Status.FAIL]} failed\n"
    )
