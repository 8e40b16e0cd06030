"""The JUnit report of a run that failed before any probe ran (API unreachable, spec invalid,
interrupted while listing pods).

Writing nothing would leave the previous run's junit.xml in place, and CI would publish old
results as current. So the report is replaced by one testsuite with one error testcase whose
message is the reason: the CI page is red and says why. (Deleting the file instead would make
many CI steps fail on a missing artifact without saying why.)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kubectl_netpoltest.report.escape import xml_safe


def failed_run_junit(reason: str, *, command: str = "execute") -> str:
    """A valid JUnit document: testsuites > testsuite(errors=1) > testcase > error."""
    first_line = xml_safe(reason.strip().splitlines()[0] if reason.strip() else "run failed")
    root = ET.Element("testsuites", tests="1", failures="0", errors="1", time="0")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=f"netpoltest {command}",
        tests="1",
        failures="0",
        errors="1",
        skipped="0",
        time="0",
    )
    case = ET.SubElement(suite, "testcase", name=f"{command} did not run", classname="netpoltest")
    error = ET.SubElement(case, "error", message=first_line, type="run-failed")
    error.text = xml_safe(reason)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
