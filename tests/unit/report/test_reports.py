"""JUnit and JSON reports carry the real reasons and evidence, one entry per probe."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from kubectl_netpoltest.core.model import Expectation, HostTarget, PodRef, Probe, Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.results import AddressResult, ProbeResult, exit_code_for
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.report.jsonout import write_results_json
from kubectl_netpoltest.report.junit import write_junit
from kubectl_netpoltest.report.text import write_results

SOURCE = PodRef(name="web", namespace="shop", podname="web")


def _result(
    host: str,
    port: int,
    expect: Expectation,
    verdict: Verdict,
    observation: Observation,
    reason: str,
    *,
    inconclusive: bool = False,
) -> ProbeResult:
    probe = Probe(
        id=f"web->{host}:{port}/tcp",
        rule="egress",
        source=SOURCE,
        target=HostTarget("ext", host),
        port=port,
        protocol=Protocol.TCP,
        expect=expect,
    )
    return ProbeResult(
        probe=probe,
        source_pod="shop/web-1",
        addresses=(AddressResult("192.0.2.10", observation, "evidence"),),
        verdict=verdict,
        reason=reason,
        seconds=1.5,
        inconclusive=inconclusive,
    )


RESULTS = [
    _result("a.example", 443, Expectation.ALLOWED, Verdict.PASS, Observation.CONNECTED, "ok"),
    _result(
        "b.example",
        80,
        Expectation.DENIED,
        Verdict.FAIL,
        Observation.REFUSED,
        "connection refused: the policy let the traffic through",
    ),
    _result(
        "c.example",
        53,
        Expectation.DENIED,
        Verdict.ERROR,
        Observation.NO_REPLY,
        "inconclusive: UDP silence",
        inconclusive=True,
    ),
]


def test_junit_has_a_suite_per_rule_direction_and_real_messages(tmp_path: Path) -> None:
    path = tmp_path / "out" / "junit.xml"
    write_junit(RESULTS, str(path))
    root = ET.parse(path).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"egress: allowed", "egress: denied"}
    denied = suites["egress: denied"]
    assert (denied.get("tests"), denied.get("failures"), denied.get("errors")) == ("2", "1", "1")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["web->b.example:80/tcp"].find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "refused: connection refused: the policy let the traffic through"
    )
    error = cases["web->c.example:53/tcp"].find("error")
    assert error is not None and error.get("type") == "inconclusive"
    # The evidence appears once per testcase: in the failure/error text, or system-out on PASS.
    for case in cases.values():
        texts = [el.text or "" for el in case]
        assert sum(t.count("192.0.2.10: ") for t in texts) == 1, texts
    assert "target: b.example" in (failure.text or "")
    assert "expect: denied" in (failure.text or "")


def test_json_results() -> None:
    out = io.StringIO()
    write_results_json(RESULTS, out, seconds=2.0, exec_calls=1, interrupted=False)
    data = json.loads(out.getvalue())
    assert data["summary"] == {
        "total": 3,
        "passed": 1,
        "failed": 1,
        "errors": 1,
        "inconclusive": 1,
        "seconds": 2.0,
        "execCalls": 1,
        "interrupted": False,
    }
    assert [r["verdict"] for r in data["results"]] == ["PASS", "FAIL", "ERROR"]
    assert data["results"][1]["addresses"] == [
        {"address": "192.0.2.10", "observation": "refused", "detail": "evidence"}
    ]


def test_console_lists_every_probe_and_a_summary() -> None:
    out = io.StringIO()
    write_results(RESULTS, out, seconds=2.0, exec_calls=1, interrupted=False)
    text = out.getvalue()
    assert "3 probes: 1 passed, 1 failed, 1 errors, 1 inconclusive in 2.0s with 1 exec call" in text
    assert "connection refused: the policy let the traffic through" in text


def test_exit_codes_fail_beats_error_beats_pass() -> None:
    assert exit_code_for(RESULTS) is ExitCode.TEST_FAILURES
    assert exit_code_for(RESULTS[::2]) is ExitCode.INCONCLUSIVE
    assert exit_code_for(RESULTS[:1]) is ExitCode.OK
    assert exit_code_for([]) is ExitCode.INCONCLUSIVE
    assert exit_code_for(RESULTS[:1], interrupted=True) is ExitCode.INTERRUPTED
