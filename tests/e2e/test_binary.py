"""The frozen binary end to end: built once per session with PyInstaller (about 30-60 s).

Set NETPOLTEST_BINARY to test an already built binary instead (e.g. a release artifact); its
archive is then packaged here the way build/build.py does it. Runs in the default test run on
purpose: a PyInstaller regression (a missing hidden import, a hook change) only shows here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kubectl_netpoltest import __version__
from tests.unit.distribution.scripts import ROOT, load

pytestmark = pytest.mark.slow

build = load("build/build.py")
generate = load("krew/generate.py")
validate = load("krew/validate.py")

EXAMPLE = "examples/original-internet-access.yaml"


@dataclass(frozen=True)
class Built:
    binary: Path
    archives: Path
    source: Path | None = None
    """The frozen copy of the tree the binary was built from (None for NETPOLTEST_BINARY)."""
    epoch: int = 0


def _snapshot(into: Path) -> Path:
    """The files a build reads, copied once: the working tree keeps changing under a session
    (and under other people), and a second build must see exactly the same sources."""
    import shutil

    for name in ("kubectl_netpoltest", "build"):
        shutil.copytree(
            ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__", "work")
        )
    shutil.copy2(ROOT / "LICENSE", into / "LICENSE")
    return into


def _build(source: Path, out: Path, *, epoch: int) -> None:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, str(source / "build" / "build.py"),
         "--dist", str(out), "--work", str(out / "work")],
        check=True, cwd=source, env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
    )  # fmt: skip
    print(f"\nbuilt the bundle in {time.monotonic() - started:.0f} s", file=sys.stderr)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("binary")
    target = build.host_target()
    given = os.environ.get("NETPOLTEST_BINARY")
    source: Path | None = None
    epoch = build.source_date_epoch()
    if given:
        binary = Path(given).resolve()
    else:
        if importlib.util.find_spec("PyInstaller") is None:
            # what `make binary` does: the build extra is not part of the dev install
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "-e", f"{ROOT}[build]"], check=True
            )
        source = _snapshot(tmp_path_factory.mktemp("source"))
        _build(source, out, epoch=epoch)
        binary = out / target.binary_path
    archive = out / target.archive_name(version=__version__)
    if not archive.exists():
        build.package(
            bundle=binary.parent,
            license_file=ROOT / "LICENSE",
            archive=archive,
            windows=target.os == "windows",
            helper=build.completion_helper(),
            epoch=epoch,
        )
    return Built(binary=binary, archives=out, source=source, epoch=epoch)


def test_two_builds_of_the_same_sources_are_identical(built: Built, tmp_path: Path) -> None:
    """Reproducible: a second build of the same sources gives the same archive, byte for byte
    (the one test that pays for a second PyInstaller run)."""
    if built.source is None:
        pytest.skip("NETPOLTEST_BINARY is set: a given binary has no sources here to build twice")
    _build(built.source, tmp_path, epoch=built.epoch)
    name = build.host_target().archive_name(version=__version__)
    first = (built.archives / f"{name}.sha256").read_text()
    second = (tmp_path / f"{name}.sha256").read_text()
    assert first == second


def _run(built: Built, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(built.binary), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"HOME": str(built.archives), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        timeout=120,
        check=False,
    )


def test_help_says_kubectl_netpoltest(built: Built) -> None:
    result = _run(built, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: kubectl netpoltest" in result.stdout
    for command in ("validate", "plan", "prepare", "execute", "cleanup", "rbac"):
        assert command in result.stdout


def test_runs_through_a_symlink_as_krew_links_it(built: Built, tmp_path: Path) -> None:
    """krew links `bin` (inside the extracted bundle folder) from ~/.krew/bin."""
    link = tmp_path / "bin" / "kubectl-netpoltest"
    link.parent.mkdir()
    link.symlink_to(built.binary)
    result = subprocess.run([str(link), "--version"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, f"kubectl-netpoltest {__version__}")


def test_archive_ships_the_kubectl_completion_helper(built: Built, tmp_path: Path) -> None:
    import tarfile

    target = build.host_target()
    if target.os == "windows":
        pytest.fail("kubectl's plugin completion helper is a shell script: not on Windows")
    with tarfile.open(built.archives / target.archive_name(version=__version__)) as tar:
        tar.extractall(tmp_path / "store", filter="tar")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl-netpoltest").symlink_to(tmp_path / "store" / target.binary_path)
    result = subprocess.run(
        [str(tmp_path / "store" / "kubectl_complete-netpoltest"), "pla"],
        capture_output=True,
        text=True,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert result.stdout == "plan\tPrint the probes that execute would run\n:4\n", result.stderr


def test_version(built: Built) -> None:
    result = _run(built, "--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"kubectl-netpoltest {__version__}")


def test_validate(built: Built) -> None:
    result = _run(built, "validate", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{EXAMPLE}: valid: ")


def test_plan_json(built: Built) -> None:
    result = _run(built, "plan", "-o", "json", EXAMPLE)
    assert result.returncode == 0, result.stderr
    probes = json.loads(result.stdout)["probes"]
    assert len(probes) == 6
    assert {p["source"]["namespace"] for p in probes} == {"exposure"}


def test_invalid_spec_exits_3_without_traceback(built: Built, tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("pods: [{name: a}]\n")
    result = _run(built, "validate", str(spec))
    assert result.returncode == 3
    assert "Traceback" not in result.stderr


def test_rbac(built: Built) -> None:
    result = _run(built, "rbac", "-n", "shop", "--user", "alice")
    assert result.returncode == 0, result.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(result.stdout)]
    assert kinds == ["Role", "RoleBinding"]


def test_krew_manifest_from_the_real_archive(built: Built) -> None:
    """The archive really holds an executable bin and LICENSE, and the manifest validates."""
    manifest = generate.render(
        generate.TEMPLATE.read_text(encoding="utf-8"),
        inputs=generate.Inputs(
            version=__version__,
            repository=generate.DEFAULT_REPOSITORY,
            archives=built.archives,
            checksums={},
            allow_missing=True,
        ),
    )
    path = built.archives / "netpoltest.yaml"
    path.write_text(generate.to_yaml(manifest), encoding="utf-8")
    assert [str(p) for p in validate.validate_file(path, archives=built.archives)] == []
    [platform] = manifest["spec"]["platforms"]
    target = build.host_target()
    assert platform["selector"]["matchLabels"] == {"os": target.os, "arch": target.arch}


@pytest.mark.sandbox
def test_binary_runs_prepare_execute_cleanup_in_the_sandbox(built: Built, tmp_path: Path) -> None:
    """The README example, unchanged, through the frozen binary against the sandbox cluster."""
    from tests.sandbox.fixture import start_sandbox
    from tests.sandbox.gate import require_root_sandbox

    require_root_sandbox()
    with start_sandbox(ROOT / "examples" / "sandbox-scenario") as sb:
        env = {**sb.env(), "HOME": str(tmp_path)}

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(built.binary), *args],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
                timeout=180,
                check=False,
            )

        prepared = run("prepare", EXAMPLE)
        assert prepared.returncode == 0, prepared.stdout + prepared.stderr
        executed = run("execute", EXAMPLE, "-o", "json", "--junit", str(tmp_path / "j.xml"))
        assert executed.returncode == 0, executed.stdout + executed.stderr
        results = json.loads(executed.stdout)["results"]
        assert [
            (r["target"]["host"], r["port"], r["verdict"], r["observation"]) for r in results
        ] == [
            ("repo1.maven.org", 80, "PASS", "connected"),
            ("repo1.maven.org", 443, "PASS", "connected"),
            ("github.com", 80, "PASS", "timeout"),
            ("github.com", 443, "PASS", "timeout"),
            ("google.com", 80, "PASS", "timeout"),
            ("google.com", 443, "PASS", "timeout"),
        ]
        cleaned = run("cleanup", EXAMPLE)
        assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
        assert "1 deleted" in cleaned.stdout
        assert sb.pods("exposure", "netpoltest.io/instrumented=true") == []
