"""build/build.py's pure parts: krew platform names, archive layout and checksum format."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.unit.distribution.scripts import ROOT, load

build = load("build/build.py")


@pytest.mark.parametrize(
    ("system", "machine", "expected"),
    [
        ("linux", "x86_64", ("linux", "amd64")),
        ("linux", "aarch64", ("linux", "arm64")),
        ("darwin", "x86_64", ("darwin", "amd64")),
        ("darwin", "arm64", ("darwin", "arm64")),
        ("win32", "AMD64", ("windows", "amd64")),
    ],
)
def test_host_names_map_to_krew_names(system: str, machine: str, expected: tuple[str, str]) -> None:
    target = build.host_target(system=system, machine=machine)
    assert (target.os, target.arch) == expected


def test_unsupported_host_is_an_error() -> None:
    with pytest.raises(SystemExit, match="unsupported build host: linux/riscv64"):
        build.host_target(system="linux", machine="riscv64")


def test_names() -> None:
    linux = build.Target(os="linux", arch="arm64")
    windows = build.Target(os="windows", arch="amd64")
    assert linux.binary_name == "kubectl-netpoltest"
    assert linux.archive_name(version="0.1.0") == "kubectl-netpoltest_0.1.0_linux_arm64.tar.gz"
    assert windows.binary_name == "kubectl-netpoltest.exe"
    assert windows.archive_name(version="0.1.0") == "kubectl-netpoltest_0.1.0_windows_amd64.zip"


def test_version_comes_from_the_package() -> None:
    from kubectl_netpoltest import __version__

    assert build.read_version() == __version__


def _bundle(tmp_path: Path, name: str) -> Path:
    """A fake one-folder bundle: the executable, a library and a symlink, as PyInstaller makes."""
    bundle = tmp_path / "kubectl-netpoltest"
    (bundle / "_internal").mkdir(parents=True)
    binary = bundle / name
    binary.write_bytes(b"\x7fELF fake")
    binary.chmod(0o755)
    (bundle / "_internal" / "libpython3.11.so.1.0").write_bytes(b"lib")
    (bundle / "_internal" / "libpython3.11.so").symlink_to("libpython3.11.so.1.0")
    return bundle


def test_names_inside_the_bundle() -> None:
    assert build.Target(os="linux", arch="amd64").binary_path == (
        "kubectl-netpoltest/kubectl-netpoltest"
    )
    assert build.Target(os="windows", arch="amd64").binary_path == (
        "kubectl-netpoltest/kubectl-netpoltest.exe"
    )


def test_tar_archive_has_the_bundle_license_and_completion_helper(tmp_path: Path) -> None:
    archive = build.package(
        bundle=_bundle(tmp_path, "kubectl-netpoltest"),
        license_file=ROOT / "LICENSE",
        archive=tmp_path / "out" / "a.tar.gz",
        windows=False,
        helper=build.completion_helper(),
        epoch=1_700_000_000,
    )
    with tarfile.open(archive) as tar:
        members = {m.name: (m.mode, m.mtime, m.issym()) for m in tar.getmembers()}
        helper = tar.extractfile("kubectl_complete-netpoltest")
        assert helper is not None
        assert b"exec kubectl-netpoltest __complete" in helper.read()
    assert members == {
        "LICENSE": (0o644, 1_700_000_000, False),
        "kubectl_complete-netpoltest": (0o755, 1_700_000_000, False),
        "kubectl-netpoltest/kubectl-netpoltest": (0o755, 1_700_000_000, False),
        "kubectl-netpoltest/_internal/libpython3.11.so": (0o777, 1_700_000_000, True),
        "kubectl-netpoltest/_internal/libpython3.11.so.1.0": (0o644, 1_700_000_000, False),
    }
    from kubectl_netpoltest.cli.completion import HELPER

    assert build.completion_helper() == HELPER


def test_tar_archive_is_reproducible(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, "kubectl-netpoltest")
    first = build.package(bundle=bundle, license_file=ROOT / "LICENSE",
                          archive=tmp_path / "1.tar.gz", windows=False, epoch=7)  # fmt: skip
    (bundle / "kubectl-netpoltest").touch()  # a new mtime on disk changes nothing
    second = build.package(bundle=bundle, license_file=ROOT / "LICENSE",
                           archive=tmp_path / "2.tar.gz", windows=False, epoch=7)  # fmt: skip
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        names = tar.getnames()
    assert names == sorted(names)


def test_zip_archive_for_windows(tmp_path: Path) -> None:
    archive = build.package(
        bundle=_bundle(tmp_path, "kubectl-netpoltest.exe"),
        license_file=ROOT / "LICENSE",
        archive=tmp_path / "a.zip",
        windows=True,
        helper="#!/bin/sh\n",
    )
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == [
            "LICENSE",
            "kubectl-netpoltest/_internal/libpython3.11.so.1.0",
            "kubectl-netpoltest/kubectl-netpoltest.exe",
        ]


def test_sha256_file_is_sha256sum_format(tmp_path: Path) -> None:
    archive = tmp_path / "kubectl-netpoltest_0.1.0_linux_amd64.tar.gz"
    archive.write_bytes(b"archive")
    checksum = build.write_sha256(archive)
    digest, name = checksum.read_text().split()
    assert name == archive.name and len(digest) == 64 and digest == digest.lower()
    if shutil.which("sha256sum"):
        subprocess.run(
            ["sha256sum", "--check", "--status", checksum.name], cwd=tmp_path, check=True
        )


def test_license_is_apache_2_with_the_authors() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "The kubectl-netpoltest authors" in text


def test_entry_point_is_outside_the_package_and_calls_main() -> None:
    text = (ROOT / "build" / "entry.py").read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines == ["from kubectl_netpoltest.__main__ import main", "main()"]
