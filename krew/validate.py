"""Check a krew plugin manifest the way krew and krew-index do, and optionally its archives.

    .venv/bin/python krew/validate.py krew/netpoltest.yaml
    .venv/bin/python krew/validate.py dist/netpoltest.yaml --archives dist

The structural rules and their messages follow krew's internal/index/validation/validate.go
(name, apiVersion, kind, short description, platforms, version, uri, sha256, bin, files,
selectors) and cmd/validate-krew-manifest (every selector matches a known os/arch pair, no
pair is matched twice). Added: `description` is required (krew's docs, not its code), `bin`
ends in .exe on Windows, `uri` names a .tar.gz/.zip, and with `--archives` the checks that
validate-krew-manifest gets by installing each platform: the sha256 matches, `bin` is in the
archive and executable, and LICENSE is in it. Unlike krew, every problem is reported, not
only the first. Only PyYAML and the standard library.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

import yaml

API_VERSION = "krew.googlecontainertools.github.com/v1alpha2"
KIND = "Plugin"
SAFE_NAME = re.compile(r"^[\w-]+$")
MAX_SHORT_DESCRIPTION = 50
SHA256 = re.compile(r"^[a-f0-9]{64}$")
# semver 2.0.0 with krew's mandatory leading "v"
SEMVER = re.compile(
    r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)]
)
# The os/arch pairs a selector is evaluated against (krew's supported platforms).
KNOWN_PLATFORMS: tuple[tuple[str, str], ...] = (
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("linux", "s390x"),
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
)
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip")


@dataclass(frozen=True)
class Problem:
    """One violated rule; `where` is empty for manifest-level rules."""

    message: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


# --- selectors ---------------------------------------------------------------------------


def selector_matches(selector: Mapping[str, Any], *, os_name: str, arch: str) -> bool:
    """Kubernetes LabelSelector semantics over the labels {os, arch}, as krew evaluates it."""
    labels = {"os": os_name, "arch": arch}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        present = key in labels
        if operator == "In":
            ok = present and labels[key] in values
        elif operator == "NotIn":
            ok = not present or labels[key] not in values
        elif operator == "Exists":
            ok = present
        elif operator == "DoesNotExist":
            ok = not present
        else:
            return False
        if not ok:
            return False
    return True


def _selector_problems(selector: Any) -> Iterator[str]:
    if selector is None:
        yield "invalid platform selector: nil selector is not supported"
        return
    if not isinstance(selector, Mapping):
        yield "invalid platform selector: not a mapping"
        return
    labels, expressions = selector.get("matchLabels"), selector.get("matchExpressions")
    if labels is None and not expressions:
        yield "invalid platform selector: empty selector is not supported"
        return
    keys = list(labels or {}) + [e.get("key") for e in expressions or [] if isinstance(e, dict)]
    for key in keys:
        if key not in ("os", "arch"):
            yield f'invalid platform selector: key "{key}" not supported'
    if labels is not None and len(labels) == 0:
        yield "invalid platform selector: `matchLabels` specified but empty"
    if expressions is not None and len(expressions) == 0:
        yield "invalid platform selector: `matchExpressions` specified but empty"


# --- platforms ---------------------------------------------------------------------------


def _is_windows(selector: Any) -> bool:
    if not isinstance(selector, Mapping) or any(_selector_problems(selector)):
        return False
    return any(
        selector_matches(selector, os_name=os_name, arch=arch)
        for os_name, arch in KNOWN_PLATFORMS
        if os_name == "windows"
    )


def _platform_problems(platform: Mapping[str, Any]) -> Iterator[str]:
    uri, sha, binary = platform.get("uri"), platform.get("sha256"), platform.get("bin")
    if not uri:
        yield "`uri` has to be set"
    elif not urlparse(str(uri)).path.endswith(ARCHIVE_SUFFIXES):
        yield f"`uri` {uri} is not a .tar.gz or .zip archive"
    if not sha:
        yield "`sha256` sum has to be set"
    elif not SHA256.match(str(sha)):
        yield f"`sha256` value {sha} is not valid, must match pattern {SHA256.pattern}"
    if not binary:
        yield "`bin` has to be set"
    elif _is_windows(platform.get("selector")) and not str(binary).endswith(".exe"):
        yield f"`bin` {binary} must end in .exe on windows"
    files = platform.get("files")
    if files is not None:
        if len(files) == 0:
            yield "`files` is invalid: `files` has to be unspecified or non-empty"
        for operation in files:
            if not operation.get("from"):
                yield "`files` is invalid: `from` field has to be set"
            elif not operation.get("to"):
                yield "`files` is invalid: `to` field has to be set"
    yield from _selector_problems(platform.get("selector"))


def _coverage_problems(platforms: Sequence[Mapping[str, Any]]) -> Iterator[Problem]:
    """cmd/validate-krew-manifest: each selector matches a known pair, and no pair twice.

    Selectors that already failed a structural rule are left out: an empty one would match
    every pair and bury the real problem under overlap reports.
    """
    selectors = {
        index: platform["selector"]
        for index, platform in enumerate(platforms)
        if isinstance(platform.get("selector"), Mapping)
        and not any(_selector_problems(platform["selector"]))
    }
    for index, selector in selectors.items():
        if not any(selector_matches(selector, os_name=o, arch=a) for o, a in KNOWN_PLATFORMS):
            yield Problem(
                "selector doesn't match any supported platform", f"spec.platforms[{index}]"
            )
    for os_name, arch in KNOWN_PLATFORMS:
        matching = [
            index
            for index, selector in selectors.items()
            if selector_matches(selector, os_name=os_name, arch=arch)
        ]
        if len(matching) > 1:
            yield Problem(
                f"multiple spec.platforms (at indexes {matching}) have overlapping selectors "
                f"that select os={os_name}/arch={arch}"
            )


# --- the manifest ------------------------------------------------------------------------


def validate_plugin(*, name: str, manifest: Any) -> list[Problem]:
    """Structural rules for a manifest that should be called `name` (its file name)."""
    if not isinstance(manifest, Mapping):
        return [Problem("the manifest is not a YAML mapping")]
    found: list[Problem] = []
    if manifest.get("apiVersion") != API_VERSION:
        found.append(
            Problem(
                f'plugin manifest has apiVersion="{manifest.get("apiVersion")}", '
                f'only "{API_VERSION}" is supported'
            )
        )
    if manifest.get("kind") != KIND:
        found.append(
            Problem(
                f'plugin manifest has kind="{manifest.get("kind")}", but only "Plugin" is supported'
            )
        )
    if not SAFE_NAME.match(name):
        found.append(
            Problem(f'the plugin name "{name}" is not allowed, must match "{SAFE_NAME.pattern}"')
        )
    elif name.upper() in WINDOWS_RESERVED:
        found.append(Problem(f'the plugin name "{name}" is a reserved file name on Windows'))
    metadata = manifest.get("metadata") or {}
    if metadata.get("name") != name:
        found.append(Problem(f'plugin should be named "{name}", not "{metadata.get("name")}"'))
    spec = manifest.get("spec") or {}
    short = spec.get("shortDescription")
    if not short:
        found.append(Problem("should have a short description"))
    elif "\n" in short or "\r" in short:
        found.append(Problem("should not have line breaks in short description"))
    elif len(short) > MAX_SHORT_DESCRIPTION:
        # krew-index's review guidelines (not krew's code): "shortDescription ... should be
        # under 50 characters"; reviewers ask for it to be cut.
        found.append(
            Problem(
                f"short description is {len(short)} characters; krew-index asks for at most "
                f"{MAX_SHORT_DESCRIPTION}"
            )
        )
    if not spec.get("description"):
        found.append(Problem("should have a description"))
    version = spec.get("version")
    if not version:
        found.append(Problem("should have a version specified"))
    elif not SEMVER.match(str(version)):
        found.append(Problem(f'version "{version}" is not semver with a leading "v" (e.g. v1.2.3)'))
    platforms = spec.get("platforms") or []
    if not platforms:
        found.append(Problem("should have a platform specified"))
    for index, platform in enumerate(platforms):
        found += [Problem(m, f"spec.platforms[{index}]") for m in _platform_problems(platform)]
    found += _coverage_problems(platforms)
    return found


# --- archives ----------------------------------------------------------------------------


def _members(archive: Path) -> dict[str, bool]:
    """Regular files in the archive → executable? (zip: always True, Windows has no x bit)."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            return {
                str(PurePosixPath(i.filename)): True for i in zipped.infolist() if not i.is_dir()
            }
    with tarfile.open(archive) as tar:
        return {
            str(PurePosixPath(m.name)): bool(m.mode & 0o111) for m in tar.getmembers() if m.isfile()
        }


