"""Tool sets: directories of symlinks that stand in for a container image's $PATH.

`spawn` runs probes with PATH=<toolset> only, so a probe that needs a tool the image lacks
fails as it would in the real image. The directories must be traversable by non-root probe
users, which is why they live under /run (pytest's tmp dirs are mode 0700).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

NETSHOOT = {
    "nc": "nc.openbsd", "bash": "bash", "sh": "sh", "dig": "dig", "getent": "getent",
    "sleep": "sleep", "cat": "cat", "tr": "tr", "head": "head", "tail": "tail", "sed": "sed",
    "date": "date", "timeout": "timeout", "printf": "printf", "echo": "echo", "env": "env",
    "id": "id", "seq": "seq", "wc": "wc", "base64": "base64", "kill": "kill", "ls": "ls",
    "busybox": "busybox",
}
REQUIRED_TOOLS = ("nft", "ip", "dnsmasq", "nc.openbsd", "dig", "busybox", "setpriv")
TOOLSETS = ("netshoot", "busybox")


def missing_tools() -> list[str]:
    return [t for t in REQUIRED_TOOLS if shutil.which(t) is None]


def _busybox_applets(busybox: str) -> list[str]:
    out = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True)
    return [a for a in out.stdout.split() if a and "/" not in a and a not in ("[", "[[")]


def build(root: Path) -> dict[str, Path]:
    """Create root/netshoot and root/busybox; returns name → directory."""
    busybox = shutil.which("busybox")
    if busybox is None:
        raise FileNotFoundError("busybox")
    applets = _busybox_applets(busybox)
    dirs = {}
    for name in TOOLSETS:
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o755)
        links: dict[str, str] = dict.fromkeys(applets, busybox)
        if name == "netshoot":
            links |= {n: p for n, t in NETSHOOT.items() if (p := shutil.which(t)) is not None}
        links["busybox"] = busybox
        for link, target in links.items():
            path = d / link
            if not path.is_symlink():
                path.symlink_to(target)
        dirs[name] = d
    return dirs
