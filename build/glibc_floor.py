"""Print the oldest glibc a built Linux binary can run on: the highest GLIBC_x.y it requires.

    .venv/bin/python build/glibc_floor.py dist/kubectl-netpoltest

`objdump -T` on the one-file binary alone is misleading: it shows only the bootloader's needs
(GLIBC_2.14 or so). The real floor comes from the shared libraries it unpacks at start-up
(libpython, libcrypto, _ssl, ...), so this extracts every embedded ELF file with PyInstaller's
own archive reader and runs `objdump -T` on each. Needs binutils and the `build` extra.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

GLIBC = re.compile(r"\bGLIBC_(\d+(?:\.\d+)+)\b")


@dataclass(frozen=True)
class Requirement:
    """The newest glibc symbol version one ELF file imports."""

    file: str
    version: tuple[int, ...]

    @property
    def text(self) -> str:
        return ".".join(map(str, self.version))


def required_versions(objdump_output: str) -> set[tuple[int, ...]]:
    """GLIBC_x.y versions of *undefined* dynamic symbols, i.e. what the file needs at run time."""
    found: set[tuple[int, ...]] = set()
    for line in objdump_output.splitlines():
        if "*UND*" in line:
            found.update(tuple(map(int, m.split("."))) for m in GLIBC.findall(line))
    return found


def _objdump(path: Path) -> str:
    result = subprocess.run(
        ["objdump", "-T", str(path)], capture_output=True, text=True, check=False
    )
    return result.stdout if result.returncode == 0 else ""


def _is_elf(data: bytes) -> bool:
    return data[:4] == b"\x7fELF"


def embedded_elf_files(binary: Path, into: Path) -> Iterable[tuple[str, Path]]:
    """Write each ELF member of a PyInstaller one-file binary under `into`."""
    from PyInstaller.archive.readers import CArchiveReader

    reader = CArchiveReader(str(binary))
    for index, name in enumerate(reader.toc):
        data = reader.extract(name)
        if isinstance(data, bytes) and _is_elf(data):
            path = into / f"{index:04d}-{Path(name).name}"
            path.write_bytes(data)
            yield name, path


def bundled_elf_files(bundle: Path) -> Iterable[tuple[str, Path]]:
    """Each ELF file of a PyInstaller one-folder bundle (the executable and `_internal/`)."""
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if _is_elf(handle.read(4)):
                    yield str(path.relative_to(bundle)), path


def requirements(binary: Path) -> list[Requirement]:
    """The newest glibc need of the bootloader and of every library, newest first.

    `binary` is a one-folder bundle (what build.py makes), or a one-file binary.
    """
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        if binary.is_dir():
            members = list(bundled_elf_files(binary))
        else:
            members = [("(bootloader)", binary), *embedded_elf_files(binary, Path(tmp))]
        for name, path in members:
            versions = required_versions(_objdump(path))
            if versions:
                found.append(Requirement(file=name, version=max(versions)))
    return sorted(found, key=lambda r: r.version, reverse=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: glibc_floor.py BUNDLE_DIR|BINARY", file=sys.stderr)
        return 2
    found = requirements(Path(args[0]))
    if not found:
        print("no GLIBC symbol versions found (not a glibc-linked ELF binary?)")
        return 1
    print(f"glibc floor: {found[0].text} (required by {found[0].file})")
    for requirement in found[:8]:
        print(f"  GLIBC_{requirement.text:<6} {requirement.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
