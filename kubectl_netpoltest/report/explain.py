"""Render `explain`: a table for people; JSON or YAML (the same document) for machines.

Each probe carries `id` (as in `plan`), `expect`, `predicted` (allowed|denied|undefined),
`agrees`, and `because`: one entry per direction with its `decision`, reason `code`, the
deciding `policies` (namespace, name, rule path) and a one-line `reason`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kubectl_netpoltest.core.explanation import Explained
from kubectl_netpoltest.core.policy import DirectionDecision, Prediction, Verdict


def side_dict(side: DirectionDecision) -> dict[str, Any]:
    return {
        "direction": side.direction.value,
        "decision": side.decision.value,
        "code": side.code.value,
        "policies": [{"namespace": r.namespace, "name": r.name, "rule": r.rule}
                     | ({"kind": r.kind} if r.kind else {}) for r in side.policies],
        "reason": side.reason,
    }


def prediction_dict(prediction: Prediction) -> dict[str, Any]:
    out: dict[str, Any] = {"predicted": prediction.verdict.value,
                           "because": [side_dict(s) for s in prediction.because]}
    if prediction.via:
        out["via"] = prediction.via
    return out


def explained_dict(item: Explained) -> dict[str, Any]:
    probe = item.probe
    return {
        "id": probe.id,
        "rule": probe.rule,
        "source": probe.source.name,
        "sourcePod": item.source_pod,
        "target": probe.target.label,
        "port": probe.port,
        "protocol": probe.protocol.value,
        "expect": probe.expect.value,
        **prediction_dict(item.prediction),
        "agrees": item.agrees,
    }


def summary(items: Sequence[Explained]) -> dict[str, int]:
    return {
        "probes": len(items),
        "agree": sum(i.agrees for i in items),
        "disagree": sum(not i.agrees and i.predicted is not Verdict.UNDEFINED for i in items),
        "undefined": sum(i.predicted is Verdict.UNDEFINED for i in items),
    }


def document(items: Sequence[Explained], *, source: str) -> dict[str, Any]:
    return {"kind": "Explain", "policiesFrom": source,
            "probes": [explained_dict(i) for i in items], "summary": summary(items)}


def write_json(items: Sequence[Explained], out: TextIO, *, source: str) -> None:
    json.dump(document(items, source=source), out, indent=2)
    out.write("\n")


def write_yaml(items: Sequence[Explained], out: TextIO, *, source: str) -> None:
    yaml.safe_dump(document(items, source=source), out, sort_keys=False, width=200)


def short_reason(prediction: Prediction) -> str:
    """The deciding side's reason: the denying or undefined one, else the allowing ones."""
    sides = prediction.because
    decisive = [s for s in sides if not s.lets_through] or list(sides)
    text = "; ".join(f"{s.direction.value}: {s.reason}" for s in decisive)
    return f"{text} [{prediction.via}]" if prediction.via else text


_STYLE = {Verdict.ALLOWED: "green", Verdict.DENIED: "red", Verdict.UNDEFINED: "yellow"}


def write_table(items: Sequence[Explained], out: TextIO, *, source: str) -> None:
    console = Console(file=out, highlight=False, soft_wrap=True,
                      width=200 if not out.isatty() else None)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("PROBE", "EXPECT", "PREDICTED", "", "WHY"):
        table.add_column(column, no_wrap=column != "WHY")
    for item in items:
        mark = "" if item.agrees else ("?" if item.predicted is Verdict.UNDEFINED else "≠")
        table.add_row(escape(item.probe.id), item.probe.expect.value,
                      f"[{_STYLE[item.predicted]}]{item.predicted.value}[/]", mark,
                      escape(short_reason(item.prediction)))
    console.print(table)
    s = summary(items)
    console.print(f"\n{s['probes']} probes predicted from {escape(source)}: {s['agree']} agree "
                  f"with the spec, {s['disagree']} contradict it (≠), {s['undefined']} "
                  "undefined (?)")
