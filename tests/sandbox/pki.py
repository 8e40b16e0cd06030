"""A throw-away CA and server certificate (openssl CLI) and the kubeconfig that trusts it.

The kubeconfig embeds `certificate-authority-data`, so kubectl and the Python client verify
the server like any real cluster; one context per user, `sandbox` (admin) is current.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Mapping
from pathlib import Path

import yaml


def make_certs(directory: Path) -> tuple[Path, Path, Path]:
    """Returns (ca.crt, server.crt, server.key); SANs 127.0.0.1 and localhost."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = d / "ca.key", d / "ca.crt"
    key, csr, crt, ext = d / "server.key", d / "server.csr", d / "server.crt", d / "san.ext"

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(ca_key), "-out", str(ca_crt), "-days", "2", "-subj",
        "/CN=netpoltest-sandbox-ca", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(key), "-out", str(csr), "-subj", "/CN=kube-apiserver")
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes\n"
                   "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
        "-CAcreateserial", "-out", str(crt), "-days", "2", "-extfile", str(ext))
    for p in (ca_key, key):
        p.chmod(0o600)
    return ca_crt, crt, key


def write_kubeconfig(path: Path, *, server: str, ca_crt: Path | None,
                     tokens: Mapping[str, str], namespace: str = "default") -> None:
    cluster: dict = {"server": server}
    if ca_crt is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_crt.read_bytes()).decode()
    contexts, users = [], []
    for user, token in tokens.items():
        ctx = "sandbox" if user == "admin" else f"sandbox-{user}"
        contexts.append({"name": ctx, "context": {"cluster": "sandbox", "user": user,
                                                  "namespace": namespace}})
        users.append({"name": user, "user": {"token": token}})
    doc = {"apiVersion": "v1", "kind": "Config", "preferences": {},
           "clusters": [{"name": "sandbox", "cluster": cluster}],
           "contexts": contexts, "users": users, "current-context": "sandbox"}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    path.chmod(0o600)
