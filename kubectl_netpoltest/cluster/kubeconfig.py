"""Decide kubeconfig files, context and namespace exactly as kubectl does.

Rules (kubernetes.io, "Organizing Cluster Access Using kubeconfig Files", merging):
- `--kubeconfig FILE` means that one file, no merging; it must exist.
- else `KUBECONFIG` is a list (':' on Unix, ';' on Windows); missing files are skipped; for each
  named context, cluster and user the first file that defines it wins, and so does the first
  file that sets `current-context`. The Python client takes the *last* current-context
  (kubernetes-client/python#2386), so we resolve it here and always pass the context explicitly.
- else `~/.kube/config`.
- the namespace is `-n`, else the context's namespace, else "default".

This module reads YAML only; it never imports the Kubernetes client, so commands that need no
cluster (validate, plan) can use it without paying for that import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kubectl_netpoltest.errors import KubeconfigError

DEFAULT_NAMESPACE = "default"
IN_CLUSTER_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


@dataclass(frozen=True)
class KubeSettings:
    """Where and as whom to connect. `files` is empty when running in-cluster."""

    files: tuple[str, ...]
    context: str | None
    namespace: str
    server: str | None
    in_cluster: bool = False
    # kubectl's --cluster/--user (replace the context's), --token, --as/--as-group.
    cluster: str | None = None
    user: str | None = None
    token: str | None = field(default=None, repr=False)
    as_user: str | None = None
    as_groups: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.in_cluster:
            return "in-cluster service account"
        return f"context {self.context!r} ({self.server or 'unknown server'})"


def kubeconfig_files(*, flag: str | None, environ: Mapping[str, str]) -> tuple[str, ...]:
    if flag:
        if not Path(flag).is_file():
            raise KubeconfigError(
                f"kubeconfig {flag!r} does not exist", hint="Pass an existing file to --kubeconfig."
            )
        return (flag,)
    listed = environ.get("KUBECONFIG", "")
    if listed:
        return tuple(p for p in listed.split(os.pathsep) if p and Path(p).is_file())
    home = Path(environ.get("HOME", str(Path.home()))) / ".kube" / "config"
    return (str(home),) if home.is_file() else ()


def _read(path: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KubeconfigError(f"cannot read kubeconfig {path}: {exc}") from None
    return data if isinstance(data, dict) else {}


def _named(items: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for item in items or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            found.setdefault(item["name"], item)
    return found


def resolve(
    *,
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    environ: Mapping[str, str],
    require: bool,
    cluster: str | None = None,
) -> KubeSettings:
    """Resolve settings; with `require=False` a missing kubeconfig just means namespace default.

    `cluster` is kubectl's --cluster: that kubeconfig cluster replaces the context's.
    """
    files = kubeconfig_files(flag=kubeconfig, environ=environ)
    if not files:
        if environ.get("KUBERNETES_SERVICE_HOST") and context is None:
            ns = namespace
            if ns is None and IN_CLUSTER_NAMESPACE_FILE.is_file():
                ns = IN_CLUSTER_NAMESPACE_FILE.read_text(encoding="utf-8").strip()
            return KubeSettings((), None, ns or DEFAULT_NAMESPACE, None, in_cluster=True)
        if require or context is not None:
            raise KubeconfigError(
                "no kubeconfig found (looked at --kubeconfig, $KUBECONFIG and ~/.kube/config)",
                hint="Point --kubeconfig or KUBECONFIG at your cluster's kubeconfig.",
            )
        return KubeSettings((), None, namespace or DEFAULT_NAMESPACE, None)
    contexts: dict[str, dict[str, Any]] = {}
    clusters: dict[str, dict[str, Any]] = {}
    current: str | None = None
    for path in files:
        data = _read(path)
        for name, item in _named(data.get("contexts")).items():
            contexts.setdefault(name, item)
        for name, item in _named(data.get("clusters")).items():
            clusters.setdefault(name, item)
        if current is None and data.get("current-context"):
            current = str(data["current-context"])
    chosen = context or current
    if chosen is None:
        if require:
            raise KubeconfigError(
                f"no current context in {', '.join(files)}",
                hint="Pass --context NAME (available: " + (", ".join(contexts) or "none") + ").",
            )
        return KubeSettings(files, None, namespace or DEFAULT_NAMESPACE, None)
    if chosen not in contexts:
        raise KubeconfigError(
            f"context {chosen!r} is not in {', '.join(files)}",
            hint="Available contexts: " + (", ".join(contexts) or "none") + ".",
        )
    body = contexts[chosen].get("context") or {}
    if cluster is not None and cluster not in clusters:
        raise KubeconfigError(
            f"cluster {cluster!r} is not in {', '.join(files)}",
            hint="Available clusters: " + (", ".join(clusters) or "none") + ".",
        )
    found = clusters.get(cluster or str(body.get("cluster")), {}).get("cluster") or {}
    ns = namespace or body.get("namespace") or DEFAULT_NAMESPACE
    return KubeSettings(files, chosen, str(ns), found.get("server"), cluster=cluster)
