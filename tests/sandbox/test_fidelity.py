"""Sandbox fidelity against a running sandbox: container files stay in the container,
`kubectl logs` shows the container's output, pods terminate gracefully."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.sandbox
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.53"
SCENARIO = """\
apiVersion: v1
kind: Namespace
metadata: {name: f}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: f, labels: {app: solo}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: f}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: s, image: nginx, ports: [{containerPort: 80}]}]}
"""


def ok(res):
    assert res.returncode == 0, f"rc={res.returncode}\nstdout={res.stdout}\nstderr={res.stderr}"
    return res.stdout


@pytest.fixture(scope="module")
def sb(sandbox_factory, tmp_path_factory):
    d = tmp_path_factory.mktemp("fidelity")
    (d / "s.yaml").write_text(SCENARIO)
    with sandbox_factory(d, timing={"ephemeralStartDelay": 0.1, "terminationDelay": 1.5,
                                    "replaceDelay": 0.1}) as sandbox:
        yield sandbox


def host_tmp_leftovers(marker: str) -> list[str]:
    return [str(p) for p in Path("/tmp").glob(f"*{marker}*")]


def test_container_tmp_is_its_own_and_goes_with_the_pod(sb):
    marker = f"netpoltest-{secrets.token_hex(4)}"
    ok(sb.kubectl("run", "tmpcheck", "-n", "f", "--image=busybox", "--restart=Never"))
    sb.wait_for(lambda: sb.pod("f", "tmpcheck")["status"].get("phase") == "Running")
    loop = (f'echo started; while [ ! -e /tmp/{marker}.stop ]; do sleep 0.1; done; '
            "echo stopping")
    ok(sb.kubectl("debug", "-n", "f", "tmpcheck", f"--image={AGNHOST}", "-c", "dbg", "--",
                  "sh", "-c", loop))
    ok(sb.kubectl("debug", "-n", "f", "tmpcheck", f"--image={AGNHOST}", "-c", "other", "--",
                  "sleep", "600"))
    for c in ("dbg", "other"):
        sb.wait_for(lambda c=c: sb.ephemeral_state("f", "tmpcheck", c).get("running"))
    # what `cleanup --keep-pods` does: exec into the same container, touch its /tmp file
    ok(sb.kubectl("exec", "-n", "f", "tmpcheck", "-c", "other", "--", "touch",
                  f"/tmp/{marker}.stop"))
    time.sleep(0.5)
    assert sb.ephemeral_state("f", "tmpcheck", "dbg").get("running"), \
        "another container's /tmp must not stop this one"
    assert host_tmp_leftovers(marker) == []
    ok(sb.kubectl("exec", "-n", "f", "tmpcheck", "-c", "dbg", "--", "touch",
                  f"/tmp/{marker}.stop"))
    state = sb.wait_for(lambda: sb.ephemeral_state("f", "tmpcheck", "dbg").get("terminated"),
                        what="dbg stopped by its own /tmp file")
    assert state["exitCode"] == 0
    assert host_tmp_leftovers(marker) == []
    assert ok(sb.kubectl("logs", "-n", "f", "tmpcheck", "-c", "dbg")) == "started\nstopping\n"
    assert ok(sb.kubectl("logs", "-n", "f", "tmpcheck", "-c", "dbg", "--tail=1")) == \
        "stopping\n"
    assert ok(sb.kubectl("logs", "-n", "f", "tmpcheck", "-c", "tmpcheck")) == ""
    uid = sb.pod("f", "tmpcheck")["metadata"]["uid"]
    files = sb.state_dir / "containers" / uid
    assert (files / "dbg" / "tmp" / f"{marker}.stop").exists()
    ok(sb.kubectl("delete", "pod", "-n", "f", "tmpcheck", "--grace-period=0", "--force"))
    sb.wait_for(lambda: not files.exists(), what="container files removed with the pod")


def test_logs_follow_a_running_container_and_wait_for_delete(sb):
    ok(sb.kubectl("debug", "-n", "f", "solo", f"--image={AGNHOST}", "-c", "talker", "--",
                  "sh", "-c", "echo one; sleep 1; echo two"))
    sb.wait_for(lambda: sb.ephemeral_state("f", "solo", "talker").get("running"))
    assert ok(sb.kubectl("logs", "-f", "-n", "f", "solo", "-c", "talker")) == "one\ntwo\n"
    res = sb.kubectl("logs", "-n", "f", "solo", "-c", "nope")
    assert res.returncode != 0 and "container nope is not valid for pod solo" in res.stderr
    ok(sb.kubectl("run", "short", "-n", "f", "--image=busybox", "--restart=Never"))
    ok(sb.kubectl("wait", "-n", "f", "--for=condition=Ready", "pod/short", "--timeout=30s"))
    ok(sb.kubectl("delete", "pod", "-n", "f", "short", "--wait=false"))
    ok(sb.kubectl("wait", "-n", "f", "--for=delete", "pod/short", "--timeout=30s"))


def test_graceful_deletion_shows_terminating_then_removes(sb):
    ok(sb.kubectl("run", "graceful", "-n", "f", "--image=busybox", "--restart=Never"))
    sb.wait_for(lambda: sb.pod("f", "graceful")["status"].get("phase") == "Running")
    ok(sb.kubectl("delete", "pod", "-n", "f", "graceful", "--wait=false"))
    pod = sb.pod("f", "graceful")
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 30
    assert pod["metadata"]["deletionTimestamp"]
    assert "Terminating" in ok(sb.kubectl("get", "pod", "-n", "f", "graceful"))
    # a second, shorter delete wins; a longer one would not
    code, _ = sb.request("DELETE", "/api/v1/namespaces/f/pods/graceful",
                         {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 5})
    assert code == 200
    assert sb.pod("f", "graceful")["metadata"]["deletionGracePeriodSeconds"] == 5
    sb.wait_for(lambda: sb.request("GET", "/api/v1/namespaces/f/pods/graceful")[0] == 404,
                what="pod gone after the termination delay")


def test_force_delete_is_immediate_and_uid_precondition_holds(sb):
    ok(sb.kubectl("run", "forced", "-n", "f", "--image=busybox", "--restart=Never"))
    uid = sb.wait_for(lambda: sb.pod("f", "forced")["metadata"]["uid"])
    code, st = sb.request("DELETE", "/api/v1/namespaces/f/pods/forced",
                          {"preconditions": {"uid": "not-" + uid}})
    assert code == 409 and "Precondition failed: UID in precondition" in st["message"]
    ok(sb.kubectl("delete", "pod", "-n", "f", "forced", "--grace-period=0", "--force"))
    assert sb.request("GET", "/api/v1/namespaces/f/pods/forced")[0] == 404


def test_a_terminating_replica_is_replaced_at_once_and_leaves_the_endpoints(sb):
    ok(sb.kubectl("expose", "deployment", "web", "-n", "f", "--port=80"))
    old = sb.wait_for(lambda: sb.pods("f", "app=web")[0]["metadata"]["name"])
    sb.wait_for(lambda: sb.get("/api/v1/namespaces/f/endpoints/web").get("subsets"))
    ok(sb.kubectl("delete", "pod", "-n", "f", old, "--wait=false"))

    def replaced() -> bool:
        pods = sb.pods("f", "app=web")
        old_pod = [p for p in pods if p["metadata"]["name"] == old]
        running = [p for p in pods if p["metadata"]["name"] != old
                   and p["status"].get("phase") == "Running"]
        return bool(old_pod and old_pod[0]["metadata"].get("deletionTimestamp") and running)

    sb.wait_for(replaced, what="a replacement while the old pod is still Terminating")
    ep = sb.get("/api/v1/namespaces/f/endpoints/web")
    names = [a["targetRef"]["name"] for s in ep.get("subsets") or [] for a in s["addresses"]]
    assert old not in names


def test_nothing_of_a_container_survives_down(sandbox_factory, tmp_path):
    """The debug container's stop file lives in the container's /tmp only; `down` (leaving
    the block) removes the per-container files even when the state dir is kept."""
    (tmp_path / "s.yaml").write_text(SCENARIO)
    marker = f"netpoltest-{secrets.token_hex(4)}"
    state = tmp_path / "state"
    with sandbox_factory(tmp_path, state_dir=state,
                         timing={"ephemeralStartDelay": 0.1}) as sb:
        ok(sb.kubectl("debug", "-n", "f", "solo", f"--image={AGNHOST}", "-c", "dbg", "--",
                      "sh", "-c", f"touch /tmp/{marker}.stop; sleep 600"))
        sb.wait_for(lambda: sb.ephemeral_state("f", "solo", "dbg").get("running"))
        ok(sb.kubectl("exec", "-n", "f", "solo", "-c", "dbg", "--", "test", "-e",
                      f"/tmp/{marker}.stop"))
        assert list((state / "containers").glob(f"*/dbg/tmp/{marker}.stop"))
        assert host_tmp_leftovers(marker) == []
    assert not (state / "containers").exists()
    assert host_tmp_leftovers(marker) == []
