"""The real kubectl binary against a running sandbox (README scenario, real data plane)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.sandbox
NS = "exposure"
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.53"
POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: brakkee-ingress, namespace: exposure}
spec:
  podSelector: {matchLabels: {app: httpd-brakkee-org}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: httpd-wamblee-org}}}]
      ports: [{port: 80}]
"""


def ok(res):
    assert res.returncode == 0, f"rc={res.returncode}\nstdout={res.stdout}\nstderr={res.stderr}"
    return res.stdout


def test_kubectl_end_to_end(readme_sandbox, tmp_path):
    sb = readme_sandbox
    out = ok(sb.kubectl("get", "pods", "-A", "-o", "wide"))
    assert out.splitlines()[0].split()[:4] == ["NAMESPACE", "NAME", "READY", "STATUS"]
    assert "IP" in out.splitlines()[0] and "NODE" in out.splitlines()[0]
    assert "coredns-sandbox" in out and out.count("httpd-wamblee-org-") == 2
    ok(sb.kubectl("get", "deploy,rs,svc,netpol,ns,nodes", "-A"))

    f = tmp_path / "np.yaml"
    f.write_text(POLICY)
    assert "created" in ok(sb.kubectl("apply", "-f", str(f)))
    res = sb.kubectl("apply", "-f", str(f))
    # (kubectl's builtin-type three-way merge may say "configured": defaulted protocol)
    assert "brakkee-ingress" in ok(res) and "warning" not in res.stderr.lower()
    f.write_text(POLICY.replace("port: 80", "port: 8080"))
    assert "configured" in ok(sb.kubectl("apply", "-f", str(f)))
    np = sb.get(f"/apis/networking.k8s.io/v1/namespaces/{NS}/networkpolicies/brakkee-ingress")
    assert np["spec"]["policyTypes"] == ["Ingress"]
    assert "kubectl.kubernetes.io/last-applied-configuration" in np["metadata"]["annotations"]
    f.write_text(POLICY)
    ok(sb.kubectl("apply", "-f", str(f)))

    src = sb.pods(NS, "app=httpd-wamblee-org")[0]["metadata"]["name"]
    dst_ip = sb.pods(NS, "app=httpd-brakkee-org")[0]["status"]["podIP"]
    ok(sb.kubectl("debug", "-n", NS, src, f"--image={AGNHOST}", "-c", "dbg", "--", "sleep",
                  "600"))
    sb.wait_for(lambda: sb.ephemeral_state(NS, src, "dbg").get("running"), what="dbg running")
    # egress of `exposure` only allows maven + DNS, so even the allowed ingress is cut
    assert sb.kubectl("exec", "-n", NS, src, "-c", "dbg", "--", "nc", "-z", "-w", "1",
                      dst_ip, "80").returncode != 0
    ok(sb.kubectl("exec", "-n", NS, src, "-c", "dbg", "--", "nc", "-z", "-w", "1",
                  "repo1.maven.org", "443"))
    res = sb.kubectl("exec", "-n", NS, src, "-c", "dbg", "--", "nc", "-z", "-w", "1",
                     "github.com", "443")
    assert res.returncode == 1 and "command terminated with exit code 1" in res.stderr
    res = sb.kubectl("exec", "-n", NS, src, "-c", "dbg", "--", "sh", "-c", "echo hi; exit 4")
    assert (res.returncode, res.stdout) == (4, "hi\n")

    victim = sb.pods(NS, "app=httpd-brakkee-org")[0]["metadata"]["name"]
    assert f'pod "{victim}" deleted' in ok(sb.kubectl("delete", "pod", "-n", NS, victim))
    sb.wait_for(lambda: len([p for p in sb.pods(NS, "app=httpd-brakkee-org")
                             if p["status"].get("phase") == "Running"]) == 1,
                what="replacement")
    res = sb.kubectl("get", "pod", "-n", NS, victim)
    assert res.returncode == 1 and f'pods "{victim}" not found' in res.stderr
    ok(sb.kubectl("delete", "-f", str(f)))


def test_kubectl_exec_between_pods_allowed_by_policy(sandbox_factory, tmp_path):
    """Without the egress lockdown, ingress policy decides: open port 0, denied non-zero."""
    (tmp_path / "s.yaml").write_text("""\
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {role: client}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: a, labels: {role: other}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: a, labels: {role: server}}
spec: {containers: [{name: s, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-client, namespace: a}
spec:
  podSelector: {matchLabels: {role: server}}
  ingress: [{from: [{podSelector: {matchLabels: {role: client}}}]}]
""")
    with sandbox_factory(tmp_path, timing={"ephemeralStartDelay": 0.1}) as sb:
        ip = sb.pod_ip("a", "server")
        for pod in ("client", "other"):
            ok(sb.kubectl("debug", "-n", "a", pod, f"--image={AGNHOST}", "-c", "dbg", "--",
                          "sleep", "600"))
        for pod in ("client", "other"):
            sb.wait_for(lambda p=pod: sb.ephemeral_state("a", p, "dbg").get("running"))
        ok(sb.kubectl("exec", "-n", "a", "client", "-c", "dbg", "--", "nc", "-z", "-w", "1",
                      ip, "80"))
        assert sb.kubectl("exec", "-n", "a", "client", "-c", "dbg", "--", "nc", "-z", "-w",
                          "1", ip, "81").returncode == 1
        assert sb.kubectl("exec", "-n", "a", "other", "-c", "dbg", "--", "nc", "-z", "-w",
                          "1", ip, "80").returncode == 1


