"""execute under faults (issue 9): bounded waits, reports always written, signals handled.

The misbehaving API servers come from tests/sandbox/faultproxy.py: one that freezes (accepts
connections, answers nothing) and one that forwards to a sandbox cluster but never completes an
exec's websocket handshake. No assertion here is about elapsed time: what is asserted is what
the product did (how many requests it made, the exit code, the reasons, the report), and
subprocess timeouts only keep a hang from hanging the suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import VERDICTS_SCENARIO, VERDICTS_SPEC, netpoltest
from tests.e2e.sandboxctl import ROOT, product_command
from tests.sandbox.faultproxy import FaultProxy
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

SPEC = str(VERDICTS_SPEC)
FAST = ("--probe-timeout", "1", "--attempts", "1")
HANG_GUARD = 150  # seconds; only so that a regression fails instead of hanging the suite


def _run(*args: str, kubeconfig: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*product_command(), *args, "--kubeconfig", str(kubeconfig)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )


def _testcases(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("testcase"))


def test_a_frozen_api_costs_one_request_per_timeout_and_replaces_the_old_report(
    tmp_path: Path,
) -> None:
    """Items 5 and 8: the client's silent retries multiplied --request-timeout (5s took 21s),
    and a run that failed before probing left the previous junit.xml in place."""
    junit = tmp_path / "junit.xml"
    junit.write_text("<testsuites><testsuite name='last week' tests='1'/></testsuites>")
    with FaultProxy(mode="freeze", state_dir=tmp_path) as api:
        run = _run(
            "execute",
            SPEC,
            "--request-timeout",
            "1s",
            "--junit",
            str(junit),
            kubeconfig=api.kubeconfig,
        )
        requests = list(api.requests)
    assert run.returncode == ExitCode.CLUSTER_ERROR, run.stderr
    assert requests, "the product never reached the API"
    repeated = sorted({r for r in requests if requests.count(r) > 1})
    assert not repeated, f"the client silently retried {repeated}: {requests}"
    assert "timed out" in run.stderr or "timeout" in run.stderr
    (case,) = _testcases(junit)
    error = case.find("error")
    assert error is not None and "last week" not in junit.read_text()
    assert error.get("type") == "run-failed"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(VERDICTS_SCENARIO) as sb:
        run = netpoltest(sb, "prepare", SPEC)
        assert run.code == ExitCode.OK, run.err + run.out
        yield sb


@pytest.mark.sandbox
@pytest.mark.slow
def test_an_exec_handshake_that_never_completes_is_bounded_and_reported(
    prepared: Sandbox, tmp_path: Path
) -> None:
    """Item 4: an API server that accepts the exec connection but never completes the
    websocket handshake hung execute for > 300 s with no output and no JUnit."""
    junit = tmp_path / "junit.xml"
    with FaultProxy(mode="hang-exec", sandbox=prepared) as api:
        run = _run(
            "execute",
            SPEC,
            "-o",
            "json",
            "--junit",
            str(junit),
            "--request-timeout",
            "2s",
            *FAST,
            kubeconfig=api.kubeconfig,
        )
    assert run.returncode in (ExitCode.INCONCLUSIVE, ExitCode.TEST_FAILURES), run.stderr
    results = {r["id"]: r for r in __import__("json").loads(run.stdout)["results"]}
    assert results, run.stdout
    pod_probes = [r for r in results.values() if r["sourcePod"]]
    assert pod_probes and all(r["verdict"] == "ERROR" for r in pod_probes)
    for result in pod_probes:
        assert "websocket handshake" in result["reason"], result["reason"]
        assert "--request-timeout" in result["reason"]
    assert len(_testcases(junit)) == len(results)


@pytest.mark.sandbox
@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, ExitCode.INTERRUPTED), (signal.SIGTERM, ExitCode.TERMINATED)],
)
def test_a_signal_during_the_exec_prints_partial_results_and_writes_junit(
    prepared: Sandbox, tmp_path: Path, signum: int, code: ExitCode
) -> None:
    """Items 12 and 13: SIGTERM killed execute with no output and no JUnit; the SIGINT test
    watched every process on the host to see the exec start. Here the proxy says when this
    run's exec requests arrived, and holds them, so the signal always lands mid-exec."""
    junit = tmp_path / "junit.xml"
    with FaultProxy(mode="hang-exec", sandbox=prepared) as api:
        proc = subprocess.Popen(
            [
                *product_command(),
                "execute",
                SPEC,
                "--junit",
                str(junit),
                "--kubeconfig",
                str(api.kubeconfig),
                *FAST,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            api.wait_for_request("/exec")
            proc.send_signal(signum)
            out, err = proc.communicate(timeout=HANG_GUARD)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == code, err
    assert "(interrupted)" in out
    root = ET.parse(junit).getroot()
    interrupted = {p.get("value") for p in root.iter("property") if p.get("name") == "interrupted"}
    assert interrupted == {"true"}
    assert _testcases(junit)


@pytest.mark.sandbox
@pytest.mark.slow
@pytest.mark.parametrize("where", ["a directory", "below a regular file"])
def test_an_unwritable_report_prints_the_results_and_exits_74(
    prepared: Sandbox, tmp_path: Path, where: str
) -> None:
    """Item 6: exit 70 after every probe ran, nothing printed, a temp file left behind."""
    (tmp_path / "file").write_text("")
    target = tmp_path if where == "a directory" else tmp_path / "file" / "junit.xml"
    run = _run("execute", SPEC, "--junit", str(target), *FAST, kubeconfig=prepared.kubeconfig)
    assert run.returncode == ExitCode.REPORT_WRITE_ERROR, run.stderr
    assert " probes: " in run.stdout  # the results came first
    assert f"could not write the JUnit report to {target}" in run.stderr
    assert "internal error" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no temp file left


@pytest.mark.sandbox
@pytest.mark.slow
def test_the_default_report_in_a_read_only_working_directory_exits_74(
    prepared: Sandbox, tmp_path: Path
) -> None:
    """Item 6, as reported: the default junit.xml in a read-only working directory (root
    ignores file modes, so the directory is a read-only tmpfs mount)."""
    readonly = tmp_path / "ro"
    readonly.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(readonly)],
                   check=True)  # fmt: skip
    try:
        run = subprocess.run(
            [*product_command(), "execute", SPEC, "--kubeconfig", str(prepared.kubeconfig),
             *FAST],
            cwd=readonly, env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, timeout=HANG_GUARD, check=False,
        )  # fmt: skip
        left = sorted(p.name for p in readonly.iterdir())
    finally:
        subprocess.run(["umount", str(readonly)], check=True)
    assert run.returncode == ExitCode.REPORT_WRITE_ERROR, run.stderr
    assert " probes: " in run.stdout
    assert "could not write the JUnit report to junit.xml: Read-only file system" in run.stderr
    assert left == []


