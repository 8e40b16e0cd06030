"""Render a plan: a readable table for people, JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kubectl_netpoltest.core.model import Expectation, PodTarget, Probe
from kubectl_netpoltest.report.probedata import probe_dict


def write_plan_json(probes: Sequence[Probe], out: TextIO) -> None:
    json.dump([probe_dict(p) for p in probes], out, indent=2)
    out.write("\n")


def _target(probe: Probe) -> str:
    if isinstance(probe.target, PodTarget):
        return f"{probe.target.label} ({probe.target.pod.describe()})"
    return probe.target.label


def write_plan_table(probes: Sequence[Probe], out: TextIO, *, spec_path: str) -> None:
    console = Console(
        file=out, highlight=False, soft_wrap=False, width=200 if not out.isatty() else None
    )
    table = Table(title=None, box=None, pad_edge=False, header_style="bold")
    for column in ("RULE", "SOURCE", "TARGET", "PORT", "EXPECT"):
        table.add_column(column, no_wrap=True)
    for probe in probes:
        expect = "[green]allowed[/]" if probe.expect is Expectation.ALLOWED else "[red]denied[/]"
        table.add_row(
            escape(probe.rule),
            escape(f"{probe.source.name} ({probe.source.describe()})"),
            escape(_target(probe)),
            f"{probe.port}/{probe.protocol.value}",
            expect,
        )
    console.print(table)
    sources = len({p.source for p in probes})
    console.print(
        f"\n{len(probes)} probes from {sources} source pod"
        f"{'s' if sources != 1 else ''} ({escape(spec_path)})"
    )
