"""Thin wrappers over `ip`, `nft` and /proc for network namespaces the sandbox owns.

Every helper takes an explicit netns name; nothing here ever touches the root namespace's
links, routes or rulesets (veths are created from inside the router netns with the peer end
placed straight into the pod netns, so no interface ever exists in the root netns).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

NETNS_DIR = Path("/run/netns")
ETC_NETNS = Path("/etc/netns")


class CommandError(RuntimeError):
    """A sandbox plumbing command failed; the message carries its stderr."""


def run(argv: list[str], *, stdin: str | None = None) -> str:
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CommandError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}"
                           + (f"\n--- input ---\n{stdin}" if stdin else ""))
    return proc.stdout


def add(name: str) -> None:
    run(["ip", "netns", "add", name])


def exists(name: str) -> bool:
    return (NETNS_DIR / name).exists()


def list_all() -> list[str]:
    try:
        return sorted(p.name for p in NETNS_DIR.iterdir())
    except FileNotFoundError:
        return []


def ip_batch(name: str, lines: Iterable[str]) -> None:
    """Many `ip` commands in one process (startup cost matters: rule of thumb 2 ms each)."""
    run(["ip", "-n", name, "-batch", "-"], stdin="\n".join(lines) + "\n")


def nft_apply(name: str, script: str) -> None:
    run(["ip", "netns", "exec", name, "nft", "-f", "-"], stdin=script)


def sysctls(name: str, values: Mapping[str, str]) -> None:
    """Write /proc/sys inside the netns (net.* sysctls are per netns)."""
    cmds = "; ".join(
        f"echo {v} > /proc/sys/{k.replace('.', '/')}" for k, v in values.items()
    )
    run(["ip", "netns", "exec", name, "sh", "-ec", cmds])


def pids(name: str) -> list[int]:
    """PIDs of processes whose network namespace is `name` (same test as `ip netns pids`)."""
    try:
        target = (NETNS_DIR / name).stat()
    except FileNotFoundError:
        return []
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            st = (entry / "ns" / "net").stat()
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            out.append(int(entry.name))
    return out


def kill_all(name: str, *, timeout: float = 3.0) -> None:
    """SIGKILL everything inside the netns and wait until it is gone."""
    deadline = time.monotonic() + timeout
    while True:
        found = pids(name)
        if not found:
            return
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            raise CommandError(f"processes {found} in netns {name} survive SIGKILL")
        time.sleep(0.02)


def destroy(name: str) -> None:
    """Kill the netns' processes, delete it and its /etc/netns directory."""
    kill_all(name)
    if exists(name):
        run(["ip", "netns", "delete", name])
    shutil.rmtree(ETC_NETNS / name, ignore_errors=True)


def write_resolv_conf(name: str, content: str) -> None:
    """`ip netns exec` bind-mounts /etc/netns/<name>/* over /etc/* for processes it starts."""
    d = ETC_NETNS / name
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / ".resolv.conf.tmp"
    tmp.write_text(content)
    tmp.chmod(0o644)
    tmp.replace(d / "resolv.conf")
