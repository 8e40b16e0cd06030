"""Build the one-file binary for the machine this runs on, then the krew archive and its sha256.

    .venv/bin/python build/build.py            # PyInstaller + archive + .sha256 in dist/
    .venv/bin/python build/build.py --package-only   # re-archive an existing dist/ binary

PyInstaller cannot cross-compile, so the target is always the host: the release workflow runs
this once per os/arch on a native runner. Every choice (onefile, no UPX, the glibc floor) is
explained in build/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import platform
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "kubectl-netpoltest"

# Python's names for the host → krew's (Go's GOOS/GOARCH) names, which the manifest selects on.
OS_NAMES = {"linux": "linux", "darwin": "darwin", "win32": "windows"}
ARCH_NAMES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass(frozen=True)
class Target:
    """One krew platform: what the binary and the archive are called there."""

    os: str
    arch: str

    @property
    def binary_name(self) -> str:
        return NAME + (".exe" if self.os == "windows" else "")

    def archive_name(self, *, version: str) -> str:
        """`kubectl-netpoltest_<version>_<os>_<arch>.tar.gz`; krew's Windows users get a zip."""
        extension = ".zip" if self.os == "windows" else ".tar.gz"
        return f"{NAME}_{version}_{self.os}_{self.arch}{extension}"


def host_target(*, system: str | None = None, machine: str | None = None) -> Target:
    """The krew platform of this machine; an unsupported one is an error, never a guess."""
    system = sys.platform if system is None else system
    machine = (platform.machine() if machine is None else machine).lower()
    os_name = OS_NAMES.get("linux" if system.startswith("linux") else system)
    arch = ARCH_NAMES.get(machine)
    if os_name is None or arch is None:
        raise SystemExit(f"unsupported build host: {system}/{machine} (krew names unknown)")
    return Target(os=os_name, arch=arch)


def read_version() -> str:
    """The single source of the version: kubectl_netpoltest.__version__ in this tree."""
    sys.path.insert(0, str(ROOT))
    try:
        from kubectl_netpoltest import __version__
    finally:
        sys.path.pop(0)
    return __version__


def run_pyinstaller(*, target: Target, dist: Path, work: Path) -> Path:
    """PyInstaller --onefile --noupx from build/entry.py; returns the binary's path.

    `--paths ROOT` lets PyInstaller's import scan find the package in this tree: the venv's
    editable install goes through a custom import finder its scan does not follow.
    """
    command = [
        sys.executable, "-m", "PyInstaller",
        "--onefile", "--noupx", "--clean", "--noconfirm",
        "--name", NAME,
        "--paths", str(ROOT),
        "--distpath", str(dist),
        "--workpath", str(work),
        "--specpath", str(work),
        "--log-level", "WARN",
        str(ROOT / "build" / "entry.py"),
    ]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT)
    binary = dist / target.binary_name
    if not binary.is_file():
        raise SystemExit(f"PyInstaller reported success but {binary} is missing")
    return binary


def _tar_info(name: str, *, size: int, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, mode, 0
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def package(*, binary: Path, license_file: Path, archive: Path, windows: bool) -> Path:
    """Write the archive with the binary (mode 755) and LICENSE at its root.

    krew extracts the archive and links `bin`; krew-index requires the LICENSE inside it. Fixed
    mtimes, owners and no file name in the gzip header make the archive, and so its sha256,
    depend only on the two files.
    """
    archive.parent.mkdir(parents=True, exist_ok=True)
    members = [
        (binary.name, binary.read_bytes(), 0o755),
        ("LICENSE", license_file.read_bytes(), 0o644),
    ]
    if windows:
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for name, data, mode in members:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zipped.writestr(info, data)
        return archive
    with (
        archive.open("wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, data, mode in members:
            tar.addfile(_tar_info(name, size=len(data), mode=mode), io.BytesIO(data))
    return archive


def write_sha256(archive: Path) -> Path:
    """`<archive>.sha256` in `sha256sum` format, so `sha256sum -c` verifies a download."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    checksum = archive.with_name(archive.name + ".sha256")
    checksum.write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    return checksum


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output directory")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "work", help="work dir")
    parser.add_argument(
        "--package-only", action="store_true", help="archive the existing binary in --dist"
    )
    args = parser.parse_args(argv)
    target, version = host_target(), read_version()
    dist, work = args.dist.resolve(), args.work.resolve()
    started = time.monotonic()
    if args.package_only:
        binary = dist / target.binary_name
    else:
        binary = run_pyinstaller(target=target, dist=dist, work=work)
    seconds = time.monotonic() - started
    archive = package(
        binary=binary,
        license_file=ROOT / "LICENSE",
        archive=dist / target.archive_name(version=version),
        windows=target.os == "windows",
    )
    checksum = write_sha256(archive)
    print(f"binary   {binary} ({binary.stat().st_size / 1e6:.1f} MB, built in {seconds:.0f} s)")
    print(f"archive  {archive} ({archive.stat().st_size / 1e6:.1f} MB)")
    print(f"sha256   {checksum.read_text(encoding='utf-8').split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
