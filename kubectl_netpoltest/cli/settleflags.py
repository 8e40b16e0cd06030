"""`--settle DURATION` and `--stable K`: wait for a just-applied policy to be in force."""

from __future__ import annotations

from typing import Annotated

import typer

from kubectl_netpoltest.cli.kubeflags import parse_duration
from kubectl_netpoltest.engine.settle import SettleOptions

SettleFlag = Annotated[
    str,
    typer.Option(
        "--settle",
        metavar="DURATION",
        help="Re-run probes that FAIL until they agree with the spec --stable times in a row, "
        "for at most this long (e.g. 30s): for policies applied just before execute. 0: off.",
    ),
]
StableFlag = Annotated[
    int,
    typer.Option(
        "--stable",
        metavar="K",
        min=1,
        max=20,
        help="With --settle: agreeing runs in a row that make a verdict final.",
    ),
]


def settle_options(*, settle: str, stable: int) -> SettleOptions | None:
    seconds = parse_duration(settle)
    return None if seconds is None else SettleOptions(window_seconds=seconds, stable=stable)
