"""The shipped example scenarios behave as documented in examples/README.md."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.stream import stream

from tests.sandbox.conftest import RICHER_SCENARIO

pytestmark = pytest.mark.sandbox
NETSHOOT = "nicolaka/netshoot:v0.13"
RESTRICTED = {"runAsNonRoot": True, "runAsUser": 65532, "allowPrivilegeEscalation": False,
              "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}


def probe_pod(sb, ns, pod, name="p"):
    api = client.CoreV1Api(sb.api_client())
    api.patch_namespaced_pod_ephemeralcontainers(pod, ns, {"spec": {"ephemeralContainers": [{
        "name": name, "image": NETSHOOT, "command": ["sleep", "300"],
        "securityContext": RESTRICTED}]}})
    sb.wait_for(lambda: sb.ephemeral_state(ns, pod, name).get("running"), what="probe running")


def run(sb, ns, pod, script, name="p"):
    api = client.CoreV1Api(sb.api_client())
    resp = stream(api.connect_get_namespaced_pod_exec, pod, ns, container=name,
                  command=["sh", "-c", script], stdin=False, stdout=True, stderr=True,
                  tty=False, _preload_content=False)
    resp.run_forever(timeout=15)
    out = resp.read_stdout()
    resp.close()
    return out


def test_richer_scenario(sandbox_factory):
    with sandbox_factory(RICHER_SCENARIO, timing={"ephemeralStartDelay": 0.1}) as sb:
        print(f"\nricher scenario ready in {sb.startup_seconds:.2f}s")
        web = sb.pods("frontend", "app=web")[0]["metadata"]["name"]
        api = sb.pods("backend", "app=api")[0]["metadata"]["name"]
        probe_pod(sb, "frontend", web)
        probe_pod(sb, "backend", api)
        probe_pod(sb, "db", "postgres-0")  # db enforces restricted: the probe complies
        check = ("nc -z -w1 {} {} >/dev/null 2>&1 && echo open || echo closed")
        assert run(sb, "frontend", web, check.format("api.backend", 80)) == "open\n"
        assert run(sb, "frontend", web, check.format("postgres.db", 5432)) == "closed\n"
        assert run(sb, "backend", api, check.format("postgres.db", 5432)) == "open\n"
        assert run(sb, "backend", api, check.format("api.payments.example", 443)) == "open\n"
        assert run(sb, "backend", api, check.format("elsewhere.example", 443)) == "closed\n"
        assert run(sb, "backend", api, "echo ping | nc -u -w1 statsd 8125") == "ping\n"
        # api only admits namespaces labelled team=web; db's egress itself is open
        assert run(sb, "db", "postgres-0", check.format("api.backend", 80)) == "closed\n"
        web_ip = sb.pods("frontend", "app=web")[1]["status"]["podIP"]
        assert run(sb, "db", "postgres-0", check.format(web_ip, 8080)) == "open\n"
        assert run(sb, "db", "postgres-0", "id -u") == "65532\n"
