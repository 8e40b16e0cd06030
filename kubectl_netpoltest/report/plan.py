"""Render a plan: a readable table for people, JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kubectl_netpoltest.core.model import Expectation, PodTarget, Probe, ServiceTarget, Spread
from kubectl_netpoltest.report.probedata import probe_dict


def plan_body(probes: Sequence[Probe]) -> dict[str, Any]:
    """The body of `plan -o json|yaml` (report/envelope.py adds apiVersion, kind, metadata)."""
    sources = len({p.source for p in probes})
    return {
        "summary": {"probes": len(probes), "sources": sources, "cost": cost_notes(probes)},
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
    for note in cost_notes(probes):
        console.print(escape(note))


def cost_notes(probes: Sequence[Probe]) -> list[str]:
    """What multiplies the work beyond one attempt per probe, so `plan` shows the cost."""
    notes = []
    spread = sorted(
        {
            f"{p.source.name} ({p.source.spread.value})"
            for p in probes
            if p.source.spread is not Spread.ONE
        }
    )
    if spread:
        notes.append(
            f"spread sources: {', '.join(spread)}: each of their probes runs from one pod per "
            "node (nodes) or every Ready pod (all), one exec per pod"
        )
    replicas = sorted(
        {
            p.target.pod.name
            for p in probes
            if isinstance(p.target, PodTarget) and p.target.pod.targets is Spread.ALL
        }
    )
    if replicas:
        notes.append(
            f"pod targets probed on every Ready replica (targets: all): {', '.join(replicas)}: "
            "one attempt per replica address, inside the same exec"
        )
    services = sorted({p.target.label for p in probes if isinstance(p.target, ServiceTarget)})
    if services:
        notes.append(
            f"Service targets: {', '.join(services)}: one attempt per ClusterIP, DNS name and "
            "ready backend, inside the same exec"
        )
    return notes
