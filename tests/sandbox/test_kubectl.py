"""The real kubectl binary against a running sandbox (README scenario, real data plane)."""

from __future__ import annotations

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
