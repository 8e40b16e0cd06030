"""Exit codes: the one place they are defined. The README's table is checked against this enum.

CI systems branch on these, so each code means one thing: a test verdict (1), something the
user must fix in their input (2, 3), something wrong between us and the cluster (4), or probes
that could not prove anything either way (5).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit status of `kubectl netpoltest`."""

    OK = 0
    """Everything ran and every probe passed (or: the command succeeded)."""

    TEST_FAILURES = 1
    """At least one probe FAILED: the cluster does not behave as the spec says."""

    USAGE = 2
    """Wrong command line: unknown flag, missing argument, bad flag value."""

    INVALID_SPEC = 3
    """The test spec has problems (each is printed as FILE:LINE:COLUMN); nothing was touched."""

    CLUSTER_ERROR = 4
    """The cluster could not be used: kubeconfig, connection, permissions, missing pods,
    failed instrumentation."""

    INCONCLUSIVE = 5
    """No probe failed, but at least one ended in ERROR (could not be checked): a wrong PASS is
    never reported, so the run is not green."""

    REPORT_WRITE_ERROR = 74
    """A report file (JUnit) could not be written (EX_IOERR): the results were printed, but CI
    would not find them. Beats 0, 1, 4 and 5: a missing report must not look like success."""

    PODS_LEFT = 6
    """cleanup: nothing failed, but pods it found instrumented are still instrumented: left
    alone by its safety rules (bare pods, the only Ready pod of a workload, DaemonSet/Job pods
    without --force) or outside this spec (use -A). `--dry-run` predicts the same code."""

    INTERRUPTED = 130
    """Interrupted (Ctrl-C / SIGINT); partial results were printed and reports written."""

    TERMINATED = 143
    """Terminated (SIGTERM: CI cancel, `docker stop`); handled like Ctrl-C: partial results
    printed, reports written."""

    INTERNAL_ERROR = 70
    """A bug in kubectl-netpoltest; please report it with the output of `-v 6`."""
