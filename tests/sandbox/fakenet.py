"""A stand-in for ``network.Network`` for tests of the control plane alone (no root needed).

It hands out IPs from 10.244.0.0/16 without creating anything, records the calls, and runs
`spawn` on the host as the current user with PATH set to a tool directory of the host's own
binaries. It sends no traffic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ContainerPort:
    port: int
    protocol: str = "TCP"
    name: str | None = None


class FakeNetwork:
    node_ip = "172.31.0.2"

    def __init__(self, *, instance: str, state_dir: Path, deny_mode: str = "drop",
                 externals: Sequence[Any] = ()) -> None:
        self.instance = instance
        self.state_dir = Path(state_dir)
        self.externals = tuple(externals)
        self.pods: dict[str, str] = {}
        self.syncs = 0
        self.last_sync: dict[str, Any] = {}
        self._next = 2

    def up(self) -> None:
        full = ("sh", "bash", "sleep", "echo", "cat", "true", "false", "env", "id", "ls",
                "printf", "seq")
        small = ("sh", "sleep", "echo", "true", "false", "id")
        for name, bins in (("netshoot", full), ("glibc", full), ("agnhost", full),
                           ("alpine-noahosts", full), ("alpine", small), ("busybox", small)):
            d = self.state_dir / "tools" / name
            d.mkdir(parents=True, exist_ok=True)
            for b in bins:
                src = shutil.which(b)
                if src and not (d / b).exists():
                    (d / b).symlink_to(src)

    @property
    def dns_ip(self) -> str:
        return "10.96.0.10"

    def add_pod(self, *, key: str, ports: Sequence[Any], host_network: bool = False,
                namespace: str | None = None) -> str:
        if host_network:
            return self.node_ip
        ip = f"10.244.{self._next // 250}.{self._next % 250 + 2}"
        self._next += 1
        self.pods[key] = ip
        return ip

    def remove_pod(self, key: str) -> None:
        self.pods.pop(key, None)

    def sync(self, **state: Any) -> None:
        self.syncs += 1
        self.last_sync = state

    def spawn(self, key: str, argv: Sequence[str], *, uid: int, gid: int, tools: Path,
              env: Mapping[str, str] | None = None, stdin: Any = None, stdout: Any = None,
              stderr: Any = None, tmp_dir: Path | None = None) -> subprocess.Popen:
        # no mount namespace without root: the private /tmp is only offered as TMPDIR
        full_env = {"PATH": str(tools), "HOME": "/root", **(env or {}),
                    **({"TMPDIR": str(tmp_dir)} if tmp_dir else {})}
        exe = argv[0] if "/" in argv[0] else str(Path(tools) / argv[0])
        extra = {} if os.geteuid() != 0 or uid == 0 else {"user": uid, "group": gid}
        return subprocess.Popen([exe, *argv[1:]], env=full_env, stdin=stdin, stdout=stdout,
                                stderr=stderr, start_new_session=True, **extra)

    def toolset(self, name: str) -> Path:
        return self.state_dir / "tools" / name

    def down(self) -> None:
        shutil.rmtree(self.state_dir / "tools", ignore_errors=True)

    @staticmethod
    def cleanup_stale(*, state_root: Path) -> list[str]:
        return []
