"""Tool sets: directories of symlinks that stand in for a container image's $PATH.

`spawn` runs probes with PATH=<toolset> only, so a probe that needs a tool the image lacks
fails as it would in the real image. The directories must be traversable by non-root probe
users, which is why they live under /run (pytest's tmp dirs are mode 0700).

The sets differ the way the real images do (docs/probe-images.md has the sources):
* `agnhost`: Alpine as in registry.k8s.io/e2e-test-images/agnhost (BASEIMAGE alpine, Dockerfile
  `apk add bind-tools curl netcat-openbsd iproute2 iperf bash`): bash, netcat-openbsd, dig,
  musl-utils `getent` with `ahosts`, and busybox for everything else (`timeout`, `sleep`, ...);
* `alpine-noahosts`: the same with a musl `getent` that knows only `hosts` (Alpine's getent
  before `ahosts` was added), so the probe must fall back;
* `alpine`: a plain alpine image: busybox (ash, busybox `nc` without -z) and musl `getent`,
  no bash, no dig;
* `busybox`: busybox applets only (no getent, no dig, no bash);
* `glibc`: Debian's bash, netcat-openbsd, dig and glibc `getent` (an image built on Debian);
* `netshoot`: the same glibc set under its historical name, which the sandbox's own tests and
  regular containers use (the nicolaka/netshoot *image* is Alpine and maps to `agnhost`).

The musl `getent` is our own imitation of Alpine's (images/musl_getent.c), built with musl-gcc
(Debian package musl-tools) when the sandbox comes up, so lookups use musl's real resolver.
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
ALPINE_EXTRAS = {"nc": "nc.openbsd", "bash": "bash", "dig": "dig"}
"""What agnhost's Dockerfile adds on top of Alpine's busybox, as Debian binaries."""
REQUIRED_TOOLS = ("nft", "ip", "dnsmasq", "nc.openbsd", "dig", "busybox", "setpriv", "musl-gcc")
TOOLSETS = ("netshoot", "glibc", "agnhost", "alpine-noahosts", "alpine", "busybox")
MUSL_GETENT_SOURCE = Path(__file__).with_name("images") / "musl_getent.c"


def missing_tools() -> list[str]:
    return [t for t in REQUIRED_TOOLS if shutil.which(t) is None]


def _busybox_applets(busybox: str) -> list[str]:
    out = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True)
    return [a for a in out.stdout.split() if a and "/" not in a and a not in ("[", "[[")]


def build_musl_getent(target: Path, *, with_ahosts: bool) -> Path:
    """Compile the musl getent imitation (static, so it needs no musl loader at run time)."""
    compiler = shutil.which("musl-gcc")
    if compiler is None:
        raise FileNotFoundError("musl-gcc (Debian package musl-tools)")
    flags = ["-DWITH_AHOSTS"] if with_ahosts else []
    subprocess.run(
        [compiler, "-static", "-O2", *flags, "-o", str(target), str(MUSL_GETENT_SOURCE)],
        check=True, capture_output=True,
    )
    target.chmod(0o755)
    return target


def _links(name: str, *, busybox: str, applets: list[str], bin_dir: Path) -> dict[str, str]:
    links: dict[str, str] = dict.fromkeys(applets, busybox)
    if name in ("netshoot", "glibc"):
        links |= {n: p for n, t in NETSHOOT.items() if (p := shutil.which(t)) is not None}
    if name in ("agnhost", "alpine-noahosts"):
        links |= {n: p for n, t in ALPINE_EXTRAS.items() if (p := shutil.which(t)) is not None}
    if name in ("agnhost", "alpine"):
        links["getent"] = str(bin_dir / "getent-musl")
    if name == "alpine-noahosts":
        links["getent"] = str(bin_dir / "getent-musl-noahosts")
    links["busybox"] = busybox
    return links


def build(root: Path) -> dict[str, Path]:
    """Create one directory per tool set under root; returns name → directory."""
    busybox = shutil.which("busybox")
    if busybox is None:
        raise FileNotFoundError("busybox")
    applets = _busybox_applets(busybox)
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    bin_dir.chmod(0o755)
    for target, ahosts in (("getent-musl", True), ("getent-musl-noahosts", False)):
        if not (bin_dir / target).exists():
            build_musl_getent(bin_dir / target, with_ahosts=ahosts)
    dirs = {}
    for name in TOOLSETS:
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o755)
        for link, target in _links(name, busybox=busybox, applets=applets,
                                   bin_dir=bin_dir).items():
            path = d / link
            if path.is_symlink() and str(path.readlink()) != target:
                path.unlink()
            if not path.is_symlink():
                path.symlink_to(target)
        dirs[name] = d
    return dirs
