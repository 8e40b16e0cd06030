"""The generator fills the real template from archives and checksum files made in tmp."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from tests.unit.distribution.scripts import ROOT, load

generate = load("krew/generate.py")
validate = load("krew/validate.py")
build = load("build/build.py")

TEMPLATE = (ROOT / "krew" / "netpoltest.yaml.tmpl").read_text(encoding="utf-8")
PLATFORMS = [("linux", "amd64"), ("linux", "arm64"), ("darwin", "amd64"), ("darwin", "arm64"),
             ("windows", "amd64")]  # fmt: skip


def _fake_archive(tmp_path: Path, *, version: str = "1.2.3") -> Path:
    """A linux/amd64 archive as build.py packages it, around a fake one-folder bundle."""
    bundle = tmp_path / "kubectl-netpoltest"
    bundle.mkdir()
    (bundle / "kubectl-netpoltest").write_bytes(b"fake binary")
    (bundle / "kubectl-netpoltest").chmod(0o755)
    (tmp_path / "LICENSE").write_text("Apache License\n")
    target = build.Target(os="linux", arch="amd64")
    archive: Path = build.package(
        bundle=bundle,
        license_file=tmp_path / "LICENSE",
        archive=tmp_path / "dist" / target.archive_name(version=version),
        windows=False,
    )
    build.write_sha256(archive)
    return archive


def _inputs(**overrides: object) -> object:
    values: dict[str, object] = {
        "version": "1.2.3",
        "repository": "acme/kubectl-netpoltest",
        "archives": None,
        "checksums": {},
        "allow_missing": False,
    }
    values.update(overrides)
    return generate.Inputs(**values)


def test_fills_version_uri_and_sha256_from_an_archive(tmp_path: Path) -> None:
    archive = _fake_archive(tmp_path)
    manifest = generate.render(
        TEMPLATE, inputs=_inputs(archives=archive.parent, allow_missing=True)
    )
    assert manifest["spec"]["version"] == "v1.2.3"
    assert manifest["spec"]["homepage"] == "https://github.com/acme/kubectl-netpoltest"
    [platform] = manifest["spec"]["platforms"]
    assert platform["selector"] == {"matchLabels": {"os": "linux", "arch": "amd64"}}
    assert platform["uri"] == (
        "https://github.com/acme/kubectl-netpoltest/releases/download/v1.2.3/"
        "kubectl-netpoltest_1.2.3_linux_amd64.tar.gz"
    )
    assert platform["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert platform["bin"] == "kubectl-netpoltest/kubectl-netpoltest"  # inside the bundle
    out = tmp_path / "netpoltest.yaml"
    out.write_text(generate.to_yaml(manifest))
    assert validate.validate_file(out, archives=archive.parent) == []


def test_a_platform_without_archive_or_checksum_is_an_error(tmp_path: Path) -> None:
    archive = _fake_archive(tmp_path)
    with pytest.raises(generate.GenerateError) as error:
        generate.render(TEMPLATE, inputs=_inputs(archives=archive.parent))
    message = str(error.value)
    assert message.startswith("no archive and no checksum for spec.platforms[1] "
                              "(kubectl-netpoltest_1.2.3_linux_arm64.tar.gz)")  # fmt: skip
    assert "windows_amd64.zip" in message
    assert "linux_amd64" not in message


def test_checksums_files_fill_the_other_platforms(tmp_path: Path) -> None:
    archive = _fake_archive(tmp_path)
    lines = [archive.with_name(archive.name + ".sha256").read_text()]
    expected = {"linux/amd64": hashlib.sha256(archive.read_bytes()).hexdigest()}
    for index, (os_name, arch) in enumerate(PLATFORMS[1:]):
        digest = f"{index:x}" * 64
        name = build.Target(os=os_name, arch=arch).archive_name(version="1.2.3")
        lines.append(f"{digest} *{name}\n")
        expected[f"{os_name}/{arch}"] = digest
    sums = tmp_path / "SHA256SUMS"
    sums.write_text("".join(lines))
    checksums = generate.read_checksums([sums])
    manifest = generate.render(TEMPLATE, inputs=_inputs(checksums=checksums))
    found = {
        f"{p['selector']['matchLabels']['os']}/{p['selector']['matchLabels']['arch']}": p["sha256"]
        for p in manifest["spec"]["platforms"]
    }
    assert found == expected
    assert manifest["spec"]["platforms"][4]["bin"] == "kubectl-netpoltest/kubectl-netpoltest.exe"
    assert validate.validate_plugin(name="netpoltest", manifest=manifest) == []


def test_bad_checksum_line_is_an_error(tmp_path: Path) -> None:
    sums = tmp_path / "bad.sha256"
    sums.write_text("not-a-digest  file.tar.gz\n")
    with pytest.raises(generate.GenerateError, match=r"bad.sha256:1: not a sha256sum line"):
        generate.read_checksums([sums])


def test_unknown_placeholder_is_an_error() -> None:
    template = TEMPLATE.replace("homepage: https://github.com/{{repository}}",
                                "homepage: '{{homepage}}'")  # fmt: skip
    checksums = {
        build.Target(os=o, arch=a).archive_name(version="1.2.3"): "0" * 64 for o, a in PLATFORMS
    }
    with pytest.raises(generate.GenerateError, match=r"unknown placeholder \{\{homepage\}\}"):
        generate.render(template, inputs=_inputs(checksums=checksums))


def test_written_manifest_keeps_description_as_a_block(tmp_path: Path) -> None:
    archive = _fake_archive(tmp_path)
    out = tmp_path / "netpoltest.yaml"
    code = generate.main(
        ["--archives", str(archive.parent), "--allow-missing", "--version", "1.2.3",
         "--repository", "acme/x", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    text = out.read_text()
    assert text.startswith("# Generated by krew/generate.py")
    assert "  description: |\n" in text and "  caveats: |\n" in text
    assert yaml.safe_load(text)["spec"]["version"] == "v1.2.3"


def test_caveats_name_the_rbac_and_minimum_kubernetes() -> None:
    caveats = yaml.safe_load(TEMPLATE)["spec"]["caveats"]
    assert "Kubernetes >= 1.25" in caveats
    for needle in ("pods: get, list, watch, patch, delete", "pods/ephemeralcontainers: patch",
                   "pods/exec: create, get", "replicasets, deployments, statefulsets"):  # fmt: skip
        assert needle in caveats
