"""prepare, execute and cleanup: placeholders until the engine lands (issue 3).

They already validate the spec first, so an invalid spec never reaches a cluster.
"""

from __future__ import annotations

from kubectl_netpoltest.cli.specs import load_or_fail
from kubectl_netpoltest.cli.validate import SpecArg
from kubectl_netpoltest.errors import ClusterError


def _not_yet(spec: str, command: str) -> None:
    load_or_fail(spec)
    raise ClusterError(f"`kubectl netpoltest {command}` is not implemented yet")


def prepare(spec: SpecArg) -> None:
    """Add a debug container to one matching pod per source (not implemented yet)."""
    _not_yet(spec, "prepare")


def execute(spec: SpecArg) -> None:
    """Run every probe from inside the prepared pods (not implemented yet)."""
    _not_yet(spec, "execute")


def cleanup(spec: SpecArg) -> None:
    """Return the cluster to its state before prepare (not implemented yet)."""
    _not_yet(spec, "cleanup")
