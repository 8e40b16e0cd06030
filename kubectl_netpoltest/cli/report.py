"""`kubectl netpoltest report RESULT`: draw an earlier run (`execute -o json|yaml`) as HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.errors import UsageError
from kubectl_netpoltest.report.files import write_report
from kubectl_netpoltest.report.html import html_page


def _read(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise UsageError(f"{path} is not JSON or YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or data.get("kind") != "ExecuteResult":
        raise UsageError(
            f"{path} is not an execute result",
            hint="Write one with: kubectl netpoltest execute SPEC -o json > result.json",
        )
    return data


def report(
    result: Annotated[
        str,
        typer.Argument(help="The output of `execute -o json` (or -o yaml).", metavar="RESULT"),
    ],
    *,
    html: Annotated[
        str, typer.Option("--html", help="Where to write the HTML page.", metavar="FILE")
    ] = "report.html",
) -> None:
    """Draw an earlier run as a self-contained HTML page.

    The page shows the truth matrix (sources x targets x ports, expected vs observed), each
    probe's reason and evidence, and the run's context and time. It loads nothing from the
    network.
    """
    write_report(html, html_page(_read(result)))
    ENV.stdout.write(f"HTML report: {html}\n")
