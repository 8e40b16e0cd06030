"""`kubectl netpoltest rbac`: print the least-privilege Role/ClusterRole and binding to apply.

Printing rather than applying keeps the tool from needing RBAC-admin rights itself: an admin
reviews the YAML and pipes it to `kubectl apply -f -`.
"""

from __future__ import annotations

from typing import Annotated

import typer
import yaml

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import ContextOpt, KubeconfigOpt, NamespaceOpt
from kubectl_netpoltest.cluster.kubeconfig import resolve
from kubectl_netpoltest.core.rbac import DEFAULT_NAME, RULES, Subject, rbac_objects, service_account
from kubectl_netpoltest.errors import UsageError


def _subjects(*, users: list[str], groups: list[str], accounts: list[str]) -> list[Subject]:
    subjects = [Subject(kind="User", name=user) for user in users]
    subjects += [Subject(kind="Group", name=group) for group in groups]
    for text in accounts:
        try:
            subjects.append(service_account(text))
        except ValueError as exc:
            raise UsageError(
                f"--serviceaccount {exc}", hint="e.g. --serviceaccount ci:tester"
            ) from None
    return subjects


def _header() -> str:
    """YAML comments that say why each rule is there; `kubectl apply` ignores them."""
    lines = ["# Least-privilege RBAC for kubectl netpoltest. Apply with: kubectl apply -f -"]
    lines += [
        f"#   {rule.api_group or 'core'} {','.join(rule.resources)}: {rule.why}"
        + (" (--cluster-wide only)" if rule.cluster_only else "")
        for rule in RULES
    ]
    return "\n".join(lines) + "\n"


def rbac(
    *,
    cluster_wide: Annotated[
        bool,
        typer.Option(
            "--cluster-wide",
            help="Print a ClusterRole and ClusterRoleBinding (for specs that span namespaces).",
        ),
    ] = False,
    user: Annotated[
        list[str] | None,
        typer.Option("--user", help="Bind to this user (repeatable).", show_default=False),
    ] = None,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="Bind to this group (repeatable).", show_default=False),
    ] = None,
    serviceaccount: Annotated[
        list[str] | None,
        typer.Option(
            "--serviceaccount",
            help="Bind to this service account, as NAMESPACE:NAME (repeatable).",
            show_default=False,
        ),
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Name of the role and binding.")] = (
        DEFAULT_NAME
    ),
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    namespace: NamespaceOpt = None,
) -> None:
    """Print the RBAC the tool needs: a Role in one namespace (or a ClusterRole), and a binding.

    Without --user, --group or --serviceaccount only the role is printed. The namespace is -n,
    else the kubeconfig context's, else default; no cluster is contacted.
    """
    if cluster_wide and namespace is not None:
        raise UsageError("--cluster-wide and -n/--namespace exclude each other")
    subjects = _subjects(users=user or [], groups=group or [], accounts=serviceaccount or [])
    target: str | None = None
    if not cluster_wide:
        target = resolve(
            kubeconfig=kubeconfig,
            context=context,
            namespace=namespace,
            environ=ENV.environ,
            require=False,
        ).namespace
    documents = rbac_objects(namespace=target, subjects=subjects, name=name)
    ENV.stdout.write(_header())
    ENV.stdout.write(yaml.safe_dump_all(documents, sort_keys=False, explicit_start=True))
