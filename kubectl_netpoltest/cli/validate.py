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
    ENV.stdout.write(
        f"{spec}: valid: {len(loaded.pods)} pods, {len(loaded.addresses)} addresses, "
        f"{len(loaded.connections)} connections, {len(loaded.rules)} rules "
        f"-> {len(probes)} probes from {sources} source pods\n")
