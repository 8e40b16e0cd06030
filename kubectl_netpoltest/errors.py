"""Errors a user can act on, each mapped to one exit code.

Every failure that reaches the command line is a `NetpoltestError`: it carries a message that
says what happened, where (file:line or namespace/pod) and what to do. The entry point prints it
and exits with its code; it never shows a traceback for bad input or an unreachable cluster.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubectl_netpoltest.exitcodes import ExitCode


class NetpoltestError(Exception):
    """Base of every expected failure; `exit_code` decides the process status."""

    exit_code: ExitCode = ExitCode.INTERNAL_ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n{self.hint}"


class UsageError(NetpoltestError):
    """A flag value or combination that cannot work."""

    exit_code = ExitCode.USAGE


class SpecError(NetpoltestError):
    """The spec file is invalid; `problems` holds every formatted problem line."""

    exit_code = ExitCode.INVALID_SPEC

    def __init__(self, problems: Sequence[str], *, path: str) -> None:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            "\n".join(problems) + f"\n{path}: {count} {noun}; nothing was changed in the cluster."
        )
        self.problems = tuple(problems)


class ClusterError(NetpoltestError):
    """The cluster could not be reached or used."""

    exit_code = ExitCode.CLUSTER_ERROR


class KubeconfigError(ClusterError):
    """The kubeconfig is missing, unreadable, or lacks the requested context."""


class Unreachable(ClusterError):
    """The API server did not answer."""


class Forbidden(ClusterError):
    """RBAC or admission refused a request; the message names verb, resource and namespace."""


class NotFound(ClusterError):
    """An object the run depends on does not exist."""


class Conflict(ClusterError):
    """The object changed since we read it (resourceVersion or uid precondition failed)."""


class PodsLeftInstrumented(NetpoltestError):
    """cleanup kept its safety rules and left instrumented pods behind (or was told to look
    only at some): not a failure, but not "restored" either, so CI can tell the two apart."""

    exit_code = ExitCode.PODS_LEFT


class EphemeralUnsupported(ClusterError):
    """The cluster has no usable pods/ephemeralcontainers subresource (needs Kubernetes 1.25+)."""
