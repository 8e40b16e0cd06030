"""prepare and cleanup under interrupts, and error messages that name the real cause (issue 10).

Items 8-12 of the issue, each against its own sandbox (scenarios/workloads, ~2 s to start).
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import netpoltest
from tests.e2e.sandboxctl import ROOT, product_command
from tests.e2e.test_cleanup_safety import SCENARIO, instrumented, ready, write_spec
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(SCENARIO) as box:
        yield box


@pytest.fixture
def slow_start() -> Iterator[Sandbox]:
    """Debug containers take 30 s to start: an interrupt always lands while prepare waits."""
    require_root_sandbox()
    with start_sandbox(SCENARIO, timing={"ephemeralStartDelay": 30.0}) as box:
        yield box


def _started(sb: Sandbox, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*product_command(), *args],
        env=sb.env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _with_debug_container(sb: Sandbox) -> list[str]:
    return sorted(
        p["metadata"]["name"] for p in sb.pods("cl") if p["spec"].get("ephemeralContainers")
    )


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, ExitCode.INTERRUPTED), (signal.SIGTERM, ExitCode.TERMINATED)],
    ids=["SIGINT", "SIGTERM"],
)
def test_interrupted_prepare_says_what_it_did_and_how_to_undo_it(
    slow_start: Path, tmp_path: Path, signum: int, code: ExitCode
) -> None:
    """Item 8: stop at once, print per source what was done and left, and the undo command."""
    sb = slow_start
    spec = write_spec(tmp_path, "four", web="app=web", api="app=api", db="app=db")
    proc = _started(sb, "prepare", spec, "--timeout", "2m")
    sb.wait_for(lambda: len(_with_debug_container(sb)) == 3, timeout=30, what="3 containers")
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, out + err
    assert out.count("INTERRUPTED") == 3, out
    assert "was starting; the pod keeps our label and this debug container" in out
    assert f"undo with: kubectl netpoltest cleanup {spec}" in out
    touched = instrumented(sb)
    assert len(touched) == 3 and all(name in out for name in touched)
    time.sleep(2)  # nothing new happens after the process is gone
    assert instrumented(sb) == touched


def test_interrupted_cleanup_reports_the_deleted_pod_and_what_is_left(tmp_path: Path) -> None:
    """Item 8: SIGTERM while waiting for a replacement: the delete is reported, the rest is
    listed as left, exit 143."""
    require_root_sandbox()
    with start_sandbox(SCENARIO, timing={"replaceDelay": 5.0}) as sb:
        spec = write_spec(tmp_path, "two", web="app=web", api="app=api")
        assert netpoltest(sb, "prepare", spec).code == ExitCode.OK
        api_pod, web_pod = instrumented(sb)
        proc = _started(sb, "cleanup", spec, "--timeout", "60s")
        sb.wait_for(lambda: api_pod not in instrumented(sb), timeout=30, what="first delete")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == ExitCode.TERMINATED, out + err
        assert f"deleted      cl/{api_pod}: deleted; interrupted before its replacement" in out
        assert f"left         cl/{web_pod}: interrupted before its turn" in out
        assert instrumented(sb) == [web_pod]


def test_a_pod_security_rejection_gets_a_pod_security_hint(sb: Sandbox, tmp_path: Path) -> None:
    """Item 9: the namespace enforces 'restricted' and the pod itself runs as root."""
    label = "pod-security.kubernetes.io/enforce=restricted"
    assert sb.kubectl("label", "ns", "cl", label).returncode == 0
    spec = write_spec(tmp_path, "web", web="app=web")
    run = netpoltest(sb, "prepare", spec)
    assert run.code == ExitCode.CLUSTER_ERROR
    assert 'violates PodSecurity "restricted' in run.out
    assert "Pod Security admission enforces the 'restricted' level of namespace cl" in run.out
    assert "--image that runs as a non-root user" in run.out
    assert "Needed: patch pods/ephemeralcontainers" not in run.out + run.err
    assert "auth can-i" not in run.out + run.err
    assert instrumented(sb) == []  # the label came off again


def test_execute_uses_the_container_prepare_reported(sb: Sandbox, tmp_path: Path) -> None:
    """Item 10: a newer running container of another image is not what execute uses."""
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "pods:\n  - {name: api, namespace: cl, selector: app=api}\n"
        "  - {name: web, namespace: cl, selector: app=web}\n"
        "connections:\n  - {name: web-80, pods: [web], ports: [80]}\n"
        "rules:\n  - {name: r, from: [api], allowed: [web-80]}\n"
    )
    assert netpoltest(sb, "prepare", str(spec)).code == ExitCode.OK
    other = netpoltest(sb, "prepare", str(spec), "--image", "busybox:1.36")
    (api_pod,) = [n for n in instrumented(sb) if n.startswith("api-")]
    assert len(sb.pod("cl", api_pod)["spec"]["ephemeralContainers"]) == 2, other.out
    run = netpoltest(sb, "execute", str(spec), "-o", "json", "--probe-timeout", "2")
    assert run.code == ExitCode.OK, run.out + run.err
    assert [r["verdict"] for r in run.json()["results"]] == ["PASS"]


def test_a_failed_prepare_says_cleanup_is_needed(sb: Sandbox, tmp_path: Path) -> None:
    """Item 11: an image that cannot be pulled leaves a labelled pod with our container."""
    spec = write_spec(tmp_path, "web", web="app=web")
    run = netpoltest(sb, "prepare", spec, "--image", "registry.invalid/none:1", "--timeout", "20s")
    assert run.code == ExitCode.CLUSTER_ERROR
    assert "the pod keeps our label and this debug container" in run.out
    assert f"cleanup is needed: kubectl netpoltest cleanup {spec}" in run.err
    assert len(instrumented(sb)) == 1
    assert len(ready(sb, "web")) == 2


def test_a_wrong_ca_and_a_missing_credential_plugin_are_named(sb: Sandbox, tmp_path: Path) -> None:
    """Item 12: the server was reached (its certificate is not trusted); the exec plugin is
    missing (not 'bad credentials', no stray ERROR:root line)."""
    spec = write_spec(tmp_path, "web", web="app=web")
    config = yaml.safe_load(sb.kubeconfig.read_text())
    cluster = config["clusters"][0]["cluster"]
    cluster.pop("certificate-authority-data", None)
    cluster["certificate-authority"] = "/etc/ssl/certs/ca-certificates.crt"
    wrong_ca = tmp_path / "wrong-ca"
    wrong_ca.write_text(yaml.safe_dump(config))
    run = netpoltest(sb, "prepare", spec, "--kubeconfig", str(wrong_ca))
    assert run.code == ExitCode.CLUSTER_ERROR
    assert "answered, but its TLS certificate is not trusted" in run.err, run.err
    assert "Check that the cluster is up" not in run.err

    config = yaml.safe_load(sb.kubeconfig.read_text())
    user = next(u for u in config["users"] if u["name"] == "admin")
    user["user"] = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "netpoltest-missing-auth-plugin",
            "interactiveMode": "Never",
        }
    }
    no_plugin = tmp_path / "no-plugin"
    no_plugin.write_text(yaml.safe_dump(config))
    run = netpoltest(sb, "prepare", spec, "--kubeconfig", str(no_plugin))
    assert run.code == ExitCode.CLUSTER_ERROR
    assert "exec credential plugin failed" in run.err, run.err
    assert "netpoltest-missing-auth-plugin" in run.err
    assert "ERROR:root" not in run.err
    assert "did not accept our credentials" not in run.err


def test_concurrent_prepares_add_one_debug_container_per_pod(tmp_path: Path) -> None:
    """Three prepares of one spec at once used to add three debug containers to each pod. The
    add now carries the pod's resourceVersion: the losers get Conflict and adopt the winner's."""
    require_root_sandbox()
    # A slow start keeps every run between its read of the pod and its add for a while.
    with start_sandbox(SCENARIO, timing={"ephemeralStartDelay": 1.0}) as box:
        spec = tmp_path / "api.yaml"
        spec.write_text(
            "pods:\n  - {name: api, namespace: cl, selector: app=api}\n"
            "  - {name: web, namespace: cl, selector: app=web}\n"
            "connections:\n  - {name: web-80, pods: [web], ports: [80]}\n"
            "rules:\n  - {name: r, from: [api, web], allowed: [web-80]}\n"
        )
        runs = [_started(box, "prepare", str(spec)) for _ in range(3)]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [ExitCode.OK] * 3, outputs
        pods = instrumented(box)
        assert pods, outputs
        for name in pods:
            containers = box.pod("cl", name)["spec"].get("ephemeralContainers") or []
            assert len(containers) == 1, (name, [c["name"] for c in containers], outputs)
