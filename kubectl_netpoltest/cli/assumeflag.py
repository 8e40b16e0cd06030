"""`--assume KEY=yes|no`: pin down what the API leaves to the CNI, for definite predictions.

Without it such cases come out `undefined` (exit 5 from explain). Users who know their CNI can
say how it behaves, e.g. Cilium never matches pod IPs with ipBlocks:
`--assume ipblock-matches-pod-ips=no`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from kubectl_netpoltest.core.policy import Assumptions
from kubectl_netpoltest.errors import UsageError

KEYS = {
    "ipblock-matches-pod-ips": "ipblock_matches_pod_ips",
    "service-hairpin": "service_hairpin_allowed",
    "own-node-egress-exempt": "own_node_egress_exempt",
    "first-named-port-wins": "first_named_port_wins",
}
_VALUES = {"yes": True, "true": True, "no": False, "false": False}

AssumeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--assume",
        metavar="KEY=yes|no",
        help="How your CNI decides what the API leaves open (repeatable): "
        + ", ".join(KEYS) + ". Without it those cases are predicted 'undefined'.",
        show_default=False,
    ),
]


def assumptions(values: list[str] | None) -> Assumptions:
    found = Assumptions()
    for text in values or ():
        key, sep, value = text.partition("=")
        if not sep or key not in KEYS or value.lower() not in _VALUES:
            raise UsageError(f"--assume {text!r}: expected KEY=yes|no with KEY one of "
                             f"{', '.join(KEYS)}")
        found = replace(found, **{KEYS[key]: _VALUES[value.lower()]})
    return found
