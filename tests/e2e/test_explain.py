"""explain against a live sandbox cluster: the same predictions as offline from the manifests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox]
SCENARIO = ROOT / "examples" / "sandbox-scenario-richer"
SPEC = "examples/richer.yaml"


@pytest.fixture(scope="module")
def richer() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as sb:
        yield sb


def _predictions(doc: dict[str, object]) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    probes = doc["probes"]
    assert isinstance(probes, list)
    return {p["id"]: (p["predicted"], [(b["direction"], b["code"]) for b in p["because"]])
            for p in probes}


def test_live_and_offline_explain_agree(richer: Sandbox) -> None:
    live = netpoltest(richer, "explain", SPEC, "-o", "json")
    offline = netpoltest(richer, "explain", SPEC, "-o", "json", "--policies", str(SCENARIO))
    assert live.code == offline.code == ExitCode.TEST_FAILURES, (live, offline)
    assert live.out and offline.out, (live, offline)
    assert _predictions(live.json()) == _predictions(offline.json())
    assert live.json()["summary"]["disagree"] >= 1  # the example's deliberate findings


def test_explain_sends_no_packet_and_changes_nothing(richer: Sandbox) -> None:
    before = richer.pods("backend", "")
    run = netpoltest(richer, "explain", SPEC)
    assert run.code == ExitCode.TEST_FAILURES, run.err
    assert "contradict it" in run.out
    after = richer.pods("backend", "")
    assert [p["metadata"].get("resourceVersion") for p in before] == [
        p["metadata"].get("resourceVersion") for p in after]
