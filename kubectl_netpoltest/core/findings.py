"""What `doctor` reports: one finding per check, PASS/WARN/FAIL, each with the fix.

FAIL means prepare/execute/cleanup cannot work (or their verdicts would be wrong) until the fix
is applied; WARN means they will work, but something deserves attention (an inconclusive
source, an unreadable CNI configuration). Only FAIL makes doctor exit non-zero, so CI can run
doctor as a gate without being blocked by advice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"


class Area(StrEnum):
    """Which part of the set-up a finding is about; also the report's order."""

    SERVER = "server"
    PERMISSIONS = "permissions"
    POD_SECURITY = "pod-security"
    IMAGE = "image"
    SOURCES = "sources"
    CNI = "cni"


@dataclass(frozen=True)
class Finding:
    area: Area
    subject: str
    """What was checked: `kube-apiserver`, `namespace shop`, `source web (shop/web-7d9c)`."""
    status: Status
    message: str
    fix: str = ""


def passed(findings: Sequence[Finding]) -> bool:
    """Doctor's exit criterion: nothing FAILed."""
    return all(f.status is not Status.FAIL for f in findings)


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Area order (as the issue lists them), then subject: stable output for humans and diffs."""
    rank = {area: index for index, area in enumerate(Area)}
    return sorted(findings, key=lambda f: (rank[f.area], f.subject))
