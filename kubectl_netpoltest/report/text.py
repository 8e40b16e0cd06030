"""Console output for people: live progress while probes run, one line per probe, a summary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol, TextIO

from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.core.results import ProbeResult, summarize
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.report.escape import console_safe
from kubectl_netpoltest.report.resultdata import target_text


class _State(Protocol):
    @property
    def value(self) -> str: ...


class PrepResultLike(Protocol):
    """What a prepare result shows (engine.prepare.SourcePrep); reports do not import the engine."""

    @property
    def source(self) -> PodRef: ...
    @property
    def state(self) -> _State: ...
    @property
    def message(self) -> str: ...
    @property
    def seconds(self) -> float: ...
    @property
    def skipped(self) -> tuple[str, ...]: ...
    @property
    def ok(self) -> bool: ...


class CleanupLike(Protocol):
    @property
    def pod(self) -> str: ...
    @property
    def action(self) -> _State: ...
    @property
    def message(self) -> str: ...


def escape(text: str) -> str:
    """Safe to print: control characters shown as escapes (report/escape.py), markup inert."""
    return _markup_escape(console_safe(text))


_STYLE = {Verdict.PASS: "green", Verdict.FAIL: "bold red", Verdict.ERROR: "yellow"}


def console_for(out: TextIO) -> Console:
    return Console(file=out, highlight=False, soft_wrap=True)


@contextmanager
def progress(err: TextIO, *, description: str, total: int) -> Iterator[Progress]:
    """A live progress bar on a terminal; silent (but still usable) elsewhere."""
    console = Console(file=err)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with bar:
        bar.add_task(description, total=total)
        yield bar


def _took(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms" if seconds < 1 else f"{seconds:.1f}s"


def write_results(
    results: Sequence[ProbeResult],
    out: TextIO,
    *,
    seconds: float,
    exec_calls: int,
    interrupted: bool,
    only_failures: bool = False,
    wide: bool = False,
) -> None:
    """One line per probe (a second, indented line with the reason unless it passed).

    `only_failures` leaves out the PASS lines (the summary still counts every probe); `wide`
    adds the probe id and one line per target address with what was observed there.
    """
    console = console_for(out)
    width = max((len(r.probe.rule) for r in results), default=4)
    for result in results:
        if only_failures and result.verdict is Verdict.PASS:
            continue
        probe = result.probe
        style = _STYLE[result.verdict]
        source = result.source_pod or f"{probe.source.namespace}/{probe.source.name}"
        address = result.address_text
        target = target_text(result) + (
            f" ({address})" if address not in ("-", target_text(result)) else ""
        )
        console.print(
            f"[{style}]{result.verdict.value:5}[/] {escape(probe.rule):{width}}  "
            f"{escape(source)} -> {escape(target)} {probe.port}/{probe.protocol.value}  "
            f"expect {probe.expect.value}, {escape(result.observation_text)}  "
            f"{_took(result.seconds)}"
        )
        if result.verdict is not Verdict.PASS:
            console.print(f"      [{style}]{escape(result.reason)}[/]")
        if wide:
            console.print(f"      id {escape(probe.id)}")
            for item in result.addresses:
                console.print(
                    f"      {escape(item.address or '-')}: {item.observation.value}: "
                    f"{escape(item.detail)}"
                )
    summary = summarize(results)
    parts = [
        f"[green]{summary.passed} passed[/]",
        f"[bold red]{summary.failed} failed[/]",
        f"[yellow]{summary.errors} errors[/]",
    ]
    if summary.inconclusive:
        parts.append(f"{summary.inconclusive} inconclusive")
    tail = " (interrupted)" if interrupted else ""
    console.print(
        f"\n{summary.total} probes: "
        + ", ".join(parts)
        + f" in {seconds:.1f}s with {exec_calls} exec call"
        f"{'s' if exec_calls != 1 else ''}{tail}"
    )


def write_prepare(
    results: Sequence[PrepResultLike],
    out: TextIO,
    *,
    context: str,
    image: str,
    wide: bool = False,
) -> None:
    """One line per source; `wide` adds the pod and container that were used."""
    console = console_for(out)
    console.print(f"Preparing on {escape(context)} with image {escape(image)}")
    for result in results:
        style = "green" if result.ok else "bold red"
        where = ""
        if wide and getattr(result, "pod", None):
            pod = str(getattr(result, "pod", ""))
            container = str(getattr(result, "container", "") or "-")
            where = escape(f" (pod {pod}, container {container})")
        console.print(
            f"  [{style}]{result.state.value.upper():8}[/] {escape(result.source.name)}{where}"
            f": {escape(result.message)}" + (f" ({result.seconds:.1f}s)" if result.seconds else "")
        )
        for skipped in result.skipped:
            console.print(f"           skipped {escape(skipped)}")
    ok = sum(1 for r in results if r.ok)
    console.print(f"{ok} of {len(results)} sources ready")


def write_cleanup(
    items: Sequence[CleanupLike], out: TextIO, *, header: bool, only_summary: bool = False
) -> None:
    console = console_for(out)
    if not only_summary:
        for item in items:
            console.print(f"  {item.action.value:12} {escape(item.pod)}: {escape(item.message)}")
        return
    if not items:
        console.print(
            "nothing to clean up: no pod in the namespaces looked at carries our label "
            "or a debug container of ours"
        )
        return
    counts: dict[str, int] = {}
    for item in items:
        counts[item.action.value] = counts.get(item.action.value, 0) + 1
    console.print(", ".join(f"{n} {action}" for action, n in counts.items()))
    left = counts.get("skipped", 0) + counts.get("failed", 0) + counts.get("left", 0)
    if left:
        verb = "carries" if left == 1 else "carry"
        console.print(
            f"{left} pod{'s' if left != 1 else ''} still {verb} our label or a debug "
            "container (named above): --force deletes the ones left by a safety rule, -A "
            "covers other specs' pods, --keep-pods stops the containers instead"
        )