def validate_archives(*, manifest: Mapping[str, Any], archives: Path) -> list[Problem]:
    """Per platform: its archive is in `archives`, hashes to `sha256`, holds `bin` and LICENSE."""
    found: list[Problem] = []
    for index, platform in enumerate((manifest.get("spec") or {}).get("platforms") or []):
        where = f"spec.platforms[{index}]"
        file_name = Path(urlparse(str(platform.get("uri", ""))).path).name
        archive = archives / file_name
        if not archive.is_file():
            found.append(Problem(f"archive {file_name} not found in {archives}", where))
            continue
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        if digest != platform.get("sha256"):
            found.append(
                Problem(f"sha256 of {file_name} is {digest}, not {platform.get('sha256')}", where)
            )
        members = _members(archive)
        binary = str(PurePosixPath(str(platform.get("bin", ""))))
        if binary not in members:
            found.append(Problem(f"`bin` {binary} is not in {file_name}", where))
        elif not members[binary]:
            found.append(Problem(f"`bin` {binary} is not executable in {file_name}", where))
        if "LICENSE" not in members:
            found.append(Problem(f"{file_name} has no LICENSE at its root", where))
    return found


def validate_file(path: Path, *, archives: Path | None = None) -> list[Problem]:
    """All problems of the manifest at `path`; its name is the file name without `.yaml`."""
    if path.suffix != ".yaml":
        return [Problem(f'expected manifest extension ".yaml" but found "{path.suffix}"')]
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return [Problem(f"not valid YAML: {exc}")]
    found = validate_plugin(name=path.stem, manifest=manifest)
    if archives is not None and isinstance(manifest, Mapping):
        found += validate_archives(manifest=manifest, archives=archives)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--archives", type=Path, help="directory with every platform's archive")
    args = parser.parse_args(argv)
    problems = validate_file(args.manifest, archives=args.archives)
    for problem in problems:
        print(f"{args.manifest}: {problem}", file=sys.stderr)
    if problems:
        return 1
    checked = " (archives checked)" if args.archives else ""
    print(f"{args.manifest}: valid krew manifest{checked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
