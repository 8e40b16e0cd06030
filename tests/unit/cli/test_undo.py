"""The undo command repeats the connection flags, never the token."""

from __future__ import annotations

from kubectl_netpoltest.cli.kubeflags import KubeFlags
from kubectl_netpoltest.cli.undo import undo_command


def test_undo_points_at_the_same_cluster_and_identity_without_secrets() -> None:
    flags = KubeFlags(
        kubeconfig="/k c",
        context="prod",
        namespace="shop",
        as_user="ci",
        token="s3cret",
        as_groups=("ops",),
    )
    command = undo_command(spec="tests.yaml", flags=flags)
    assert command == (
        "kubectl netpoltest cleanup tests.yaml --kubeconfig '/k c' --context prod -n shop "
        "--as ci --as-group ops"
    )
    assert "s3cret" not in command
