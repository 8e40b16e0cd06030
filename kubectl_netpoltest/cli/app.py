"""The root command: `kubectl netpoltest`, its global options and its subcommands."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from kubectl_netpoltest import __version__
from kubectl_netpoltest.cli import (
    cleanup,
    completion,
    coverage,
    doctor,
    enforcetime,
    execute,
    explain,
    generate,
    plan,
    prepare,
    rbac,
    report,
    validate,
    version,
)
from kubectl_netpoltest.cli.argv import normalize, only_connection_flags
from kubectl_netpoltest.cli.kubeflags import HOISTABLE


class KubectlGrammar(TyperGroup):
    """Click's group, reading the command line as kubectl does (see cli/argv.py).

    Bare `kubectl netpoltest` prints the help and succeeds, like `kubectl` alone.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if not args:
            typer.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        if args[0] == "__complete":  # shell completion (cli/complete.py), never a user command
            from kubectl_netpoltest.cli.complete import answer

            typer.echo(answer(args[1:], root=self), nl=False)
            ctx.exit(0)
        if only_connection_flags(args, hoistable=HOISTABLE):  # `kubectl -n shop` prints help too
            typer.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, normalize(args, hoistable=HOISTABLE))

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        """Each command's whole first sentence, wrapped, instead of click's cut-off `...`."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            text = command.short_help or (command.help or "").strip().split("\n\n")[0]
            first = " ".join(text.split())
            end = first.find(". ")
            rows.append((name, first[: end + 1] if end >= 0 else first))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app = typer.Typer(
    name="kubectl netpoltest",
    cls=KubectlGrammar,
    help="Prove that a cluster's NetworkPolicies do what their authors think.\n\n"
    "Write the expected connectivity in a YAML spec, then: prepare (add a debug container to one "
    "pod per source), execute (run every probe from inside those pods), cleanup (restore the "
    "cluster).\n\n"
    "Connection flags (--kubeconfig, --context, -n, --request-timeout, -v, --as, --as-group, "
    "--user, --cluster, --token) work before or after the command, as in kubectl.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: it rewraps paragraphs to the terminal and shows no `<bool>` type column.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kubectl-netpoltest {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    show_version: Annotated[
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
app.command("generate")(generate.generate)
app.command("enforce-time")(enforcetime.enforce_time)
app.command("report")(report.report)
app.command("version")(version.version)
app.command("completion")(completion.completion)
app.command("explain")(explain.explain)
app.command("coverage")(coverage.coverage)
