"""StatefulSet, DaemonSet and Job controllers; the readiness knob (workloads.py, readiness.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.fixture import Sandbox, start_sandbox

pytestmark = pytest.mark.sandbox
DELETE = ("delete", "pod", "--wait=false", "-n", "wl")

SCENARIO = """
apiVersion: v1
kind: Namespace
metadata: {name: wl}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: wl}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: app, image: example/app:1}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: wl}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: app, image: example/app:1}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: wl}
spec:
  backoffLimit: 1
  template:
    spec: {containers: [{name: app, image: example/app:1}]}
"""


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    scenario: Path = tmp_path_factory.mktemp("workloads")
    (scenario / "objects.yaml").write_text(SCENARIO)
    with start_sandbox(scenario, network="fake", timing={"replaceDelay": 0.1}) as box:
        yield box


def _ready(pod: dict) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod["status"].get("conditions") or [])


def test_statefulset_recreates_a_deleted_pod_under_the_same_name(sb: Sandbox) -> None:
    pods = sb.wait_for(lambda: len(sb.pods("wl", "app=db")) == 2 and sb.pods("wl", "app=db"))
    assert sorted(p["metadata"]["name"] for p in pods) == ["db-0", "db-1"]
    old_uid = sb.pod("wl", "db-0")["metadata"]["uid"]
    assert sb.kubectl(*DELETE, "db-0").returncode == 0
    new = sb.wait_for(lambda: (p := sb.pod("wl", "db-0"))["metadata"]["uid"] != old_uid
                      and _ready(p) and p)
    assert new["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"
    sts = sb.get("/apis/apps/v1/namespaces/wl/statefulsets/db")
    assert sb.wait_for(lambda: sb.get("/apis/apps/v1/namespaces/wl/statefulsets/db")["status"]
                       .get("readyReplicas") == 2)
    assert sts["spec"]["podManagementPolicy"] == "OrderedReady"


def test_daemonset_runs_one_pod_per_node_and_replaces_it(sb: Sandbox) -> None:
    pod = sb.wait_for(lambda: sb.pods("wl", "app=agent")[0])
    assert pod["spec"]["nodeName"] == "sandbox-node"
    assert sb.kubectl(*DELETE, pod["metadata"]["name"]).returncode == 0
    again = sb.wait_for(lambda: [p for p in sb.pods("wl", "app=agent")
                                 if p["metadata"]["uid"] != pod["metadata"]["uid"]])
    assert len(again) == 1
    assert len(sb.pods("wl", "app=agent")) == 1


def test_job_pod_deleted_counts_as_failed_and_stops_at_the_backoff_limit(sb: Sandbox) -> None:
    sel = "batch.kubernetes.io/job-name=once"
    first = sb.wait_for(lambda: sb.pods("wl", sel)[0])
    assert sb.kubectl(*DELETE, first["metadata"]["name"]).returncode == 0
    # failed 1 <= backoffLimit 1: replaced
    name = first["metadata"]["name"]
    second = sb.wait_for(lambda: _other_than(sb.pods("wl", sel), name))
    assert sb.kubectl(*DELETE, second["metadata"]["name"]).returncode == 0
    job = sb.wait_for(lambda: (j := sb.get("/apis/batch/v1/namespaces/wl/jobs/once"))
                      ["status"].get("conditions") and j)
    assert job["status"]["failed"] == 2
    assert job["status"]["conditions"][0]["reason"] == "BackoffLimitExceeded"
    assert sb.pods("wl", sel) == []  # not replaced any more


def test_readiness_annotation_makes_a_pod_not_ready_or_crash_looping(sb: Sandbox) -> None:
    sb.wait_for(lambda: _ready(sb.pod("wl", "db-1")))
    key = "sandbox.netpoltest.test/readiness"
    assert sb.kubectl("annotate", "pod", "-n", "wl", "db-1", f"{key}=not-ready").returncode == 0
    pod = sb.wait_for(lambda: not _ready(p := sb.pod("wl", "db-1")) and p)
    assert pod["status"]["phase"] == "Running"
    assert sb.kubectl("annotate", "pod", "-n", "wl", "db-1", f"{key}=crash-loop",
                      "--overwrite").returncode == 0
    state = sb.wait_for(lambda: sb.pod("wl", "db-1")["status"]["containerStatuses"][0]["state"]
                        .get("waiting"))
    assert state["reason"] == "CrashLoopBackOff"
    get = sb.kubectl("get", "pod", "-n", "wl", "db-1")
    assert "CrashLoopBackOff" in get.stdout and "0/1" in get.stdout, get.stdout + get.stderr
    assert sb.kubectl("annotate", "pod", "-n", "wl", "db-1", f"{key}=ready",
                      "--overwrite").returncode == 0
    sb.wait_for(lambda: _ready(sb.pod("wl", "db-1")))


def _other_than(pods: list[dict], name: str) -> dict | None:
    return next((p for p in pods if p["metadata"]["name"] != name), None)
