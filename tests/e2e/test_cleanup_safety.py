"""cleanup never takes a workload below one Ready pod and never leaves state unreported (issue 10).

Each test gets its own sandbox (about 2 s to start) with Deployments, a StatefulSet, a
DaemonSet, a Job and a bare pod (scenarios/workloads). Every rule is checked on the real run and on
`--dry-run` from the same state, so the dry run never promises what the run would not do.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import Run, netpoltest
from tests.e2e.sandboxctl import ROOT, product_command
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox]
SCENARIO = ROOT / "tests" / "e2e" / "scenarios" / "workloads"
LABEL = "netpoltest.io/instrumented"
NOT_READY = "sandbox.netpoltest.test/readiness=not-ready"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as box:
        yield box


def write_spec(tmp_path: Path, name: str, **sources: str) -> str:
    """A spec whose rule has one source per keyword: `web="app=web"` or `x="podname:web-1"`."""
    pods = []
    for source, where in sources.items():
        key, _, value = where.partition(":") if where.startswith("podname:") else ("", "", "")
        match = f"podname: {value}" if key else f"selector: '{where}'"
        pods.append(f"  - {{name: {source}, namespace: cl, {match}}}")
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        "pods:\n" + "\n".join(pods) + "\n"
        "addresses:\n  - {name: h, hosts: [192.0.2.1]}\n"
        "connections:\n  - {name: c, addresses: [h], ports: [80]}\n"
        f"rules:\n  - {{name: r, from: [{', '.join(sources)}], allowed: [c]}}\n"
    )
    return str(path)


def instrumented(sb: Sandbox) -> list[str]:
    """Pods carrying our label or a debug container that has not exited."""
    names = []
    for pod in sb.pods("cl"):
        live = [
            s
            for s in pod["status"].get("ephemeralContainerStatuses") or []
            if s["name"].startswith("netpoltest-") and "terminated" not in s["state"]
        ]
        labelled = (pod["metadata"].get("labels") or {}).get(LABEL)
        if (labelled or live) and not pod["metadata"].get("deletionTimestamp"):
            names.append(pod["metadata"]["name"])
    return sorted(names)


def ready(sb: Sandbox, app: str) -> list[str]:
    return sorted(
        p["metadata"]["name"]
        for p in sb.pods("cl", f"app={app}")
        if not p["metadata"].get("deletionTimestamp")
        and any(
            c["type"] == "Ready" and c["status"] == "True"
            for c in p["status"].get("conditions") or []
        )
    )


def prepared(sb: Sandbox, spec: str) -> Run:
    run = netpoltest(sb, "prepare", spec, "--timeout", "30s")
    assert run.code == ExitCode.OK, run.out + run.err
    return run


def test_the_only_ready_pod_of_a_two_replica_workload_is_never_deleted(
    sb: Sandbox, tmp_path: Path
) -> None:
    """Item 1: desired replicas 2, the other replica not Ready: deleting ours means 0 Ready."""
    spec = write_spec(tmp_path, "web", web="app=web")
    prepared(sb, spec)
    (ours,) = instrumented(sb)
    (other,) = [n for n in ready(sb, "web") if n != ours]
    assert sb.kubectl("annotate", "pod", "-n", "cl", other, NOT_READY).returncode == 0
    sb.wait_for(lambda: ready(sb, "web") == [ours])

    dry = netpoltest(sb, "cleanup", spec, "--dry-run")
    run = netpoltest(sb, "cleanup", spec, "--timeout", "5s")
    for result in (dry, run):
        assert result.code == ExitCode.PODS_LEFT, result.out + result.err
        assert f"skipped      cl/{ours}: the only Ready pod of ReplicaSet web-" in result.out
        assert f"{other} (Running, not Ready)" in result.out
        assert "would delete" not in result.out
    assert ready(sb, "web") == [ours]
    assert instrumented(sb) == [ours]


def test_a_foreign_label_without_our_container_is_removed_and_the_pod_kept(
    sb: Sandbox, tmp_path: Path
) -> None:
    """Item 3: a pod labelled by someone else, without a debug container of ours."""
    spec = write_spec(tmp_path, "web", web="app=web")
    victim = ready(sb, "web")[0]
    assert sb.kubectl("label", "pod", "-n", "cl", victim, f"{LABEL}=true").returncode == 0
    dry = netpoltest(sb, "cleanup", spec, "--force", "--dry-run")
    assert dry.code == ExitCode.OK, dry.out + dry.err
    assert f"would-unlabel cl/{victim}" in dry.out
    run = netpoltest(sb, "cleanup", spec, "--force")
    assert run.code == ExitCode.OK, run.out + run.err
    assert f"unlabelled   cl/{victim}: carries our label but none of our debug containers" in (
        run.out
    )
    assert victim in ready(sb, "web")  # never deleted
    assert instrumented(sb) == []


def test_pods_outside_the_spec_are_named_and_the_exit_code_says_so(
    sb: Sandbox, tmp_path: Path
) -> None:
    """Item 4: prepared with another spec, or relabelled since: named, with how to remove."""
    both = write_spec(tmp_path, "both", web="app=web", api="app=api")
    only_web = write_spec(tmp_path, "web", web="app=web")
    prepared(sb, both)
    api_pod = next(n for n in instrumented(sb) if n.startswith("api-"))
    run = netpoltest(sb, "cleanup", only_web, "--timeout", "30s")
    assert run.code == ExitCode.PODS_LEFT, run.out + run.err
    assert f"left         cl/{api_pod}: carries our label and running debug container" in run.out
    assert "`cleanup -A` covers it" in run.out
    assert "nothing to clean up" not in run.out
    assert instrumented(sb) == [api_pod]

    # relabelled after prepare: the spec's selector no longer matches it
    assert sb.kubectl("label", "pod", "-n", "cl", api_pod, "tier=old").returncode == 0
    api_spec = write_spec(tmp_path, "api", api="app=api,tier!=old")
    again = netpoltest(sb, "cleanup", api_spec)
    assert again.code == ExitCode.PODS_LEFT
    assert f"cl/{api_pod}" in again.out
    final = netpoltest(sb, "cleanup", api_spec, "-A", "--timeout", "30s")
    assert final.code == ExitCode.OK, final.out + final.err
    assert instrumented(sb) == []


def test_every_pod_is_examined_with_exact_counts_and_a_distinct_exit_code(
    sb: Sandbox, tmp_path: Path
) -> None:
    """Items 5 and 6: controllers the user may not read stop nothing; counts are exact; pods
    left by design exit PODS_LEFT, not 0; --force -A then restores everything (exit 0)."""
    spec = write_spec(
        tmp_path, "all", db="app=db", agent="app=agent", once="app=once", bare="app=bare"
    )
    prepared(sb, spec)
    assert len(instrumented(sb)) == 4
    dry = netpoltest(sb, "cleanup", spec, "--dry-run", user="podsonly")
    run = netpoltest(sb, "cleanup", spec, "--timeout", "30s", user="podsonly")
    for result in (dry, run):
        assert result.code == ExitCode.PODS_LEFT, result.out + result.err
        assert result.out.count("skipped ") == 3
        assert "DaemonSet agent runs one pod per node" in result.out
        assert "owned by Job once" in result.out
        assert "cl/bare: a bare pod" in result.out
    assert "1 would-delete" in dry.out and "3 skipped" in dry.out
    assert "1 deleted" in run.out and "3 skipped" in run.out
    assert "3 pods still carry our label or a debug container" in run.out
    # db-0 came back under the same name, pristine; the other three are still ours
    left = instrumented(sb)
    assert "db-0" not in left and "bare" in left and len(left) == 3
    sb.wait_for(lambda: ready(sb, "db") == ["db-0", "db-1"], timeout=30)

    forced = netpoltest(sb, "cleanup", spec, "--force", "-A", "--timeout", "30s")
    assert forced.code == ExitCode.OK, forced.out + forced.err
    assert instrumented(sb) == []
    assert sb.pods("cl", "app=bare") == []  # --force: the bare pod is gone for good


def test_two_concurrent_cleanups_never_leave_a_workload_without_a_ready_pod(
    tmp_path: Path,
) -> None:
    """Item 2: both replicas instrumented, two runs at once, replacements taking seconds."""
    require_root_sandbox()
    with start_sandbox(SCENARIO, timing={"replaceDelay": 3.0}) as sb:
        first, second = ready(sb, "web")
        spec = write_spec(tmp_path, "two", a=f"podname:{first}", b=f"podname:{second}")
        prepared(sb, spec)
        assert instrumented(sb) == [first, second]
        lowest: list[int] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                lowest.append(len(ready(sb, "web")))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        runs = [
            subprocess.Popen(
                [*product_command(), "cleanup", spec, "--timeout", "60s"],
                env=sb.env(),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outs = [run.communicate(timeout=120) for run in runs]
        stop.set()
        watcher.join()
        assert min(lowest) >= 1, f"a moment with {min(lowest)} Ready web pods"
        for run, (out, err) in zip(runs, outs, strict=True):
            assert run.returncode == ExitCode.OK, out + err
            assert "not found" not in out + err
        both = outs[0][0] + outs[1][0]
        assert both.count("deleted      cl/") == 2  # each pod deleted exactly once
        assert "already cleaned by another run" in both
        assert instrumented(sb) == []
