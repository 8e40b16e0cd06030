"""`--rule NAME` and `--source NAME`: run part of a spec without editing it."""

from __future__ import annotations

from collections.abc import Sequence

from kubectl_netpoltest.core.model import Probe
from kubectl_netpoltest.errors import UsageError


def narrow(
    probes: Sequence[Probe], *, rules: Sequence[str] = (), sources: Sequence[str] = ()
) -> list[Probe]:
    """The probes of the named rules (a probe shared by rules counts for each) and sources.

    A name the spec does not have is a usage error listing the names it has: a typo must
    never shrink a run to nothing and pass.
    """
    _check("--rule", rules, {r for p in probes for r in (p.rule, *p.also_in_rules)})
    _check("--source", sources, {p.source.name for p in probes})
    kept = list(probes)
    if rules:
        kept = [p for p in kept if {p.rule, *p.also_in_rules} & set(rules)]
    if sources:
        kept = [p for p in kept if p.source.name in sources]
    if (rules or sources) and not kept:
        raise UsageError(
            "no probe has both the --rule and the --source given",
            hint="`kubectl netpoltest plan SPEC` lists every probe with its rule and source.",
        )
    return kept


def _check(flag: str, wanted: Sequence[str], known: set[str]) -> None:
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise UsageError(
            f"{flag} {', '.join(unknown)}: not in the spec",
            hint=f"{flag} takes one of: {', '.join(sorted(known)) or 'none'}.",
        )
