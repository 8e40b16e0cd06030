"""The original policytester README example runs unchanged against its sandbox scenario."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest, verdicts
from tests.e2e.sandboxctl import ROOT
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
EXAMPLE = "examples/original-internet-access.yaml"


@pytest.fixture(scope="module")
def exposure() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(ROOT / "examples" / "sandbox-scenario") as sb:
        yield sb


def test_original_example_passes_with_real_packets(exposure: Sandbox, tmp_path: Path) -> None:
    assert netpoltest(exposure, "prepare", EXAMPLE).code == ExitCode.OK
    run = netpoltest(
        exposure, "execute", EXAMPLE, "-o", "json", "--junit", str(tmp_path / "junit.xml")
    )
    assert run.code == ExitCode.OK, run.err
    assert verdicts(run) == {
        "httpd-wamblee-org->repo1.maven.org:80/tcp": ("PASS", "connected"),
        "httpd-wamblee-org->repo1.maven.org:443/tcp": ("PASS", "connected"),
        "httpd-wamblee-org->github.com:80/tcp": ("PASS", "timeout"),
        "httpd-wamblee-org->github.com:443/tcp": ("PASS", "timeout"),
        "httpd-wamblee-org->google.com:80/tcp": ("PASS", "timeout"),
        "httpd-wamblee-org->google.com:443/tcp": ("PASS", "timeout"),
    }
    assert (tmp_path / "junit.xml").read_text().count("<testcase") == 6


def test_a_broken_policy_is_caught(exposure: Sandbox, tmp_path: Path) -> None:
    """Delete the egress policy: the deny tests must now FAIL (a leak), never pass."""
    gone = exposure.kubectl(
        "delete", "networkpolicy", "-n", "exposure", "egress-maven-and-dns-only"
    )
    assert gone.returncode == 0, gone.stderr
    run = netpoltest(
        exposure, "execute", EXAMPLE, "-o", "json", "--junit", str(tmp_path / "junit.xml")
    )
    assert run.code == ExitCode.TEST_FAILURES
    assert verdicts(run)["httpd-wamblee-org->github.com:443/tcp"] == ("FAIL", "connected")


def test_keep_pods_stops_the_debug_container_and_keeps_the_pod(exposure: Sandbox) -> None:
    (pod,) = exposure.pods("exposure", "netpoltest.io/instrumented=true")
    name = pod["metadata"]["name"]
    run = netpoltest(exposure, "cleanup", EXAMPLE, "--keep-pods")
    assert run.code == ExitCode.OK, run.err
    assert f"exposure/{name}: stopped netpoltest-" in run.out
    after = exposure.pod("exposure", name)  # still there, same pod
    assert after["metadata"]["uid"] == pod["metadata"]["uid"]
    assert "netpoltest.io/instrumented" not in after["metadata"].get("labels", {})

    def terminated() -> bool:
        statuses = exposure.pod("exposure", name)["status"]["ephemeralContainerStatuses"]
        return all("terminated" in s["state"] for s in statuses)

    exposure.wait_for(terminated, timeout=15, what="the debug container to exit")
    again = netpoltest(exposure, "cleanup", EXAMPLE)
    assert "nothing to clean up" in again.out
