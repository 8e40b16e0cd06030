"""Typed options for each engine entry point: what the CLI hands over after parsing flags."""

from __future__ import annotations

from dataclasses import dataclass

from kubectl_netpoltest.core.ipfamily import IpFamily
from kubectl_netpoltest.core.verdict import CniMode
from kubectl_netpoltest.engine.instrument import DEFAULT_IMAGE


@dataclass(frozen=True)
class PrepareOptions:
    image: str = DEFAULT_IMAGE
    ttl_seconds: int = 3600
    timeout_seconds: int = 120
    parallelism: int = 32
    check_tools: bool = True
    """Run the tool check (engine/toolcheck.py) in each new debug container."""


@dataclass(frozen=True)
class ExecuteOptions:
    probe_timeout_seconds: int = 2
    attempts: int = 3
    parallelism_per_pod: int = 32
    pods_in_parallel: int = 32
    cni_mode: CniMode = CniMode.DROP
    ip_family: IpFamily = IpFamily.ANY
    """--ip-family: which address families of each target are probed (core/ipfamily.py)."""


@dataclass(frozen=True)
class CleanupOptions:
    force: bool = False
    dry_run: bool = False
    keep_pods: bool = False
    all_namespaces: bool = False
    ready_timeout_seconds: int = 180
