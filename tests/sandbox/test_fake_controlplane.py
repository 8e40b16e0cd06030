"""The control plane over the fake data plane: runs without root, checks the API surface."""

from __future__ import annotations

import shutil

import pytest

from tests.sandbox.conftest import README_SCENARIO
from tests.sandbox.fixture import start_sandbox


@pytest.fixture(scope="module")
def fake_sb():
    with start_sandbox(README_SCENARIO, network="fake",
                       users=[{"name": "viewer", "allow": ["get,list,watch pods"]}]) as sb:
        yield sb


def test_discovery_and_version(fake_sb):
    sb = fake_sb
    assert sb.get("/version")["minor"] == "32"
    assert sb.get("/api")["versions"] == ["v1"]
    groups = {g["name"] for g in sb.get("/apis")["groups"]}
    assert {"apps", "networking.k8s.io", "authorization.k8s.io"} <= groups
    names = {r["name"] for r in sb.get("/api/v1")["resources"]}
    assert {"pods", "pods/exec", "pods/ephemeralcontainers", "namespaces", "services"} <= names
    assert sb.request("GET", "/openapi/v2")[0] == 404
    assert sb.request("GET", "/api/v1/nope")[0] == 404


def test_auth_errors(fake_sb):
    sb = fake_sb
    code, body = sb.request("GET", "/api/v1/pods", user="viewer")
    assert code == 200
    code, body = sb.request("DELETE", "/api/v1/namespaces/exposure/pods/x", user="viewer")
    assert (code, body["reason"]) == (403, "Forbidden")
    assert body["message"] == ('pods "x" is forbidden: User "viewer" cannot delete resource '
                               '"pods" in API group "" in the namespace "exposure"')
    code, body = sb.request("GET", "/api/v1/namespaces", user="viewer")
    assert body["message"] == ('namespaces is forbidden: User "viewer" cannot list resource '
                               '"namespaces" in API group "" at the cluster scope')


def test_table_output(fake_sb):
    import json
    import urllib.request

    req = urllib.request.Request(sb_url := fake_sb.api_url + "/api/v1/namespaces/exposure/pods",
                                 headers={"Authorization": f"Bearer {fake_sb.token()}",
                                          "Accept": "application/json;as=Table;v=v1;"
                                                    "g=meta.k8s.io,application/json"})
    with urllib.request.urlopen(req, context=fake_sb._ssl()) as resp:
        table = json.loads(resp.read())
    assert sb_url and table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]][:5] == [
        "Name", "Ready", "Status", "Restarts", "Age"]
    assert len(table["rows"]) == 3 and table["rows"][0]["cells"][2] == "Running"
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_get_without_root(fake_sb):
    res = fake_sb.kubectl("get", "pods", "-n", "exposure", "-o", "wide")
    assert res.returncode == 0 and res.stdout.count("Running") == 3
    res = fake_sb.kubectl("auth", "can-i", "patch", "pods", "--subresource=ephemeralcontainers",
                          user="viewer")
    assert res.stdout.strip() == "no"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_scale_rollout_gc_and_host_network(fake_sb, tmp_path):
    sb = fake_sb
    assert sb.kubectl("scale", "deploy", "-n", "exposure", "httpd-brakkee-org",
                      "--replicas=3").returncode == 0
    sb.wait_for(lambda: len(sb.pods("exposure", "app=httpd-brakkee-org")) == 3)
    assert sb.kubectl("set", "image", "deploy/httpd-brakkee-org", "-n", "exposure",
                      "httpd=httpd:2.5").returncode == 0
    sb.wait_for(lambda: {p["spec"]["containers"][0]["image"] for p in
                         sb.pods("exposure", "app=httpd-brakkee-org")} == {"httpd:2.5"})
    assert sb.kubectl("delete", "deploy", "-n", "exposure", "httpd-brakkee-org").returncode == 0
    sb.wait_for(lambda: not sb.pods("exposure", "app=httpd-brakkee-org"))
    rs = sb.get("/apis/apps/v1/namespaces/exposure/replicasets")["items"]
    assert all(r["metadata"]["name"].startswith("httpd-wamblee-org-") for r in rs)
    f = tmp_path / "hn.yaml"
    f.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: hostnet}\nspec:\n"
                 "  hostNetwork: true\n  containers: [{name: c, image: busybox}]\n")
    assert sb.kubectl("apply", "-f", str(f)).returncode == 0
    pod = sb.wait_for(lambda: sb.pod("default", "hostnet")["status"].get("podIP") and
                      sb.pod("default", "hostnet"))
    assert pod["status"]["podIP"] == pod["status"]["hostIP"]
