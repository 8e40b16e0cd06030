"""Render a plan: a readable table for people, JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kubectl_netpoltest.core.model import Expectation, PodTarget, Probe, ServiceTarget
from kubectl_netpoltest.report.probedata import probe_dict


def plan_body(probes: Sequence[Probe]) -> dict[str, Any]:
    """The body of `plan -o json|yaml` (report/envelope.py adds apiVersion, kind, metadata)."""
    sources = len({p.source for p in probes})
    return {
        "summary": {"probes": len(probes), "sources": sources},
        "probes": [probe_dict(p) for p in probes],
    }


def write_plan_json(probes: Sequence[Probe], out: TextIO) -> None:
    json.dump([probe_dict(p) for p in probes], out, indent=2)
    out.write("\n")


def _target(probe: Probe) -> str:
    if isinstance(probe.target, PodTarget):
        return f"{probe.target.label} ({probe.target.pod.describe()})"
    if isinstance(probe.target, ServiceTarget):
        ref = probe.target.service
        dns = " + DNS" if ref.dns else ""
        return f"{probe.target.label} ({ref.describe()}: ClusterIP{dns} + every ready backend)"
    return probe.target.label


def write_plan_table(
    probes: Sequence[Probe], out: TextIO, *, spec_path: str, wide: bool = False
) -> None:
    """One row per probe; `wide` adds the other rules that expect the same probe."""
    console = Console(
        file=out, highlight=False, soft_wrap=False, width=200 if not out.isatty() else None
    )
    table = Table(title=None, box=None, pad_edge=False, header_style="bold")
    columns = ["RULE", "SOURCE", "TARGET", "PORT", "EXPECT"] + (["ALSO IN", "ID"] if wide else [])
    for column in columns:
        table.add_column(column, no_wrap=True)
    for probe in probes:
        expect = "[green]allowed[/]" if probe.expect is Expectation.ALLOWED else "[red]denied[/]"
        row = [
            escape(probe.rule),
            escape(f"{probe.source.name} ({probe.source.describe()})"),
            escape(_target(probe)),
            f"{probe.port}/{probe.protocol.value}",
            expect,
        ]
        if wide:
            row += [escape(", ".join(probe.also_in_rules) or "-"), escape(probe.id)]
        table.add_row(*row)
    console.print(table)
    sources = len({p.source for p in probes})
    console.print(
        f"\n{len(probes)} probes from {sources} source pod"
        f"{'s' if sources != 1 else ''} ({escape(spec_path)})"
    )
