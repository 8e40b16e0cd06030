"""Spec problems: what is wrong, where, and what was expected.

A problem formats as `FILE:LINE:COLUMN: path.to.field: message (expected ...)`, the shape
compilers use, so editors and CI annotate the right line.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubectl_netpoltest.core.model import Location


@dataclass(frozen=True, order=True)
class Problem:
    location: Location
    path: str
    message: str
    expected: str | None = None

    def __str__(self) -> str:
        text = (
            f"{self.location}: {self.path}: {self.message}"
            if self.path
            else (f"{self.location}: {self.message}")
        )
        if self.expected:
            text += f" (expected {self.expected})"
        return text