RICHER = Path(__file__).resolve().parents[2] / "examples" / "sandbox-scenario-richer"
BAD_POLICIES = {
    # go-yaml (kubectl) reads `y` as a boolean: the decoder's 400, like kube-apiserver
    "ns: y": ("cannot unmarshal bool into Go struct field LabelSelector.spec.ingress.from."
              "namespaceSelector.matchLabels of type string"),
    "cidr: 10.0.0.0/33": ("spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "
                          '"10.0.0.0/33": must be a valid CIDR value'),
    "port: HTTP_8080": 'spec.ingress[0].ports[0].port: Invalid value: "HTTP_8080"',
    "protocol: ICMP": 'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP"',
}


def _bad_policy(line: str) -> str:
    key, value = line.split(": ", 1)
    peer = (f"{{namespaceSelector: {{matchLabels: {{{key}: {value}}}}}}}" if key == "ns"
            else f"{{ipBlock: {{cidr: {value}}}}}" if key == "cidr" else "{podSelector: {}}")
    port = {"port": f"{{port: {value}}}", "protocol": f"{{port: 80, protocol: {value}}}"}.get(
        key, "{port: 80}")
    return f"""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: bad, namespace: backend}}
spec:
  podSelector: {{}}
  ingress: [{{from: [{peer}], ports: [{port}]}}]
"""


def test_what_kubectl_users_type(sandbox_factory, tmp_path):
    """run / create deployment / create service (protobuf bodies), wait, logs, apply
    --server-side of the example manifests, and the API server's refusals."""
    for name in ("namespaces.yaml", "sandbox.yaml"):
        (tmp_path / name).write_text((RICHER / name).read_text())
    with sandbox_factory(tmp_path, timing={"ephemeralStartDelay": 0.1}) as sb:
        ok(sb.kubectl("create", "deployment", "web", "-n", "frontend", "--image=nginx",
                      "--replicas=2", "--port=80"))
        ok(sb.kubectl("create", "service", "clusterip", "web", "-n", "frontend",
                      "--tcp=80:80"))
        ok(sb.kubectl("run", "client", "-n", "frontend", "--image=busybox",
                      "--labels=role=client", "--", "sleep", "3600"))
        ok(sb.kubectl("wait", "-n", "frontend", "--for=condition=Available", "deploy/web",
                      "--timeout=30s"))
        ok(sb.kubectl("wait", "-n", "frontend", "--for=condition=Ready", "pod", "-l",
                      "app=web", "--timeout=30s"))
        ok(sb.kubectl("wait", "-n", "frontend", "--for=condition=Ready", "pod/client",
                      "--timeout=30s"))
        dep = sb.get("/apis/apps/v1/namespaces/frontend/deployments/web")
        assert dep["spec"]["template"]["spec"]["containers"][0]["ports"] == [
            {"containerPort": 80, "protocol": "TCP"}]
        svc = sb.get("/api/v1/namespaces/frontend/services/web")
        assert svc["spec"]["ports"][0]["port"] == 80 and svc["spec"]["selector"] == {
            "app": "web"}
        assert ok(sb.kubectl("logs", "-n", "frontend", "client")) == ""

        # apply --server-side the richer example's workloads and policies
        out = ok(sb.kubectl("apply", "--server-side", "-f", str(RICHER / "workloads.yaml"),
                            "-f", str(RICHER / "policies.yaml")))
        assert out.count("serverside-applied") == 13, out
        np = sb.get("/apis/networking.k8s.io/v1/namespaces/backend/networkpolicies/api-egress")
        assert [m["manager"] for m in np["metadata"]["managedFields"]] == ["kubectl"]
        assert "serverside-applied" in ok(sb.kubectl(
            "apply", "--server-side", "-f", str(RICHER / "policies.yaml")))
        # another manager changing kubectl's field conflicts unless it forces
        other = tmp_path / "other.yaml"
        other.write_text("""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: backend}
spec:
  podSelector: {}
  policyTypes: [Ingress]
""")
        res = sb.kubectl("apply", "--server-side", "--field-manager=ops", "-f", str(other))
        assert res.returncode != 0 and "conflict" in res.stderr.lower()
        assert ".spec.policyTypes" in res.stderr
        ok(sb.kubectl("apply", "--server-side", "--field-manager=ops", "--force-conflicts",
                      "-f", str(other)))
        path = "/apis/networking.k8s.io/v1/namespaces/backend/networkpolicies/default-deny"
        assert sb.get(path)["spec"]["policyTypes"] == ["Ingress"]
        # a field the manager stops applying goes away
        wider = tmp_path / "wider.yaml"
        wider.write_text(other.read_text() + "  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]\n")
        ok(sb.kubectl("apply", "--server-side", "--field-manager=ops", "-f", str(wider)))
        assert sb.get(path)["spec"]["egress"]
        ok(sb.kubectl("apply", "--server-side", "--field-manager=ops", "-f", str(other)))
        assert "egress" not in sb.get(path)["spec"]

        for line, message in BAD_POLICIES.items():
            f = tmp_path / "bad.yaml"
            f.write_text(_bad_policy(line))
            res = sb.kubectl("apply", "-f", str(f))
            assert res.returncode != 0 and message in res.stderr, (line, res.stderr)
        assert sb.request("GET", "/apis/networking.k8s.io/v1/namespaces/backend/"
                                 "networkpolicies/bad")[0] == 404

        victim = sb.pods("frontend", "app=web")[0]["metadata"]["name"]
        assert f'pod "{victim}" deleted' in ok(sb.kubectl("delete", "pod", "-n", "frontend",
                                                          victim))
        ok(sb.kubectl("wait", "-n", "frontend", "--for=condition=Available", "deploy/web",
                      "--timeout=30s"))
