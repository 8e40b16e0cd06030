"""krew manifest rules: each one violated once, with the exact message the validator prints."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.distribution.scripts import load

validate = load("krew/validate.py")
build = load("build/build.py")

SHA = "a" * 64


def _platform(os_name: str, arch: str) -> dict[str, Any]:
    windows = os_name == "windows"
    ext = ".zip" if windows else ".tar.gz"
    return {
        "selector": {"matchLabels": {"os": os_name, "arch": arch}},
        "uri": f"https://example.test/kubectl-netpoltest_1.0.0_{os_name}_{arch}{ext}",
        "sha256": SHA,
        "bin": "kubectl-netpoltest/kubectl-netpoltest" + (".exe" if windows else ""),
    }


VALID: dict[str, Any] = {
    "apiVersion": "krew.googlecontainertools.github.com/v1alpha2",
    "kind": "Plugin",
    "metadata": {"name": "netpoltest"},
    "spec": {
        "version": "v1.0.0",
        "shortDescription": "Test NetworkPolicies",
        "description": "Proves that NetworkPolicies do what their authors think.\n",
        "platforms": [
            _platform("linux", "amd64"),
            _platform("linux", "arm64"),
            _platform("darwin", "amd64"),
            _platform("darwin", "arm64"),
            _platform("windows", "amd64"),
        ],
    },
}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets (or, with value DELETE, removes) one dotted path, e.g. spec.x."""

    def mutate(manifest: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = manifest
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return mutate


DELETE = object()
P0 = "spec.platforms.0"

RULES: list[tuple[str, str, Callable[[dict[str, Any]], None], str]] = [
    # (case id, plugin name from the file name, mutation, the one expected message)
    (
        "apiVersion",
        "netpoltest",
        _set("apiVersion", "v1"),
        'plugin manifest has apiVersion="v1", only '
        '"krew.googlecontainertools.github.com/v1alpha2" is supported',
    ),
    (
        "kind",
        "netpoltest",
        _set("kind", "Deployment"),
        'plugin manifest has kind="Deployment", but only "Plugin" is supported',
    ),
    (
        "unsafe name",
        "net.pol",
        _set("metadata.name", "net.pol"),
        'the plugin name "net.pol" is not allowed, must match "^[\\w-]+$"',
    ),
    (
        "windows reserved name",
        "con",
        _set("metadata.name", "con"),
        'the plugin name "con" is a reserved file name on Windows',
    ),
    (
        "name matches file",
        "netpoltest",
        _set("metadata.name", "other"),
        'plugin should be named "netpoltest", not "other"',
    ),
    (
        "shortDescription",
        "netpoltest",
        _set("spec.shortDescription", DELETE),
        "should have a short description",
    ),
    (
        "shortDescription one line",
        "netpoltest",
        _set("spec.shortDescription", "two\nlines"),
        "should not have line breaks in short description",
    ),
    (
        "shortDescription at most 50 characters (krew-index review)",
        "netpoltest",
        _set("spec.shortDescription", "Test that NetworkPolicies allow and deny what you expect"),
        "short description is 56 characters; krew-index asks for at most 50",
    ),
    ("description", "netpoltest", _set("spec.description", ""), "should have a description"),
    ("version", "netpoltest", _set("spec.version", DELETE), "should have a version specified"),
    (
        "version leading v",
        "netpoltest",
        _set("spec.version", "1.0.0"),
        'version "1.0.0" is not semver with a leading "v" (e.g. v1.2.3)',
    ),
    (
        "version semver",
        "netpoltest",
        _set("spec.version", "v1.0"),
        'version "v1.0" is not semver with a leading "v" (e.g. v1.2.3)',
    ),
    ("platforms", "netpoltest", _set("spec.platforms", []), "should have a platform specified"),
    ("uri", "netpoltest", _set(f"{P0}.uri", DELETE), "spec.platforms[0]: `uri` has to be set"),
    (
        "uri archive",
        "netpoltest",
        _set(f"{P0}.uri", "https://example.test/kubectl-netpoltest"),
        "spec.platforms[0]: `uri` https://example.test/kubectl-netpoltest is not a .tar.gz or "
        ".zip archive",
    ),
    (
        "sha256",
        "netpoltest",
        _set(f"{P0}.sha256", DELETE),
        "spec.platforms[0]: `sha256` sum has to be set",
    ),
    (
        "sha256 lowercase hex",
        "netpoltest",
        _set(f"{P0}.sha256", "A" * 64),
        f"spec.platforms[0]: `sha256` value {'A' * 64} is not valid, must match pattern "
        "^[a-f0-9]{64}$",
    ),
    ("bin", "netpoltest", _set(f"{P0}.bin", DELETE), "spec.platforms[0]: `bin` has to be set"),
    (
        "bin .exe on windows",
        "netpoltest",
        _set("spec.platforms.4.bin", "kubectl-netpoltest"),
        "spec.platforms[4]: `bin` kubectl-netpoltest must end in .exe on windows",
    ),
    (
        "files non-empty",
        "netpoltest",
        _set(f"{P0}.files", []),
        "spec.platforms[0]: `files` is invalid: `files` has to be unspecified or non-empty",
    ),
    (
        "files from",
        "netpoltest",
        _set(f"{P0}.files", [{"to": "."}]),
        "spec.platforms[0]: `files` is invalid: `from` field has to be set",
    ),
    (
        "selector present",
        "netpoltest",
        _set(f"{P0}.selector", DELETE),
        "spec.platforms[0]: invalid platform selector: nil selector is not supported",
    ),
    (
        "selector not empty",
        "netpoltest",
        _set(f"{P0}.selector", {}),
        "spec.platforms[0]: invalid platform selector: empty selector is not supported",
    ),
    (
        "selector keys",
        "netpoltest",
        _set(f"{P0}.selector.matchLabels.distro", "debian"),
        'spec.platforms[0]: invalid platform selector: key "distro" not supported',
    ),
    (
        "matchLabels not empty",
        "netpoltest",
        _set(
            f"{P0}.selector",
            {
                "matchLabels": {},
                "matchExpressions": [{"key": "os", "operator": "In", "values": ["linux"]}],
            },
        ),
        "spec.platforms[0]: invalid platform selector: `matchLabels` specified but empty",
    ),
    (
        "selector matches a platform",
        "netpoltest",
        _set(f"{P0}.selector.matchLabels.os", "plan9"),
        "spec.platforms[0]: selector doesn't match any supported platform",
    ),
    (
        "selectors do not overlap",
        "netpoltest",
        _set(
            f"{P0}.selector",
            {
                "matchLabels": {"os": "linux"},
                "matchExpressions": [{"key": "arch", "operator": "NotIn", "values": ["arm"]}],
            },
        ),
        "multiple spec.platforms (at indexes [0, 1]) have overlapping selectors that select "
        "os=linux/arch=arm64",
    ),
]


def test_the_valid_manifest_is_valid() -> None:
    assert validate.validate_plugin(name="netpoltest", manifest=VALID) == []


@pytest.mark.parametrize(
    ("name", "mutate", "message"),
    [pytest.param(name, mutate, message, id=case) for case, name, mutate, message in RULES],
)
def test_each_rule(name: str, mutate: Callable[[dict[str, Any]], None], message: str) -> None:
    manifest = copy.deepcopy(VALID)
    mutate(manifest)
    problems = [str(p) for p in validate.validate_plugin(name=name, manifest=manifest)]
    assert problems == [message]


def test_every_problem_is_reported_not_only_the_first() -> None:
    manifest = copy.deepcopy(VALID)
    manifest["kind"] = "X"
    manifest["spec"]["version"] = "1"
    assert len(validate.validate_plugin(name="netpoltest", manifest=manifest)) == 2


@pytest.mark.parametrize(
    ("expression", "matches"),
    [
        ({"key": "os", "operator": "In", "values": ["linux", "darwin"]}, True),
        ({"key": "os", "operator": "NotIn", "values": ["linux"]}, False),
        ({"key": "os", "operator": "Exists"}, True),
        ({"key": "os", "operator": "DoesNotExist"}, False),
        ({"key": "os", "operator": "Bogus"}, False),
    ],
)
def test_match_expressions(expression: dict[str, Any], matches: bool) -> None:
    selector = {"matchExpressions": [expression]}
    assert validate.selector_matches(selector, os_name="linux", arch="amd64") is matches


def test_file_extension_and_file_name(tmp_path: Path) -> None:
    wrong = tmp_path / "netpoltest.yml"
    wrong.write_text(yaml.safe_dump(VALID))
    assert [str(p) for p in validate.validate_file(wrong)] == [
        'expected manifest extension ".yaml" but found ".yml"'
    ]
    renamed = tmp_path / "other.yaml"
    renamed.write_text(yaml.safe_dump(VALID))
    assert [str(p) for p in validate.validate_file(renamed)] == [
        'plugin should be named "other", not "netpoltest"'
    ]


# --- archives ------------------------------------------------------------------------------


def _archive(
    tmp_path: Path, *, license_file: bool = True, mode: int = 0o755, windows: bool = False
) -> tuple[dict[str, Any], Path]:
    """A one-platform manifest and the archive its uri names, built by build.py's packager."""
    bundle = tmp_path / "kubectl-netpoltest"
    bundle.mkdir()
    binary = bundle / ("kubectl-netpoltest.exe" if windows else "kubectl-netpoltest")
    binary.write_bytes(b"#!/bin/sh\necho fake\n")
    binary.chmod(0o755)
    licence = tmp_path / "LICENSE"
    licence.write_text("Apache License\n")
    target = build.Target(os="windows" if windows else "linux", arch="amd64")
    archives = tmp_path / "dist"
    archive = build.package(
        bundle=bundle,
        license_file=licence,
        archive=archives / target.archive_name(version="1.0.0"),
        windows=windows,
    )
    if not license_file or mode != 0o755:
        _rewrite_tar(archive, license_file=license_file, mode=mode)
    platform = _platform(target.os, target.arch)
    platform["sha256"] = build.hashlib.sha256(archive.read_bytes()).hexdigest()
    manifest = copy.deepcopy(VALID)
    manifest["spec"]["platforms"] = [platform]
    return manifest, archives


def _rewrite_tar(archive: Path, *, license_file: bool, mode: int) -> None:
    import io
    import tarfile

    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            if member.name == "LICENSE" and not license_file:
                continue
            if member.name != "LICENSE":
                member.mode = mode
            tar.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize("windows", [False, True], ids=["tar.gz", "zip"])
def test_archives_good(tmp_path: Path, windows: bool) -> None:
    manifest, archives = _archive(tmp_path, windows=windows)
    assert validate.validate_archives(manifest=manifest, archives=archives) == []


def test_archive_sha256_mismatch(tmp_path: Path) -> None:
    manifest, archives = _archive(tmp_path)
    actual = manifest["spec"]["platforms"][0]["sha256"]
    manifest["spec"]["platforms"][0]["sha256"] = SHA
    assert [str(p) for p in validate.validate_archives(manifest=manifest, archives=archives)] == [
        f"spec.platforms[0]: sha256 of kubectl-netpoltest_1.0.0_linux_amd64.tar.gz is {actual}, "
        f"not {SHA}"
    ]


def test_archive_without_license(tmp_path: Path) -> None:
    manifest, archives = _archive(tmp_path, license_file=False)
    assert [str(p) for p in validate.validate_archives(manifest=manifest, archives=archives)] == [
        "spec.platforms[0]: kubectl-netpoltest_1.0.0_linux_amd64.tar.gz has no LICENSE at its root"
    ]


def test_archive_bin_not_executable(tmp_path: Path) -> None:
    manifest, archives = _archive(tmp_path, mode=0o644)
    assert [str(p) for p in validate.validate_archives(manifest=manifest, archives=archives)] == [
        "spec.platforms[0]: `bin` kubectl-netpoltest/kubectl-netpoltest is not executable in "
        "kubectl-netpoltest_1.0.0_linux_amd64.tar.gz"
    ]


def test_archive_bin_missing(tmp_path: Path) -> None:
    manifest, archives = _archive(tmp_path)
    manifest["spec"]["platforms"][0]["bin"] = "bin/kubectl-netpoltest"
    assert [str(p) for p in validate.validate_archives(manifest=manifest, archives=archives)] == [
        "spec.platforms[0]: `bin` bin/kubectl-netpoltest is not in "
        "kubectl-netpoltest_1.0.0_linux_amd64.tar.gz"
    ]


def test_archive_missing(tmp_path: Path) -> None:
    manifest, _ = _archive(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert [str(p) for p in validate.validate_archives(manifest=manifest, archives=empty)] == [
        f"spec.platforms[0]: archive kubectl-netpoltest_1.0.0_linux_amd64.tar.gz not found in "
        f"{empty}"
    ]
