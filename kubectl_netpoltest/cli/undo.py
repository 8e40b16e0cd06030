"""The command that undoes (or finishes) what an interrupted or failed run left in the cluster.

Printed for the user to paste, so it must point at the same cluster, as the same identity:
the connection flags they gave are repeated, except --token (a secret never goes to a log).
"""

from __future__ import annotations

import shlex

from kubectl_netpoltest.cli.kubeflags import KubeFlags


def undo_command(*, spec: str, flags: KubeFlags) -> str:
    words = ["kubectl", "netpoltest", "cleanup", spec]
    for flag, value in (
        ("--kubeconfig", flags.kubeconfig),
        ("--context", flags.context),
        ("--cluster", flags.cluster),
        ("--user", flags.user),
        ("-n", flags.namespace),
        ("--as", flags.as_user),
    ):
        if value:
            words += [flag, value]
    for group in flags.as_groups:
        words += ["--as-group", group]
    return shlex.join(words)
