"""`kubectl netpoltest validate SPEC`: check a spec without touching any cluster."""

from __future__ import annotations

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.specs import MaxProbesFlag, SpecArg, load_or_fail
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.spec.loader import DEFAULT_MAX_PROBES

__all__ = ["SpecArg", "validate"]


def validate(spec: SpecArg, *, max_probes: MaxProbesFlag = DEFAULT_MAX_PROBES) -> None:
    """Check a test spec and report every problem at once.

    Problems are printed as FILE:LINE:COLUMN: field: message, all of them, so one run is enough
    to fix a spec.
    """
    loaded = load_or_fail(spec, max_probes=max_probes)
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
