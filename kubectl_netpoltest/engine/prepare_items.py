"""What prepare did for each source: one line of its report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kubectl_netpoltest.core.model import PodRef


class PrepState(StrEnum):
    READY = "ready"
    """A new debug container is running."""
    REUSED = "reused"
    """The pod already had our running debug container: nothing changed."""
    FAILED = "failed"
    NO_POD = "no-pod"
    INTERRUPTED = "interrupted"
    """SIGINT/SIGTERM came before this source was done; the message says what is left."""


@dataclass(frozen=True)
class SourcePrep:
    source: PodRef
    state: PrepState
    message: str
    pod: str | None = None
    container: str | None = None
    seconds: float = 0.0
    skipped: tuple[str, ...] = ()
    tools: str = ""
    """What the new debug container's image offers (engine/toolcheck.py), "" if not checked."""
    warnings: tuple[str, ...] = ()
    """What will not work with this image: shown before any probe runs."""
    instrumented: bool = False
    """The pod carries our label and a debug container after this (ok or not): cleanup needed."""

    @property
    def ok(self) -> bool:
        return self.state in (PrepState.READY, PrepState.REUSED)
