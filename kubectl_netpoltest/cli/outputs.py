"""The `-o/--output` flag every command that prints results shares, with kubectl's names."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Output(StrEnum):
    TABLE = "table"
    WIDE = "wide"
    JSON = "json"
    YAML = "yaml"


OutputFlag = Annotated[
    Output,
    typer.Option(
        "-o",
        "--output",
        help="table (default), wide (adds pod names and addresses), json or yaml (with an "
        "apiVersion/kind envelope carrying context, server, spec, start time and version).",
        metavar="FORMAT",
    ),
]
