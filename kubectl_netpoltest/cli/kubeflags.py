"""kubectl's connection flags, with kubectl's names and meaning, declared once for every command.

A command that talks to a cluster takes one keyword parameter `flags: KubeFlags` and is wrapped
in `@connection_flags`; the decorator gives typer the ten kubectl flags (`--kubeconfig`,
`--context`, `-n`, `--request-timeout`, `-v`, `--as`, `--as-group`, `--user`, `--cluster`,
`--token`) and hands the command one parsed, validated value. Commands that only need the
namespace (plan, rbac) use `namespace_flags`, which declares the three that decide it.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import typer

PANEL = "Cluster connection"
F = TypeVar("F", bound=Callable[..., Any])

# kube-apiserver: a namespace name is an RFC 1123 label (apimachinery validation.IsDNS1123Label).
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def check_namespace(value: str | None) -> str | None:
    """Refuse what the API server would refuse, before it becomes a namespace nobody has."""
    if value is None:
        return None
    if len(value) > 63 or not _DNS1123_LABEL.match(value):
        raise typer.BadParameter(
            f"{value!r} is not a valid namespace name: lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters"
        )
    return value


def _namespace_callback(value: str | None) -> str | None:
    return check_namespace(value)


def _opt(*names: str, help: str, **extra: Any) -> Any:
    return typer.Option(*names, help=help, rich_help_panel=PANEL, show_default=False, **extra)


_OPTIONS: dict[str, tuple[Any, Any]] = {
    "kubeconfig": (
        str | None,
        _opt(
            "--kubeconfig",
            help="Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
            metavar="FILE",
        ),
    ),
    "context": (
        str | None,
        _opt("--context", help="The kubeconfig context to use.", metavar="NAME"),
    ),
    "namespace": (
        str | None,
        _opt(
            "-n",
            "--namespace",
            help="Namespace for pods whose spec entry has none (default: "
            "the context's, else default).",
            metavar="NAME",
            callback=_namespace_callback,
        ),
    ),
    "request_timeout": (
        str,
        _opt(
            "--request-timeout",
            help="Timeout for a single API request: 30s, 1m; 0 means none. [default: 30s]",
            metavar="DURATION",
        ),
    ),
    "verbosity": (
        int,
        _opt(
            "-v",
            "--v",
            help="Log level (0-9); 6 and above log every API request and exec.",
            min=0,
            max=9,
            metavar="N",
        ),
    ),
    "as_user": (
        str | None,
        _opt("--as", help="User to impersonate for the operation.", metavar="USER"),
    ),
    "as_group": (
        list[str] | None,
        _opt("--as-group", help="Group to impersonate (repeatable).", metavar="GROUP"),
    ),
    "user": (str | None, _opt("--user", help="The kubeconfig user to use.", metavar="NAME")),
    "cluster": (
        str | None,
        _opt("--cluster", help="The kubeconfig cluster to use.", metavar="NAME"),
    ),
    "token": (
        str | None,
        _opt("--token", help="Bearer token for authentication to the API server.", metavar="TOKEN"),
    ),
}
_DEFAULTS: dict[str, Any] = {"request_timeout": "30s", "verbosity": 0}
NAMESPACE_ONLY = ("kubeconfig", "context", "namespace")


@dataclass(frozen=True)
class KubeFlags:
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    request_timeout: float | None = 30.0
    verbosity: int = 0
    as_user: str | None = None
    as_groups: tuple[str, ...] = field(default=())
    user: str | None = None
    cluster: str | None = None
    token: str | None = None


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float | None:
    """kubectl's durations (Go's time.ParseDuration: `1h30m`, `1.5s`, `500ms`), or a bare number
    of seconds as kubectl also takes; 0 means none."""
    value = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        seconds = float(value)
    else:
        parts = _DURATION_PART.findall(value)
        if not parts or "".join(n + u for n, u in parts) != value:
            raise typer.BadParameter(
                f"{text!r} is not a duration (expected e.g. 30s, 1m, 1h30m, 0)"
            )
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if not math.isfinite(seconds):
        raise typer.BadParameter(f"{text!r} is not a duration (expected e.g. 30s, 1m, 1h30m, 0)")
    return None if seconds == 0 else seconds


def _flags(values: dict[str, Any]) -> KubeFlags:
    return KubeFlags(
        kubeconfig=values.get("kubeconfig"),
        context=values.get("context"),
        namespace=values.get("namespace"),
        request_timeout=parse_duration(values.get("request_timeout", "30s")),
        verbosity=values.get("verbosity", 0),
        as_user=values.get("as_user"),
        as_groups=tuple(values.get("as_group") or ()),
        user=values.get("user"),
        cluster=values.get("cluster"),
        token=values.get("token"),
    )


def _declare(names: tuple[str, ...]) -> Callable[[F], F]:
    def decorate(command: F) -> F:
        hints = typing.get_type_hints(command, include_extras=True)
        own = [
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in inspect.signature(command).parameters.values()
            if p.name != "flags"
        ]
        added = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=_DEFAULTS.get(name),
                annotation=Annotated[_OPTIONS[name][0], _OPTIONS[name][1]],
            )
            for name in names
        ]

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in names}
            return command(**kwargs, flags=_flags(values))

        del wrapper.__wrapped__  # typer must see our signature, not the wrapped one
        wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
                if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
                else p
                for p in own
            ]
            + added
        )
        wrapper.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
        return typing.cast(F, wrapper)

    return decorate


connection_flags = _declare(tuple(_OPTIONS))
namespace_flags = _declare(NAMESPACE_ONLY)
# Every flag name kubectl users may put before the subcommand, and whether it takes a value.
HOISTABLE: dict[str, bool] = {
    "--kubeconfig": True,
    "--context": True,
    "-n": True,
    "--namespace": True,
    "--request-timeout": True,
    "-v": True,
    "--v": True,
    "--as": True,
    "--as-group": True,
    "--user": True,
    "--cluster": True,
    "--token": True,
}

# Single flags for commands that declare their own (kept for commands written before
# `connection_flags`; new commands should use the decorator).
KubeconfigOpt = Annotated[str | None, _OPTIONS["kubeconfig"][1]]
ContextOpt = Annotated[str | None, _OPTIONS["context"][1]]
NamespaceOpt = Annotated[str | None, _OPTIONS["namespace"][1]]
RequestTimeoutOpt = Annotated[str, _OPTIONS["request_timeout"][1]]
VerbosityOpt = Annotated[int, _OPTIONS["verbosity"][1]]


def kube_flags(
    *,
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    request_timeout: str,
    verbosity: int,
) -> KubeFlags:
    return _flags(
        {
            "kubeconfig": kubeconfig,
            "context": context,
            "namespace": namespace,
            "request_timeout": request_timeout,
            "verbosity": verbosity,
        }
    )
