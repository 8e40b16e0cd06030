"""JUnit XML for CI: one testsuite per rule direction, one testcase per probe.

Shaped for the consumers people actually use (Jenkins' xunit `junit-10.xsd`, junitparser,
junit2html, xunit-viewer), and valid against that schema (tests/unit/report/schemas):
- FAIL is a `<failure>`, ERROR (inconclusive) an `<error>`: those tools draw them differently.
  Both have a message that starts with the observation (`refused: the policy let ...`) and the
  probe's details and per-address evidence as text; a PASS carries the same in `<system-out>`.
  The evidence appears once per testcase.
- Testcases cannot carry `<properties>` in that schema; suites do: the run's context, server,
  spec, version, CNI mode and the user's `--junit-property k=v`.
- Times have at most three decimals. Probes run concurrently, so a suite's and the total time
  are the run's wall-clock time, never the sum of its probes' times.
- `timestamp` (ISO 8601 with offset, as pytest writes it) and `hostname` on every suite.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from kubectl_netpoltest import __version__
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.report.escape import xml_safe
from kubectl_netpoltest.report.files import write_report
from kubectl_netpoltest.report.resultdata import target_text


@dataclass(frozen=True)
class JunitRun:
    """What the report says about the run as a whole (all optional for callers that lack it)."""

    seconds: float | None = None
    started: datetime | None = None
    context: str | None = None
    server: str | None = None
    spec: str | None = None
    cni_mode: str | None = None
    interrupted: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)
    hostname: str | None = None


def _time(seconds: float) -> str:
    return f"{max(0.0, seconds):.3f}"


def _suite_name(result: ProbeResult) -> str:
    return f"{result.probe.rule}: {result.probe.expect.value}"


def _details(result: ProbeResult) -> str:
    probe = result.probe
    lines = [
        f"rule: {probe.rule}",
        f"source: {probe.source.namespace}/{probe.source.name}"
        + (f" (pod {result.source_pod})" if result.source_pod else ""),
        f"target: {target_text(result)}",
        f"port: {probe.port}/{probe.protocol.value}",
        f"expect: {probe.expect.value}",
        f"observed: {result.observation_text}",
        f"verdict: {result.verdict.value}",
        f"reason: {result.reason}",
        "evidence:",
    ]
    lines += [f"  {a.address or '-'}: {a.observation.value}: {a.detail}" for a in result.addresses]
    return xml_safe("\n".join(lines))


def _message(result: ProbeResult) -> str:
    """The observation first: it is what a CI page shows in its one line."""
    return xml_safe(f"{result.observation.value}: {result.reason}".splitlines()[0])


def _testcase(parent: ET.Element, result: ProbeResult) -> None:
    probe = result.probe
    case = ET.SubElement(
        parent,
        "testcase",
        name=xml_safe(probe.id),
        classname=xml_safe(f"netpoltest.{probe.rule}.{probe.expect.value}"),
        time=_time(result.seconds),
    )
    if result.verdict is Verdict.FAIL:
        child = ET.SubElement(
            case, "failure", message=_message(result), type=result.observation.value
        )
    elif result.verdict is Verdict.ERROR:
        kind = "inconclusive" if result.inconclusive else result.observation.value
        child = ET.SubElement(case, "error", message=_message(result), type=kind)
    else:
        child = ET.SubElement(case, "system-out")
    child.text = _details(result)


def _suite_properties(run: JunitRun) -> dict[str, str]:
    props = {
        "context": run.context,
        "server": run.server,
        "spec": run.spec,
        "version": __version__,
        "cniMode": run.cni_mode,
        "interrupted": str(run.interrupted).lower(),
    }
    found = {k: v for k, v in props.items() if v is not None}
    found.update(run.extra)
    return found


def junit_string(
    results: Sequence[ProbeResult], *, interrupted: bool = False, run: JunitRun | None = None
) -> str:
    run = run or JunitRun(interrupted=interrupted)
    if interrupted and not run.interrupted:
        run = replace(run, interrupted=True)
    wall = run.seconds if run.seconds is not None else max((r.seconds for r in results), default=0)
    started = (run.started or datetime.now(UTC)).astimezone()
    hostname = run.hostname or socket.gethostname()
    suites: dict[str, list[ProbeResult]] = {}
    for result in results:
        suites.setdefault(_suite_name(result), []).append(result)

    def counts(items: Sequence[ProbeResult]) -> dict[str, str]:
        return {
            "tests": str(len(items)),
            "failures": str(sum(r.verdict is Verdict.FAIL for r in items)),
            "errors": str(sum(r.verdict is Verdict.ERROR for r in items)),
        }

    root = ET.Element(
        "testsuites", {"name": "kubectl netpoltest", "time": _time(wall), **counts(results)}
    )
    for name, items in suites.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": xml_safe(name),
                **counts(items),
                "skipped": "0",
                "time": _time(wall),
                "timestamp": started.isoformat(timespec="seconds"),
                "hostname": xml_safe(hostname),
            },
        )
        holder = ET.SubElement(suite, "properties")
        for key, value in _suite_properties(run).items():
            ET.SubElement(holder, "property", name=xml_safe(key), value=xml_safe(value))
        for result in items:
            _testcase(suite, result)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(results: Sequence[ProbeResult], path: str, *, interrupted: bool = False) -> None:
    """Build and write the report (the writing rules live in report/files.py)."""
    write_report(path, junit_string(results, interrupted=interrupted))
