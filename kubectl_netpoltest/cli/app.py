"""The root command: `kubectl netpoltest`, its global options and its subcommands."""

from __future__ import annotations

from typing import Annotated

import typer

from kubectl_netpoltest import __version__
from kubectl_netpoltest.cli import cleanup, doctor, execute, plan, prepare, rbac, validate

app = typer.Typer(
    name="kubectl netpoltest",
    help="Prove that a cluster's NetworkPolicies do what their authors think.\n\n"
    "Write the expected connectivity in a YAML spec, then: prepare (add a debug container to one "
    "pod per source), execute (run every probe from inside those pods), cleanup (restore the "
    "cluster).",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kubectl-netpoltest {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Prove that a cluster's NetworkPolicies do what their authors think."""


app.command("validate")(validate.validate)
app.command("plan")(plan.plan)
app.command("prepare")(prepare.prepare)
app.command("execute")(execute.execute)
app.command("cleanup")(cleanup.cleanup)
app.command("rbac")(rbac.rbac)
app.command("doctor")(doctor.doctor)
