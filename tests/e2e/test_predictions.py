"""execute carries the policies' prediction for each probe, and flags where the packet
contradicts it: here a pod whose CNI enforcement is switched off (the sandbox's knob)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import VERDICTS_SPEC, netpoltest
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox]
SPEC = "examples/original-internet-access.yaml"
DENIED = "httpd-wamblee-org->github.com:443/tcp"
ALLOWED = "httpd-wamblee-org->repo1.maven.org:443/tcp"


@pytest.fixture(scope="module")
def exposure() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(ROOT / "examples" / "sandbox-scenario") as sb:
        yield sb


def test_predictions_agree_while_the_cni_enforces(exposure: Sandbox, tmp_path: Path) -> None:
    assert netpoltest(exposure, "prepare", SPEC).code == ExitCode.OK
    run = netpoltest(exposure, "execute", SPEC, "-o", "json", "--junit", "")
    assert run.code == ExitCode.OK, run.err
    results = {r["id"]: r for r in run.json()["results"]}
    assert results[ALLOWED]["predicted"] == "allowed"
    egress = next(b for b in results[ALLOWED]["because"] if b["direction"] == "egress")
    assert egress["policies"][0]["name"] == "egress-maven-and-dns-only"
    # github.com resolves only inside the pod: predicted on the address the probe used
    assert results[DENIED]["predicted"] == "denied"
    assert "github.com -> " in results[DENIED]["via"]
    assert not any("discrepancy" in r for r in results.values())


def test_enforcement_off_shows_the_discrepancy(exposure: Sandbox, tmp_path: Path) -> None:
    off = exposure.kubectl("annotate", "pod", "-n", "exposure", "-l", "app=httpd-wamblee-org",
                           "sandbox.netpoltest.test/enforcement=off")
    assert off.returncode == 0, off.stderr
    junit = tmp_path / "junit.xml"
    run = netpoltest(exposure, "execute", SPEC, "-o", "json", "--junit", str(junit))
    assert run.code == ExitCode.TEST_FAILURES, run.err
    doc = run.json()
    denied = next(r for r in doc["results"] if r["id"] == DENIED)
    assert (denied["verdict"], denied["observation"], denied["predicted"]) == (
        "FAIL", "connected", "denied")
    assert denied["discrepancy"]["code"] == "denied-but-connected"
    assert denied["discrepancy"]["message"].startswith("the policies deny it but it connected")
    assert doc["summary"]["discrepancies"] == 4  # github and google, 80 and 443
    case = next(c for c in ET.parse(junit).getroot().iter("testcase")
                if c.get("name") == DENIED)
    out = case.find("system-out")
    assert out is not None and "discrepancy: the policies deny it but it connected" in (
        out.text or "")
    table = netpoltest(exposure, "execute", SPEC, "--junit", "")
    assert "Discrepancies with the policies" in table.out
    wide = netpoltest(exposure, "execute", SPEC, "-o", "wide", "--junit", "")
    assert "Predictions from the policies" in wide.out and ALLOWED in wide.out


def test_without_permission_to_read_policies_execute_says_so_once(lab: Sandbox) -> None:
    """`lab`: the verdicts lab (tests/e2e/conftest.py), whose user nopolicies lacks them."""
    spec, fast = str(VERDICTS_SPEC), ("--probe-timeout", "1", "--attempts", "1")
    assert netpoltest(lab, "prepare", spec).code == ExitCode.OK
    run = netpoltest(lab, "execute", spec, "-o", "json", "--junit", "", *fast,
                     user="nopolicies")
    assert run.code != ExitCode.CLUSTER_ERROR, run.err
    assert run.err.count("running without predictions") == 1, run.err
    assert all("predicted" not in r for r in run.json()["results"])
    assert {r["verdict"] for r in run.json()["results"]} >= {"PASS"}
