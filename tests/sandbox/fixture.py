"""`start_sandbox(...)`: a whole sandbox cluster for a test, as a context manager.

    from tests.sandbox.fixture import start_sandbox

    with start_sandbox("examples/sandbox-scenario", users=[{"name": "viewer",
                       "allow": ["get,list,watch pods"]}]) as sb:
        subprocess.run(["kubectl", "get", "pods", "-A"], env=sb.env())
        sb.pod_ip("exposure", name)

The cluster runs in a child process (`python -m tests.sandbox serve`), exactly as
`python -m tests.sandbox up` starts it; leaving the block stops it and removes everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.sandbox import instances


@dataclass(frozen=True)
class Sandbox:
    instance: str
    state_dir: Path
    kubeconfig: Path
    api_url: str
    tokens: Mapping[str, str]
    startup_seconds: float

    # ---- identities ----------------------------------------------------------------------
    def token(self, user: str = "admin") -> str:
        return self.tokens[user]

    def context(self, user: str = "admin") -> str:
        return "sandbox" if user == "admin" else f"sandbox-{user}"

    def kubeconfig_for(self, user: str) -> Path:
        """A kubeconfig whose current-context is `user`'s (written once, in the state dir)."""
        path = self.state_dir / f"kubeconfig-{user}"
        if not path.exists():
            doc = yaml.safe_load(self.kubeconfig.read_text())
            doc["current-context"] = self.context(user)
            path.write_text(yaml.safe_dump(doc, sort_keys=False))
            path.chmod(0o600)
        return path

    def env(self, user: str = "admin") -> dict[str, str]:
        kc = self.kubeconfig if user == "admin" else self.kubeconfig_for(user)
        return {**os.environ, "KUBECONFIG": str(kc)}

    def api_client(self, user: str = "admin") -> Any:
        """A fresh kubernetes.client.ApiClient for `user` (one per concurrent exec!)."""
        from kubernetes import config

        return config.new_client_from_config(config_file=str(self.kubeconfig),
                                             context=self.context(user), persist_config=False)

    # ---- raw REST (independent of the kubernetes client) ----------------------------------
    def _ssl(self) -> ssl.SSLContext | None:
        if not self.api_url.startswith("https"):
            return None
        return ssl.create_default_context(cafile=str(self.state_dir / "pki" / "ca.crt"))

    def request(self, method: str, path: str, body: Any = None, *, user: str = "admin",
                content_type: str = "application/json") -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.api_url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token(user)}", "Content-Type": content_type,
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self._ssl(), timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                return err.code, json.loads(raw)
            except ValueError:
                return err.code, raw.decode(errors="replace")

    def get(self, path: str, *, user: str = "admin") -> Any:
        code, obj = self.request("GET", path, user=user)
        if code != 200:
            raise LookupError(f"GET {path}: {code} {obj}")
        return obj

    def pods(self, namespace: str, label_selector: str = "") -> list[dict]:
        q = f"?labelSelector={urllib.request.quote(label_selector)}" if label_selector else ""
        return self.get(f"/api/v1/namespaces/{namespace}/pods{q}")["items"]

    def pod(self, namespace: str, name: str) -> dict:
        return self.get(f"/api/v1/namespaces/{namespace}/pods/{name}")

    def pod_ip(self, namespace: str, name: str) -> str:
        return self.pod(namespace, name)["status"]["podIP"]

    def wait_for(self, fn: Any, *, timeout: float = 15.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(LookupError, KeyError, IndexError, TypeError):
                got = fn()
                if got:
                    return got
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def ephemeral_state(self, namespace: str, pod: str, container: str) -> dict:
        for s in self.pod(namespace, pod)["status"].get("ephemeralContainerStatuses") or []:
            if s["name"] == container:
                return s["state"]
        return {}

    def kubectl(self, *args: str, user: str = "admin", timeout: float = 60,
                input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(["kubectl", *args], env=self.env(user), capture_output=True,
                              text=True, timeout=timeout, input=input, check=False)


@contextlib.contextmanager
def start_sandbox(scenario_dir: str | Path | None, *, users: Sequence[Mapping] = (),
                  timing: Mapping[str, float] | None = None, network: str = "real",
                  tls: bool = True, state_dir: Path | None = None) -> Iterator[Sandbox]:
    """Start a sandbox from a scenario dir; yields a Sandbox; always tears it down.

    users: extra `{name, allow: [...]}` users (see apiserver/auth.py for the rule syntax).
    timing: {ephemeralStartDelay, imageBackoffDelay, replaceDelay} overrides, in seconds.
    network: "real" (root; netns + nftables) or "fake" (control plane only, no traffic).
    """
    inst = instances.new_instance()
    own_dir = state_dir is None
    sd = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix=f"sandbox-{inst}-",
                                                                  dir="/tmp"))
    info = instances.start(scenario=Path(scenario_dir) if scenario_dir else None,
                           state_dir=sd, instance=inst, network=network, tls=tls,
                           users=tuple(dict(u) for u in users), timing=dict(timing or {}))
    try:
        yield Sandbox(instance=inst, state_dir=sd, kubeconfig=Path(info["kubeconfig"]),
                      api_url=info["url"], tokens=info["tokens"],
                      startup_seconds=info["startup_seconds"])
    finally:
        instances.stop(sd, remove=own_dir)
