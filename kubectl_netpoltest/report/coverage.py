"""Render `coverage`: every rule with the probes through it and at its edge; what is untouched."""

from __future__ import annotations

import json
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kubectl_netpoltest.core.policy.coverage import Coverage, RuleRow


def row_dict(row: RuleRow) -> dict[str, Any]:
    return {"namespace": row.namespace, "policy": row.name, "direction": row.direction.value,
            "rule": row.index, "peers": row.peers, "ports": row.ports,
            "exercisedBy": list(row.exercised_by), "edgeTestedBy": list(row.edge_of)}


def document(cov: Coverage, *, source: str) -> dict[str, Any]:
    untouched = [r for r in cov.rules if not r.touched]
    return {
        "kind": "Coverage", "policiesFrom": source,
        "rules": [row_dict(r) for r in cov.rules],
        "untouchedRules": [f"{r.namespace}/{r.name} {r.path}" for r in untouched],
        "untouchedIsolatedPods": list(cov.untouched_pods),
        "summary": {"rules": len(cov.rules),
                    "exercised": sum(bool(r.exercised_by) for r in cov.rules),
                    "edgeOnly": sum(bool(r.edge_of) and not r.exercised_by for r in cov.rules),
                    "untouched": len(untouched),
                    "untouchedIsolatedPods": len(cov.untouched_pods)},
    }


def write_json(cov: Coverage, out: TextIO, *, source: str) -> None:
    json.dump(document(cov, source=source), out, indent=2)
    out.write("\n")


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(ids[:3]) + (f" (+{len(ids) - 3})" if len(ids) > 3 else "")


def write_table(cov: Coverage, out: TextIO, *, source: str) -> None:
    console = Console(file=out, highlight=False, soft_wrap=True,
                      width=200 if not out.isatty() else None)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("POLICY", "RULE", "PEERS", "PORTS", "EXERCISED BY", "EDGE TESTED BY"):
        table.add_column(column)
    for r in cov.rules:
        table.add_row(escape(f"{r.namespace}/{r.name}"), r.path, escape(r.peers),
                      escape(r.ports), escape(_ids(r.exercised_by)) or "[red]-[/]",
                      escape(_ids(r.edge_of)) or "-")
    console.print(table)
    s = document(cov, source=source)["summary"]
    console.print(f"\n{s['rules']} rules in the spec's namespaces ({escape(source)}): "
                  f"{s['exercised']} exercised, {s['edgeOnly']} only edge-tested, "
                  f"{s['untouched']} untouched")
    for pod in cov.untouched_pods:
        console.print(f"isolated but never probed: {escape(pod)}")
