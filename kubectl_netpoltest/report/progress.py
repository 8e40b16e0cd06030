"""Live progress of `execute` on a terminal: something a person can watch.

Up front: the context and the worst-case duration (a drop-mode run waits out every timeout, so
people need to know whether 10 s of silence is normal). While probing: a bar that moves with
every probe the pods report (the engine's per-task hook, called as each stream line arrives,
not when a whole source pod finishes), the source pods still pending, and the most recent
finished probes. At the end the live area disappears and the normal report is printed, so
nothing appears twice. Off a terminal it prints nothing at all: CI logs and pipes stay clean.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from kubectl_netpoltest.core.model import PodRef, Probe
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.report.escape import console_safe
from kubectl_netpoltest.report.resultdata import target_text

_STYLE = {Verdict.PASS: "green", Verdict.FAIL: "bold red", Verdict.ERROR: "yellow"}
_RECENT = 8
_PENDING_SHOWN = 4


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    return f"{seconds / 60:.0f}m{seconds % 60:02.0f}s"


class ProbeProgress:
    """Thread-safe: the engine calls `task_done` and `result` from its worker threads."""

    def __init__(self, *, probes: Sequence[Probe]) -> None:
        self._lock = threading.Lock()
        self._total = len(probes)
        self._tasks_done = 0
        self._results = 0
        self._left: dict[PodRef, int] = {}
        for probe in probes:
            self._left[probe.source] = self._left.get(probe.source, 0) + 1
        self._recent: deque[Text] = deque(maxlen=_RECENT)

    def task_done(self) -> None:
        with self._lock:
            self._tasks_done += 1

    def result(self, result: ProbeResult) -> None:
        probe = result.probe
        line = Text.from_markup(
            f"[{_STYLE[result.verdict]}]{result.verdict.value:5}[/] "
            + escape(
                console_safe(
                    f"{probe.rule}  {probe.source.name} -> {target_text(result)} "
                    f"{probe.port}/{probe.protocol.value}  {result.observation.value}"
                )
            )
        )
        with self._lock:
            self._results += 1
            left = self._left.get(probe.source, 0) - 1
            if left <= 0:
                self._left.pop(probe.source, None)
            else:
                self._left[probe.source] = left
            self._recent.append(line)

    @property
    def done(self) -> int:
        """Probes finished: a probe's line counts before its source pod's exec returns.

        Tasks outnumber probes only for dual-stack pod targets (one task per address), so the
        count is capped below the total until every result is in.
        """
        with self._lock:
            if self._results >= self._total:
                return self._total
            return max(self._results, min(self._tasks_done, self._total - 1))

    def render(self) -> RenderableType:
        done = self.done
        with self._lock:
            recent = list(self._recent)
            pending = [s.name for s in self._left]
        width = 30
        filled = int(width * done / self._total) if self._total else width
        bar = Text("probing ", style="bold")
        bar.append("━" * filled, style="green")
        bar.append("━" * (width - filled), style="grey37")
        bar.append(f" {done}/{self._total}")
        if pending:
            shown = ", ".join(pending[:_PENDING_SHOWN])
            more = f" and {len(pending) - _PENDING_SHOWN} more" if len(pending) > 4 else ""
            bar.append(console_safe(f"  waiting on {shown}{more}"), style="dim")
        return Group(*recent, bar)


def headline(*, probes: int, sources: int, context: str, worst_case_seconds: float) -> str:
    return console_safe(
        f"Probing {probes} probe{'s' if probes != 1 else ''} from {sources} source pod"
        f"{'s' if sources != 1 else ''} on {context}; at most "
        f"{_duration(worst_case_seconds)} if every attempt times out"
    )


@contextmanager
def live_progress(
    err: TextIO,
    *,
    probes: Sequence[Probe],
    context: str,
    worst_case_seconds: float,
    force_terminal: bool | None = None,
) -> Iterator[ProbeProgress]:
    """Yield the hooks to pass the engine; draw them only when `err` is a terminal."""
    state = ProbeProgress(probes=probes)
    console = Console(file=err, highlight=False, force_terminal=force_terminal)
    if not console.is_terminal:
        yield state
        return
    console.print(
        headline(
            probes=len(probes),
            sources=len({p.source for p in probes}),
            context=context,
            worst_case_seconds=worst_case_seconds,
        ),
        markup=False,
        soft_wrap=True,
    )

    class _View:
        def __rich__(self) -> RenderableType:
            return state.render()

    with Live(_View(), console=console, refresh_per_second=10, transient=True):
        yield state
