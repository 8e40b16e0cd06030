"""Writing report files (JUnit): never half-written, never stale, never a lost device node.

CI publishes whatever file sits at the report path, so the writing rules matter as much as the
content:
- a regular file (or a new one) is replaced atomically: a temporary file in the same directory,
  then rename, so a reader never sees half a document; the temporary file never outlives a
  failure;
- anything else (`/dev/null`, `/dev/stdout`, a FIFO with a reader) is written in place: a rename
  would replace the device node with a regular file;
- a symlink is followed, so the link stays a link;
- the new file gets the mode any file gets (0666 minus the umask, or the old file's mode),
  not mkstemp's 0600: artifact uploaders often run as another user;
- every failure is a `ReportWriteError` (exit code 74) that names the path and the cause;
  callers print the results before writing, so an unwritable path never hides them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
from pathlib import Path

from kubectl_netpoltest.errors import NetpoltestError
from kubectl_netpoltest.exitcodes import ExitCode


class ReportWriteError(NetpoltestError):
    """A report file could not be written; the results were already printed."""

    exit_code = ExitCode.REPORT_WRITE_ERROR


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_in_place(path: str, text: str) -> None:
    # O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of hanging the run.
    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        with os.fdopen(fd, "w", encoding="utf-8", closefd=False) as handle:
            handle.write(text)
    finally:
        os.close(fd)


def _write_atomically(path: str, text: str, *, mode: int) -> None:
    directory = Path(path).parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix=".netpoltest-", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_report(path: str, text: str, *, what: str = "JUnit report") -> None:
    """Write `text` to `path` by the rules above, or raise ReportWriteError."""
    try:
        try:
            info = Path(path).stat()  # follows links, /dev/stdout's `pipe:[N]` included
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a directory")
        if info is not None and not stat.S_ISREG(info.st_mode):
            _write_in_place(path, text)
            return
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
        # a symlink to a regular file: replace the file it points to, keep the link
        _write_atomically(os.path.realpath(path), text, mode=mode)
    except OSError as exc:
        cause = exc.strerror or str(exc)
        raise ReportWriteError(
            f"could not write the {what} to {path}: {cause}",
            hint="The results above are complete. Choose a writable file with --junit PATH, "
            "or skip the report with --junit ''.",
        ) from exc
