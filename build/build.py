"""Build the one-folder bundle for the machine this runs on, then the krew archive and sha256.

    .venv/bin/python build/build.py            # PyInstaller + archive + .sha256 in dist/
    .venv/bin/python build/build.py --package-only   # re-archive an existing dist/ bundle

PyInstaller cannot cross-compile, so the target is always the host: the release workflow runs
this once per os/arch on a native runner. Every choice (one folder, no UPX, the glibc floor,
reproducibility) is explained in build/README.md.

One folder, not one file: a one-file binary unpacks itself into a temporary directory on every
run (0.63-0.78 s for `--help` against 0.25-0.33 s from a venv). krew unpacks the archive once
and its `bin:` may point inside it, so the folder costs nothing at install time.

Reproducible: the same commit gives the same archive, byte for byte. PyInstaller gets
SOURCE_DATE_EPOCH (default: the last commit's time) and PYTHONHASHSEED=0; the archive lists its
entries sorted, with that time as every mtime, root as owner and no name in the gzip header.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import platform
import stat
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

    @property
    def binary_path(self) -> str:
        """The executable inside the bundle folder, in dist/ and in the archive (krew `bin:`)."""
        return f"{NAME}/{self.binary_name}"

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


def source_date_epoch() -> int:
    """$SOURCE_DATE_EPOCH, else the last commit's time, else 0 (reproducible-builds.org)."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given:
        return int(given)
    try:
        found = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            check=False,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip()
    except OSError:
        found = ""
    return int(found) if found.isdigit() else 0


def run_pyinstaller(*, target: Target, dist: Path, work: Path, epoch: int) -> Path:
    """PyInstaller --onedir --noupx from build/entry.py; returns the bundle folder.

    `--paths ROOT` lets PyInstaller's import scan find the package in this tree: the venv's
    editable install goes through a custom import finder its scan does not follow.
    """
    command = [
        sys.executable, "-m", "PyInstaller",
        "--onedir", "--noupx", "--clean", "--noconfirm",
        "--name", NAME,
        "--paths", str(ROOT),
        "--distpath", str(dist),
        "--workpath", str(work),
        "--specpath", str(work),
        "--log-level", "WARN",
        str(ROOT / "build" / "entry.py"),
    ]  # fmt: skip
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0"}
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    bundle = dist / NAME
    if not (dist / target.binary_path).is_file():
        raise SystemExit(f"PyInstaller reported success but {dist / target.binary_path} is missing")
    return bundle


COMPLETION_HELPER = "kubectl_complete-netpoltest"


def _tar_info(name: str, *, size: int, mode: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, mode, mtime
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def _members(bundle: Path, license_file: Path, helper: str | None) -> list[tuple[str, Any, int]]:
    """(archive name, bytes or a symlink target, mode), sorted by name.

    The bundle goes under its own folder name; LICENSE (krew-index requires it) and the
    completion helper sit at the root.
    """
    members: list[tuple[str, Any, int]] = [("LICENSE", license_file.read_bytes(), 0o644)]
    if helper is not None:
        members.append((COMPLETION_HELPER, helper.encode(), 0o755))
    for path in sorted(bundle.rglob("*")):
        name = f"{bundle.name}/{path.relative_to(bundle).as_posix()}"
        if path.is_symlink():
            members.append((name, path.readlink(), 0o777))
        elif path.is_file():
            executable = path.stat().st_mode & stat.S_IXUSR
            members.append((name, path.read_bytes(), 0o755 if executable else 0o644))
    return sorted(members, key=lambda member: member[0])


def package(
    *,
    bundle: Path,
    license_file: Path,
    archive: Path,
    windows: bool,
    helper: str | None = None,
    epoch: int = 0,
) -> Path:
    """Write the archive: the bundle folder, LICENSE and the completion helper.

    krew extracts the archive and links `bin` (inside the folder) onto PATH. Fixed mtimes and
    owners, sorted entries and no file name in the gzip header make the archive, and so its
    sha256, depend only on the files.
    """
    archive.parent.mkdir(parents=True, exist_ok=True)
    members = _members(bundle, license_file, None if windows else helper)
    if windows:
        stamp = time.gmtime(max(epoch, 315532800))[:6]  # zip cannot go before 1980
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for name, data, mode in members:
                if isinstance(data, Path):
                    continue  # no symlinks in Windows bundles
                info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
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
            if isinstance(data, Path):
                info = _tar_info(name, size=0, mode=mode, mtime=epoch)
                info.type, info.linkname = tarfile.SYMTYPE, str(data)
                tar.addfile(info)
                continue
            info = _tar_info(name, size=len(data), mode=mode, mtime=epoch)
            tar.addfile(info, io.BytesIO(data))
    return archive


def completion_helper() -> str:
    """The kubectl completion helper, the same text `kubectl netpoltest completion kubectl`
    prints (read from the source file: this script runs without the package installed)."""
    source = (ROOT / "kubectl_netpoltest" / "cli" / "completion.py").read_text(encoding="utf-8")
    start = source.index('HELPER = """') + len('HELPER = """')
    return source[start : source.index('"""', start)]


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
    epoch = source_date_epoch()
    started = time.monotonic()
    if args.package_only:
        bundle = dist / NAME
    else:
        bundle = run_pyinstaller(target=target, dist=dist, work=work, epoch=epoch)
    seconds = time.monotonic() - started
    archive = package(
        bundle=bundle,
        license_file=ROOT / "LICENSE",
        archive=dist / target.archive_name(version=version),
        windows=target.os == "windows",
        helper=completion_helper(),
        epoch=epoch,
    )
    checksum = write_sha256(archive)
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    print(f"bundle   {bundle} ({size / 1e6:.1f} MB, built in {seconds:.0f} s)")
    print(f"archive  {archive} ({archive.stat().st_size / 1e6:.1f} MB)")
    print(f"sha256   {checksum.read_text(encoding='utf-8').split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
