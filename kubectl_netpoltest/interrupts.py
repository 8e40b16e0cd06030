"""SIGINT and SIGTERM, handled the same way by every command.

CI runners and `docker stop` send SIGTERM, a terminal sends SIGINT; either must stop the run
with partial results and reports written, never kill it silently. So both signals raise a
`KeyboardInterrupt` in the main thread (SIGTERM as its subclass `Terminated`): every command
that already survives Ctrl-C survives SIGTERM too, and only the exit code differs (130 vs 143,
the shell's 128 + signal number).

The first signal raises; later ones are ignored while the run winds down (a PyInstaller
bootloader forwards the Ctrl-C the terminal already sent to the whole process group, so it
arrives twice, and a second KeyboardInterrupt in the middle of writing a report would lose it;
`--bootloader-ignore-signals` is no cure, it would swallow a SIGTERM sent to the bootloader
alone, as `docker stop` does: see tests/e2e/test_binary_signals.py). A third signal gives up at
once with the first signal's exit code, for a user who really wants out.

Usage: `install()` once at start-up (done by `__main__`); `except KeyboardInterrupt as exc:`
then `exit_code_of(exc)`; `received()` says whether (and how) the run was interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from kubectl_netpoltest.exitcodes import ExitCode


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so the same clean-up paths run; exits with 143."""


_GIVE_UP_AFTER = 3
_signals: list[int] = []


def exit_code_of(exc: BaseException | None) -> ExitCode:
    """The exit code for an interrupt: 143 for SIGTERM, 130 for Ctrl-C (also when wrapped)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, Terminated):
            return ExitCode.TERMINATED
        exc = exc.__cause__ or exc.__context__
    if _signals and _signals[0] == signal.SIGTERM:
        return ExitCode.TERMINATED
    return ExitCode.INTERRUPTED


def received() -> ExitCode | None:
    """The exit code of the first signal this process got, or None if none came."""
    if not _signals:
        return None
    return ExitCode.TERMINATED if _signals[0] == signal.SIGTERM else ExitCode.INTERRUPTED


def _handle(signum: int, _frame: FrameType | None) -> None:
    _signals.append(signum)
    if len(_signals) == 1:
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
    if len(_signals) >= _GIVE_UP_AFTER:
        sys.stderr.write("\ninterrupted again: giving up without waiting\n")
        sys.stderr.flush()
        os._exit(int(received() or ExitCode.INTERRUPTED))


def install() -> None:
    """Route SIGINT and SIGTERM to `_handle` (main thread only, as Python requires)."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _handle)
    signal.signal(signal.SIGTERM, _handle)


def reset_for_tests() -> None:
    """Forget earlier signals (unit tests deliver several in one process)."""
    _signals.clear()
