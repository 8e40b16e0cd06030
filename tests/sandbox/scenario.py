"""Scenario directories: plain Kubernetes YAML plus one `kind: SandboxConfig` document.

```yaml
apiVersion: sandbox.netpoltest.test/v1
kind: SandboxConfig
denyMode: drop            # drop | reject
externalHosts:
  - {name: github, address: 192.0.2.10, dnsNames: [github.com], ports: [{port: 443}]}
images: {"registry.example/probe": netshoot}   # image prefix -> tool set
users:
  - {name: viewer, allow: ["get,list,watch pods"]}
timing: {ephemeralStartDelay: 0.5, imageBackoffDelay: 1.0, replaceDelay: 0.3}
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIG_API = "sandbox.netpoltest.test/v1"
CONFIG_KIND = "SandboxConfig"
_ORDER = {"Node": 0, "Namespace": 0, "ServiceAccount": 1, "ConfigMap": 1, "Service": 2,
          "NetworkPolicy": 3, "Deployment": 4, "ReplicaSet": 5, "Pod": 6}


@dataclass(frozen=True)
class ExternalSpec:
    name: str
    address: str
    dns_names: tuple[str, ...]
    ports: tuple[tuple[int, str], ...]
    address6: str | None = None


@dataclass(frozen=True)
class Scenario:
    objects: tuple[dict, ...] = ()
    deny_mode: str = "drop"
    externals: tuple[ExternalSpec, ...] = ()
    images: Mapping[str, str] = field(default_factory=dict)
    users: tuple[Mapping[str, Any], ...] = ()
    timing: Mapping[str, float] = field(default_factory=dict)
    ip_families: tuple[str, ...] = ("IPv4",)
    """`ipFamilies: [IPv4, IPv6]`: dual-stack pods (network/dualstack.py)."""


def _docs(path: Path) -> list[dict]:
    files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) \
        if path.is_dir() else [path]
    out = []
    for f in files:
        for doc in yaml.safe_load_all(f.read_text()):
            if not doc:
                continue
            if doc.get("kind") == "List":
                out.extend(doc.get("items") or [])
            else:
                out.append(doc)
    return out


def load(path: Path | str, *, extra_users: tuple[Mapping[str, Any], ...] = ()) -> Scenario:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"scenario not found: {path}")
    objects, config = [], {}
    for doc in _docs(path):
        if doc.get("kind") == CONFIG_KIND:
            if doc.get("apiVersion") != CONFIG_API:
                raise ValueError(f"{CONFIG_KIND} needs apiVersion {CONFIG_API}")
            config = doc
        elif doc.get("kind") and doc.get("apiVersion"):
            objects.append(doc)
        else:
            raise ValueError(f"not a Kubernetes object (kind/apiVersion missing): {doc!r:.80}")
    objects.sort(key=lambda o: _ORDER.get(o["kind"], 9))
    externals = tuple(
        ExternalSpec(name=e["name"], address=e["address"],
                     dns_names=tuple(e.get("dnsNames") or ()),
                     ports=tuple((int(p["port"]), p.get("protocol", "TCP"))
                                 for p in e.get("ports") or ()),
                     address6=e.get("address6"))
        for e in config.get("externalHosts") or ())
    deny = config.get("denyMode", "drop")
    if deny not in ("drop", "reject"):
        raise ValueError(f"denyMode must be drop or reject, not {deny!r}")
    return Scenario(objects=tuple(objects), deny_mode=deny, externals=externals,
                    images=dict(config.get("images") or {}),
                    users=tuple(config.get("users") or ()) + tuple(extra_users),
                    timing=dict(config.get("timing") or {}),
                    ip_families=_families(config.get("ipFamilies")))


def _families(value: Any) -> tuple[str, ...]:
    families = tuple(value or ("IPv4",))
    if families not in (("IPv4",), ("IPv4", "IPv6")):
        raise ValueError(f"ipFamilies must be [IPv4] or [IPv4, IPv6], not {list(families)}")
    return families
