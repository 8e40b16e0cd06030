"""The spec argument and the flags that narrow a spec, shared by every command that reads one."""

from __future__ import annotations

from typing import Annotated

import typer

from kubectl_netpoltest.core.model import Spec
from kubectl_netpoltest.core.spec.loader import DEFAULT_MAX_PROBES, load_spec_file
from kubectl_netpoltest.errors import SpecError

SpecArg = Annotated[
    str, typer.Argument(help="The YAML test spec ('-' reads it from stdin).", metavar="SPEC")
]
RuleFlag = Annotated[
    list[str] | None,
    typer.Option(
        "--rule",
        help="Only the probes of this rule (repeatable).",
        metavar="NAME",
        show_default=False,
    ),
]
SourceFlag = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        help="Only the probes from this source pod entry (repeatable).",
        metavar="NAME",
        show_default=False,
    ),
]

MaxProbesFlag = Annotated[
    int,
    typer.Option(
        "--max-probes",
        min=1,
        help="Refuse specs that expand to more probes than this (counted before expanding).",
        metavar="N",
    ),
]


def load_or_fail(path: str, *, max_probes: int = DEFAULT_MAX_PROBES) -> Spec:
    result = load_spec_file(path, max_probes=max_probes)
    if result.spec is None:
        raise SpecError([str(p) for p in result.problems], path=path)
    return result.spec
