"""Writing report files: atomic for regular files, in place for devices, umask, clear errors.

Each test reproduces a defect of issue 9 (items 6, 7, 9) with real files, devices and FIFOs.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.report.files import ReportWriteError, write_report


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_report_gets_the_umask_mode_not_0600(tmp_path: Path, umask_027: None) -> None:
    path = tmp_path / "junit.xml"
    write_report(str(path), "<x/>")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == "<x/>"


def test_an_existing_report_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text("old")
    path.chmod(0o604)
    write_report(str(path), "new")
    assert (path.read_text(), stat.S_IMODE(path.stat().st_mode)) == ("new", 0o604)


def test_a_directory_is_a_clear_io_error_and_leaves_no_temp_file(tmp_path: Path) -> None:
    with pytest.raises(ReportWriteError) as caught:
        write_report(str(tmp_path), "<x/>")
    assert caught.value.exit_code is ExitCode.REPORT_WRITE_ERROR
    assert f"could not write the JUnit report to {tmp_path}: " in caught.value.message
    assert "--junit" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_path_below_a_file_is_a_clear_io_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ReportWriteError, match="Not a directory"):
        write_report(str(tmp_path / "file" / "junit.xml"), "<x/>")


def test_a_failure_after_the_temp_file_exists_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: Path, target: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", full_disk)
    with pytest.raises(ReportWriteError, match="No space left on device"):
        write_report(str(tmp_path / "junit.xml"), "<x/>")
    assert list(tmp_path.iterdir()) == []


def test_dev_null_stays_a_device() -> None:
    before = Path("/dev/null").stat()
    write_report("/dev/null", "<x/>")
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_fifo_is_written_in_place_and_one_without_reader_fails_fast(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ReportWriteError, match="No such device or address"):
        write_report(str(fifo), "<x/>")
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    # the reader must have opened the FIFO before we write; retry until it has
    for _ in range(1000):
        try:
            write_report(str(fifo), "<x/>")
            break
        except ReportWriteError:
            threading.Event().wait(0.01)
    reader.join(timeout=10)
    assert got == ["<x/>"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_symlink_stays_a_link_and_its_target_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.xml"
    real.write_text("old")
    link = tmp_path / "junit.xml"
    link.symlink_to(real)
    write_report(str(link), "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_dev_stdout_as_a_pipe_is_written_in_place() -> None:
    """`--junit /dev/stdout | upload`: /dev/stdout resolves to `pipe:[N]`, no real path."""
    import subprocess
    import sys

    child = (
        "from kubectl_netpoltest.report.files import write_report\n"
        "write_report('/dev/stdout', '<testsuites/>\\n')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=False
    )
    assert (proc.returncode, proc.stdout) == (0, "<testsuites/>\n"), proc.stderr
