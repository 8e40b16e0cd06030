"""execute's predictions in the reports: JSON/YAML fields, a console section, JUnit text.

Added to the documents the other reports build, never replacing anything: each result gains
`predicted`, `because` (as in `explain`) and, when the packet contradicts the policies,
`discrepancy` {code, message}.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, TextIO

from kubectl_netpoltest.core.discrepancy import Annotation
from kubectl_netpoltest.report.explain import prediction_dict, short_reason


def annotation_dict(annotation: Annotation) -> dict[str, Any]:
    out = prediction_dict(annotation.explained.prediction)
    if annotation.discrepancy is not None:
        out["discrepancy"] = {"code": annotation.discrepancy.code.value,
                              "message": annotation.discrepancy.message}
    return out


def annotate_document(document: dict[str, Any], annotations: Mapping[str, Annotation]) -> None:
    """Adds the fields to each result dict of a run document, by probe id."""
    for result in document.get("results") or ():
        found = annotations.get(str(result.get("id")))
        if found is not None:
            result.update(annotation_dict(found))
    document.setdefault("summary", {})["discrepancies"] = sum(
        a.discrepancy is not None for a in annotations.values())


def text(annotation: Annotation) -> str:
    line = (f"predicted: {annotation.explained.predicted.value} because "
            f"{short_reason(annotation.explained.prediction)}")
    if annotation.discrepancy is not None:
        line += f"\ndiscrepancy: {annotation.discrepancy.message}"
    return line


def write_section(annotations: Mapping[str, Annotation], out: TextIO, *, wide: bool) -> None:
    """Console: every prediction with -o wide; otherwise only the discrepancies."""
    shown = {k: a for k, a in annotations.items() if wide or a.discrepancy is not None}
    if not shown:
        return
    title = "Predictions from the policies" if wide else "Discrepancies with the policies"
    out.write(f"\n{title}:\n")
    for probe_id, annotation in shown.items():
        out.write(f"  {probe_id}\n")
        for line in text(annotation).splitlines():
            out.write(f"    {line}\n")


def annotate_junit(xml: str, annotations: Mapping[str, Annotation]) -> str:
    """Each testcase's system-out gains its prediction (and discrepancy)."""
    if not annotations:
        return xml
    root = ET.fromstring(xml)
    for case in root.iter("testcase"):
        found = annotations.get(case.get("name") or "")
        if found is None:
            continue
        out = case.find("system-out")
        if out is None:
            out = ET.SubElement(case, "system-out")
        out.text = ((out.text + "\n") if out.text else "") + text(found)
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n' if xml.startswith("<?xml") else ""
    return declaration + ET.tostring(root, encoding="unicode") + ("\n" if xml.endswith("\n")
                                                                  else "")