@pytest.mark.sandbox
@pytest.mark.slow
def test_dev_null_stays_a_device_and_a_new_report_honours_the_umask(
    prepared: Sandbox, tmp_path: Path
) -> None:
    """Items 7 and 9: --junit /dev/null replaced the device with a regular file (as root), and
    junit.xml was created 0600 so uploaders running as another user could not read it."""
    devnull = Path("/dev/null").stat()
    run = _run("execute", SPEC, "--junit", "/dev/null", *FAST, kubeconfig=prepared.kubeconfig)
    assert run.returncode in (ExitCode.TEST_FAILURES, ExitCode.INCONCLUSIVE), run.stderr
    after = Path("/dev/null").stat()
    assert (after.st_ino, after.st_rdev, after.st_mode) == (
        devnull.st_ino,
        devnull.st_rdev,
        devnull.st_mode,
    )
    junit = tmp_path / "junit.xml"
    run = subprocess.run(
        ["sh", "-c", 'umask 022 && exec "$@"', "sh", *product_command(), "execute", SPEC,
         "--junit", str(junit), "--kubeconfig", str(prepared.kubeconfig), *FAST],
        cwd=ROOT, capture_output=True, text=True, timeout=HANG_GUARD, check=False,
    )  # fmt: skip
    assert run.returncode in (ExitCode.TEST_FAILURES, ExitCode.INCONCLUSIVE), run.stderr
    assert junit.stat().st_mode & 0o777 == 0o644


@pytest.mark.sandbox
@pytest.mark.slow
def test_cleanup_keep_pods_is_bounded_when_the_exec_handshake_never_completes(
    prepared: Sandbox,
) -> None:
    """Item 4, for cleanup: `--keep-pods` stops the debug containers by exec, and hung with
    the execute. It must end, name the cause, and leave the pods labelled for a later run.
    (Last in this module: it changes the lab.)"""
    with FaultProxy(mode="hang-exec", sandbox=prepared) as api:
        run = _run(
            "cleanup", SPEC, "--keep-pods", "--request-timeout", "2s", kubeconfig=api.kubeconfig
        )
    assert run.returncode != ExitCode.OK, run.stdout + run.stderr
    assert "websocket handshake" in run.stdout + run.stderr, run.stdout + run.stderr
    labelled = prepared.pods("lab", "netpoltest.io/instrumented=true")
    assert labelled, "a pod whose container could not be stopped must keep its label"
