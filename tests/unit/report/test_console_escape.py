"""Control characters in names and messages never reach the terminal raw (issue 9 item 14).

A rule named with a carriage return, ESC sequences and a newline could draw a forged
`PASS ... 1 passed, 0 failed` line over a failing run.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from kubectl_netpoltest.__main__ import run
from kubectl_netpoltest.core.model import Expectation, HostTarget, PodRef, Probe, Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.results import AddressResult, ProbeResult
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.report.escape import console_safe
from kubectl_netpoltest.report.jsonout import write_results_json
from kubectl_netpoltest.report.junit import junit_string
from kubectl_netpoltest.report.text import write_results

FORGED = "r\r\x1b[2K\x1b[32mPASS\x1b[0m all good\n\n1 probes: 1 passed, 0 failed\x07"
EVIL_POD = PodRef(name="web\x1b]0;title\x07", namespace="shop", podname="web")


def _failing() -> ProbeResult:
    probe = Probe(
        id="p",
        rule=FORGED,
        source=EVIL_POD,
        target=HostTarget("ext\r", "a.example"),
        port=80,
        protocol=Protocol.TCP,
        expect=Expectation.DENIED,
    )
    return ProbeResult(
        probe=probe,
        source_pod="shop/web\u202e1",
        addresses=(AddressResult("192.0.2.1", Observation.CONNECTED, "nc said\r\nPASS"),),
        verdict=Verdict.FAIL,
        reason="the connection succeeded\r\x1b[1A PASS",
        seconds=0.1,
    )


def test_console_output_has_no_control_characters_and_no_forged_lines() -> None:
    out = io.StringIO()
    write_results([_failing()], out, seconds=1.0, exec_calls=1, interrupted=False)
    text = out.getvalue()
    assert not any(ord(c) < 0x20 and c != "\n" for c in text), repr(text)
    assert "\u202e" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 3  # the probe line, its reason, the summary
    assert lines[0].startswith("FAIL") and "\\r\\x1b[2K" in lines[0]
    assert lines[-1].startswith("1 probes: 0 passed, 1 failed")


def test_json_and_junit_escape_as_their_formats_require() -> None:
    result = _failing()
    out = io.StringIO()
    write_results_json([result], out, seconds=1.0, exec_calls=1, interrupted=False)
    assert "\x1b" not in out.getvalue()
    assert json.loads(out.getvalue())["results"][0]["rule"] == FORGED
    document = junit_string([replace(result, reason="bad\x1b[0m")])
    assert "\x1b" not in document and "\x07" not in document
    ET.fromstring(document)  # well-formed XML 1.0


def test_console_safe_names_each_control_character() -> None:
    assert console_safe("a\tb\x00c\x7f\u2066") == "a\\tb\\x00c\\x7f\\u2066"


def test_error_messages_keep_their_lines_but_not_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "no\x1b[2Kfile\r.yaml"  # a path is user text too
    assert run(["validate", str(spec)]) == ExitCode.INVALID_SPEC
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err
    assert "no\\x1b[2Kfile\\r.yaml" in err
    assert len(err.strip().splitlines()) == 2  # the problem, then the summary
