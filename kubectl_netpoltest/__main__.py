"""Entry point: run the CLI, turn every expected failure into a message and an exit code.

Bad input, a missing kubeconfig or an unreachable cluster never print a traceback: they are
`NetpoltestError`s with an actionable message. Only a real bug does, and only with -v 6+ or
NETPOLTEST_DEBUG=1 (kubeconfig credentials can sit in local variables, so never by default).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import typer

from kubectl_netpoltest import interrupts
from kubectl_netpoltest.errors import NetpoltestError, SpecError
from kubectl_netpoltest.exitcodes import ExitCode
from kubectl_netpoltest.report.escape import console_safe_lines

PROG_NAME = "kubectl netpoltest"


def _debug(argv: Sequence[str]) -> bool:
    if os.environ.get("NETPOLTEST_DEBUG"):
        return True
    for index, arg in enumerate(argv):
        value = (
            arg.split("=", 1)[1]
            if arg.startswith(("--v=", "-v="))
            else (argv[index + 1] if arg in ("-v", "--v") and index + 1 < len(argv) else None)
        )
        if value and value.isdigit() and int(value) >= 6:
            return True
    return False


def run(argv: Sequence[str]) -> int:
    from kubectl_netpoltest.cli.app import app

    command = typer.main.get_command(app)
    try:
        result = command.main(args=list(argv), prog_name=PROG_NAME, standalone_mode=False)
    except NetpoltestError as exc:
        sys.stdout.flush()
        text = str(exc) if isinstance(exc, SpecError) else f"error: {exc}"
        print(console_safe_lines(text), file=sys.stderr)
        return int(exc.exit_code)
    except typer.Exit as exc:
        return _interrupt_aware(int(exc.exit_code))
    except (typer.Abort, KeyboardInterrupt) as exc:
        code = interrupts.exit_code_of(exc)
        word = "terminated" if code is ExitCode.TERMINATED else "interrupted"
        print(f"\n{word}", file=sys.stderr)
        return int(code)
    except Exception as exc:
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            return int(ExitCode.USAGE)
        if _debug(argv):
            traceback.print_exc()
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in kubectl-netpoltest; rerun with NETPOLTEST_DEBUG=1 for details "
            "and report it.",
            file=sys.stderr,
        )
        return int(ExitCode.INTERNAL_ERROR)
    return _interrupt_aware(int(result) if isinstance(result, int) else int(ExitCode.OK))


def _interrupt_aware(code: int) -> int:
    """Typer turns a KeyboardInterrupt it sees into a silent 130, also for our SIGTERM
    (interrupts.Terminated) in commands without their own handling (doctor, generate,
    explain...): give such a run the signal's own code, and say so."""
    received = interrupts.received()
    if code == ExitCode.INTERRUPTED and received is ExitCode.TERMINATED:
        print("\nterminated", file=sys.stderr)
        return int(received)
    return code


def _is_usage_error(exc: Exception) -> bool:
    """Typer's vendored click raises UsageError/BadParameter: recognise them by their API."""
    return callable(getattr(exc, "show", None)) and getattr(exc, "exit_code", None) == 2


def main() -> None:
    """Run, then exit; after SIGINT/SIGTERM without waiting for exec threads still blocked
    on the cluster (the results and reports are out by then; joining them could hang)."""
    interrupts.install()
    code = run(sys.argv[1:])
    if interrupts.received() is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
