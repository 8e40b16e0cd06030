"""What cleanup did with each pod: one line of its report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CleanupAction(StrEnum):
    DELETED = "deleted"
    WOULD_DELETE = "would-delete"
    SKIPPED = "skipped"
    """Left alone by a safety rule; still instrumented."""
    KEPT = "kept"
    WOULD_KEEP = "would-keep"
    UNLABELLED = "unlabelled"
    """Carried our label but none of our containers: label removed, pod kept."""
    WOULD_UNLABEL = "would-unlabel"
    GONE = "gone"
    """Already deleted or replaced by another run (or someone else) meanwhile."""
    LEFT = "left"
    """Still instrumented and not handled by this run (outside this spec, or interrupted)."""
    FAILED = "failed"


STILL_INSTRUMENTED = (CleanupAction.SKIPPED, CleanupAction.LEFT, CleanupAction.FAILED)


@dataclass(frozen=True)
class PodCleanup:
    pod: str
    action: CleanupAction
    message: str
