"""JUnit XML for CI: one testsuite per rule direction, one testcase per probe.

FAIL becomes <failure> and ERROR <error>, each with the real reason as message and the evidence
as text, so a CI page says what happened without opening logs. Each testcase carries
properties (source, target, address, port, protocol, expect, observation). junit-xml has no
per-testcase properties, so they are added to its output with ElementTree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from junit_xml import TestCase, TestSuite, to_xml_report_string

from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.report.files import write_report
from kubectl_netpoltest.report.resultdata import target_text


def _suite_name(result: ProbeResult) -> str:
    return f"{result.probe.rule}: {result.probe.expect.value}"


def _properties(result: ProbeResult) -> dict[str, str]:
    probe = result.probe
    return {
        "rule": probe.rule,
        "source": f"{probe.source.namespace}/{probe.source.name}",
        "sourcePod": result.source_pod or "",
        "target": target_text(result),
        "address": result.address_text,
        "port": str(probe.port),
        "protocol": probe.protocol.value,
        "expect": probe.expect.value,
        "observation": result.observation.value,
        "verdict": result.verdict.value,
    }


def _evidence(result: ProbeResult) -> str:
    lines = [f"{a.address or '-'}: {a.observation.value}: {a.detail}" for a in result.addresses]
    return "\n".join(lines)


def junit_string(results: Sequence[ProbeResult], *, interrupted: bool = False) -> str:
    suites: dict[str, list[TestCase]] = {}
    props: dict[tuple[str, str], dict[str, str]] = {}
    for result in results:
        probe = result.probe
        suite = _suite_name(result)
        case = TestCase(
            name=probe.id,
            classname=f"netpoltest.{probe.rule}.{probe.expect.value}",
            elapsed_sec=result.seconds,
            stdout=_evidence(result),
        )
        if result.verdict is Verdict.FAIL:
            case.add_failure_info(
                message=result.reason,
                output=_evidence(result),
                failure_type=result.observation.value,
            )
        elif result.verdict is Verdict.ERROR:
            case.add_error_info(
                message=result.reason,
                output=_evidence(result),
                error_type="inconclusive" if result.inconclusive else result.observation.value,
            )
        suites.setdefault(suite, []).append(case)
        props[(suite, probe.id)] = _properties(result)
    junit_suites = [
        TestSuite(name, cases, properties={"interrupted": str(interrupted).lower()})
        for name, cases in suites.items()
    ]
    root = ET.fromstring(to_xml_report_string(junit_suites, encoding="utf-8"))
    for suite_el in root.iter("testsuite"):
        for case_el in suite_el.iter("testcase"):
            values = props.get((suite_el.get("name", ""), case_el.get("name", "")), {})
            if not values:
                continue
            holder = ET.Element("properties")
            for key, value in values.items():
                ET.SubElement(holder, "property", name=key, value=value)
            case_el.insert(0, holder)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_junit(results: Sequence[ProbeResult], path: str, *, interrupted: bool = False) -> None:
    """Build and write the report (the writing rules live in report/files.py)."""
    write_report(path, junit_string(results, interrupted=interrupted))
