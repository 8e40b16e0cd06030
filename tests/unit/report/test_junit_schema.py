"""The JUnit report is valid for the CI tools people use, and says what they show.

Schema: Jenkins xunit-plugin's `junit-10.xsd` (MIT, Gregory Boissinot), copied from pytest's
source distribution (pytest-9.2.0/testing/example_scripts/junit-10.xsd), where pytest uses it to
validate its own JUnit output.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import xmlschema

from kubectl_netpoltest import __version__
from kubectl_netpoltest.report.junit import JunitRun, junit_string
from tests.unit.report.test_reports import RESULTS

SCHEMA = xmlschema.XMLSchema(str(Path(__file__).parent / "schemas" / "junit-10.xsd"))
RUN = JunitRun(
    seconds=10.1234,
    started=datetime(2026, 11, 29, 22, 0, 0, tzinfo=UTC),
    context="kind-ci",
    server="https://127.0.0.1:6443",
    spec="specs/shop.yaml",
    cni_mode="drop",
    extra={"build": "1234", "branch": "main"},
    hostname="runner-7",
)
# Eleven probes, like the run the issue reported 17 schema errors for.
MANY = [
    replace(r, probe=replace(r.probe, id=f"{r.probe.id}#{i}")) for i in range(4) for r in RESULTS
][:11]


@pytest.mark.parametrize("interrupted", [False, True])
def test_valid_against_jenkins_xunit_schema(interrupted: bool) -> None:
    document = junit_string(MANY, interrupted=interrupted, run=RUN)
    errors = list(SCHEMA.iter_errors(document))
    assert errors == []
    assert not list(SCHEMA.iter_errors(junit_string([])))


def test_times_are_wall_clock_with_three_decimals() -> None:
    root = ET.fromstring(junit_string(MANY, run=RUN))
    assert root.get("time") == "10.123"  # not the sum of 11 x 1.5 s
    for suite in root.iter("testsuite"):
        assert suite.get("time") == "10.123"
        assert suite.get("timestamp") == "2026-11-29T22:00:00+00:00"
        assert suite.get("hostname") == "runner-7"
    for case in root.iter("testcase"):
        assert re.fullmatch(r"\d+\.\d{3}", case.get("time", "")), case.get("time")


def test_suite_properties_carry_the_run_and_user_properties() -> None:
    root = ET.fromstring(junit_string(MANY, run=RUN))
    for suite in root.iter("testsuite"):
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props == {
            "context": "kind-ci",
            "server": "https://127.0.0.1:6443",
            "spec": "specs/shop.yaml",
            "version": __version__,
            "cniMode": "drop",
            "interrupted": "false",
            "build": "1234",
            "branch": "main",
        }
    assert not [p for c in root.iter("testcase") for p in c.iter("property")]


def test_error_differs_from_failure_and_starts_with_the_observation() -> None:
    root = ET.fromstring(junit_string(RESULTS, run=RUN))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failing = cases["web->b.example:80/tcp"]
    erroring = cases["web->c.example:53/tcp"]
    assert [el.tag for el in failing] == ["failure"]
    assert [el.tag for el in erroring] == ["error"]
    assert erroring[0].get("message", "").startswith("no-reply: inconclusive")
    assert failing[0].get("message", "").startswith("refused: ")
    assert [el.tag for el in cases["web->a.example:443/tcp"]] == ["system-out"]


def test_the_report_of_a_run_that_never_probed_is_valid_too() -> None:
    from kubectl_netpoltest.report.failedrun import failed_run_junit

    document = failed_run_junit("cluster unreachable: connection refused")
    assert list(SCHEMA.iter_errors(document)) == []
