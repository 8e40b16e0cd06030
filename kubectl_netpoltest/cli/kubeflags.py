"""kubectl's connection flags, with kubectl's names and meaning, shared by every command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

KubeconfigOpt = Annotated[
    str | None,
    typer.Option(
        "--kubeconfig",
        help="Path to the kubeconfig file (default: $KUBECONFIG, ~/.kube/config).",
        rich_help_panel="Cluster connection",
        show_default=False,
    ),
]
ContextOpt = Annotated[
    str | None,
    typer.Option(
        "--context",
        help="The kubeconfig context to use.",
        rich_help_panel="Cluster connection",
        show_default=False,
    ),
]
NamespaceOpt = Annotated[
    str | None,
    typer.Option(
        "-n",
        "--namespace",
        help="Namespace for pods whose spec entry has none (default: the context's, else default).",
        rich_help_panel="Cluster connection",
        show_default=False,
    ),
]
RequestTimeoutOpt = Annotated[
    str,
    typer.Option(
        "--request-timeout",
        help="Timeout for a single API request, kubectl-style: 30s, 1m, 0 = none.",
        rich_help_panel="Cluster connection",
    ),
]
VerbosityOpt = Annotated[
    int,
    typer.Option(
        "-v",
        "--v",
        help="Log level, kubectl-style (0-9); 6 and above print API requests.",
        min=0,
        max=9,
        rich_help_panel="Cluster connection",
    ),
]


@dataclass(frozen=True)
class KubeFlags:
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    request_timeout: float | None = 30.0
    verbosity: int = 0


def parse_duration(text: str) -> float | None:
    """kubectl's --request-timeout: a bare number is seconds; units s, m, h; 0 means none."""
    value = text.strip()
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    for suffix in ("ms", "s", "m", "h"):
        if value.endswith(suffix):
            number, factor = value[: -len(suffix)], units[suffix]
            break
    else:
        number, factor = value, 1.0
    try:
        seconds = float(number) * factor
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a duration (expected e.g. 30s, 1m, 0)") from None
    if seconds < 0:
        raise typer.BadParameter(f"{text!r} is negative (expected 0 or more)")
    return None if seconds == 0 else seconds


def kube_flags(
    *,
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    request_timeout: str,
    verbosity: int,
) -> KubeFlags:
    return KubeFlags(
        kubeconfig=kubeconfig,
        context=context,
        namespace=namespace,
        request_timeout=parse_duration(request_timeout),
        verbosity=verbosity,
    )
