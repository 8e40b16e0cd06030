"""`kubectl netpoltest validate SPEC`: check a spec without touching any cluster."""

from __future__ import annotations

from typing import Annotated

import typer

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.specs import load_or_fail
from kubectl_netpoltest.core.plan import expand

SpecArg = Annotated[str, typer.Argument(help="The YAML test spec.", metavar="SPEC")]


def validate(spec: SpecArg) -> None:
    """Check a test spec and report every problem at once, as FILE:LINE:COLUMN: field: message."""
    loaded = load_or_fail(spec)
    probes = expand(loaded)
    sources = len({p.source.name for p in probes})
    counts = ", ".join(
        _count(n, what)
        for n, what in (
            (len(loaded.pods), "pod"),
            (len(loaded.addresses), "address"),
            (len(loaded.connections), "connection"),
            (len(loaded.rules), "rule"),
        )
    )
    ENV.stdout.write(
        f"{spec}: valid: {counts} -> {_count(len(probes), 'probe')} from "
        f"{_count(sources, 'source pod')}\n"
    )


def _count(number: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("ss") else "s")
    return f"{number} {noun if number == 1 else plural}"
