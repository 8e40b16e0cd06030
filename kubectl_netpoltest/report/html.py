"""A self-contained HTML page of a run: the truth matrix people would rather look at than read.

Rows are source pods, columns are target x port; each cell is one probe, coloured by verdict
(PASS green, FAIL red, ERROR amber) and showing expected vs observed. Hovering shows the
observation and reason; clicking pins the probe's full details (addresses, evidence) below the
matrix. The page is built from the same plain data as `execute -o json` (so `kubectl
netpoltest report result.json` can draw any earlier run), and loads nothing from anywhere: CSS
and the few lines of script are inline, so it opens from a CI artefact store or offline.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2733}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#5b6775;margin-bottom:16px}
.meta span{margin-right:18px}
.summary span{display:inline-block;padding:2px 10px;border-radius:10px;margin-right:8px;
font-weight:600}
table.matrix{border-collapse:collapse;margin-top:16px}
.matrix th,.matrix td{border:1px solid #d5dbe1;padding:4px 6px;text-align:center}
.matrix thead th{background:#f3f5f7;font-weight:600;font-size:12px}
.matrix th.src{text-align:left;background:#f3f5f7;white-space:nowrap}
td.cell{cursor:pointer;min-width:72px;font-size:12px}
td.cell b{display:block;font-size:13px}
td.none{background:#fafbfc;color:#b0b8c1}
.PASS{background:#d9f2df;color:#14532d}
.FAIL{background:#fbd5d5;color:#7f1d1d}
.ERROR{background:#fdecc8;color:#78350f}
td.cell.selected{outline:3px solid #1d4ed8;outline-offset:-3px}
#detail{margin-top:16px;padding:12px;border:1px solid #d5dbe1;border-radius:6px;
white-space:pre-wrap;font-family:ui-monospace,Menlo,monospace;font-size:12px;min-height:2em}
.legend{margin-top:8px;font-size:12px;color:#5b6775}
"""

_SCRIPT = """
function pin(cell) {
  document.querySelectorAll('td.cell.selected').forEach(function (c) {
    c.classList.remove('selected');
  });
  cell.classList.add('selected');
  document.getElementById('detail').textContent = cell.dataset.detail;
}
document.querySelectorAll('td.cell').forEach(function (cell) {
  cell.addEventListener('click', function () {
    pin(cell);
    history.replaceState(null, '', '#' + encodeURIComponent(cell.dataset.probe));
  });
});
// A link to page.html#<probe id> opens with that probe's details pinned.
if (location.hash.length > 1) {
  var wanted = decodeURIComponent(location.hash.slice(1));
  document.querySelectorAll('td.cell').forEach(function (cell) {
    if (cell.dataset.probe === wanted) { pin(cell); }
  });
}
"""


def _target_label(result: dict[str, Any]) -> str:
    target = result["target"]
    if target.get("kind") == "host":
        host, group = str(target.get("host")), target.get("name")
        return f"{host} ({group})" if group and group != host else host
    return f"{target.get('namespace')}/{target.get('name')}"


def _source_label(result: dict[str, Any]) -> str:
    source = result["source"]
    return f"{source.get('namespace')}/{source.get('name')}"


def _detail(result: dict[str, Any]) -> str:
    lines = [
        f"{result['verdict']}  {result['id']}",
        f"rule: {result['rule']}",
        f"source: {_source_label(result)}"
        + (f" (pod {result['sourcePod']})" if result.get("sourcePod") else ""),
        f"target: {_target_label(result)}",
        f"port: {result['port']}/{result['protocol']}",
        f"expected: {result['expect']}",
        f"observed: {result['observation']}",
        f"reason: {result['reason']}",
        "evidence:",
    ]
    lines += [
        f"  {a.get('address') or '-'}: {a.get('observation')}: {a.get('detail')}"
        for a in result.get("addresses", [])
    ]
    return "\n".join(lines)


def _cell(result: dict[str, Any]) -> str:
    verdict = result["verdict"]
    hover = f"{result['observation']}: {result['reason']}"
    return (
        f'<td class="cell {escape(verdict)}" data-probe="{escape(result["id"])}" '
        f'title="{escape(hover)}" data-detail="{escape(_detail(result))}">'
        f"<b>{escape(verdict)}</b>expect {escape(result['expect'])}<br>"
        f"saw {escape(result['observation'])}</td>"
    )


def html_page(document: dict[str, Any]) -> str:
    """The page for an `ExecuteResult` document (report/envelope.py + report/resultdata.py)."""
    results: list[dict[str, Any]] = document.get("results", [])
    meta: dict[str, Any] = document.get("metadata", {})
    summary: dict[str, Any] = document.get("summary", {})
    sources = list(dict.fromkeys(_source_label(r) for r in results))
    seen = list(dict.fromkeys((_target_label(r), f"{r['port']}/{r['protocol']}") for r in results))
    first = {target: index for index, (target, _) in reversed(list(enumerate(seen)))}
    # Grouped by target (in the order targets first appear), ports in their order within it.
    columns = sorted(seen, key=lambda column: (first[column[0]], seen.index(column)))
    cells: dict[tuple[str, str, str], dict[str, Any]] = {}
    for result in results:
        key = (
            _source_label(result),
            _target_label(result),
            f"{result['port']}/{result['protocol']}",
        )
        cells[key] = result
    targets = list(dict.fromkeys(t for t, _ in columns))
    head_targets = "".join(
        f'<th colspan="{sum(1 for t, _ in columns if t == target)}">{escape(target)}</th>'
        for target in targets
    )
    head_ports = "".join(f"<th>{escape(port)}</th>" for _, port in columns)
    rows = []
    for source in sources:
        tds = []
        for target, port in columns:
            found = cells.get((source, target, port))
            tds.append(_cell(found) if found else '<td class="none">–</td>')
        rows.append(f'<tr><th class="src">{escape(source)}</th>{"".join(tds)}</tr>')
    facts = [
        ("context", meta.get("context")),
        ("server", meta.get("server")),
        ("spec", meta.get("spec")),
        ("started", meta.get("startTime")),
        ("took", f"{summary.get('seconds', 0)}s"),
        ("CNI mode", meta.get("cniMode")),
        ("version", meta.get("version")),
    ]
    meta_html = "".join(
        f"<span><b>{escape(k)}</b> {escape(str(v))}</span>" for k, v in facts if v is not None
    )
    interrupted = " (interrupted)" if summary.get("interrupted") else ""
    counts = (
        f'<span class="PASS">{summary.get("passed", 0)} passed</span>'
        f'<span class="FAIL">{summary.get("failed", 0)} failed</span>'
        f'<span class="ERROR">{summary.get("errors", 0)} errors</span>'
        f"{len(results)} probes{escape(interrupted)}"
    )
    title = f"NetworkPolicy test: {meta.get('spec') or 'run'}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<div class="meta">{meta_html}</div>
<div class="summary">{counts}</div>
<table class="matrix" id="matrix">
<thead><tr><th rowspan="2">source \\ target</th>{head_targets}</tr><tr>{head_ports}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<div class="legend">Each cell is one probe: expected vs observed. Hover for the reason, click
for the evidence.</div>
<div id="detail">Click a cell to see the probe's details.</div>
<script type="application/json" id="data">{_json_for_script(document)}</script>
<script>{_SCRIPT}</script>
</body></html>
"""


def _json_for_script(document: dict[str, Any]) -> str:
    """The run's data inside the page, safe inside a <script> element."""
    return json.dumps(document).replace("<", "\\u003c").replace(">", "\\u003e")
