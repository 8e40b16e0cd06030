"""Read the command line the way kubectl (cobra/pflag) does, before click sees it.

Two differences matter to kubectl users:
- kubectl's connection flags are global: `kubectl -n shop netpoltest ...` and
  `kubectl netpoltest -n shop execute spec.yaml` both work. Click only knows options after the
  command that declares them, so flags written before the subcommand are moved after it.
- pflag reads `-n=shop` as `-n shop`; click reads it as the value `=shop`, which silently became
  a namespace named "=shop". Short flags written with `=` are split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def _split_short(arg: str) -> list[str]:
    if len(arg) > 3 and arg[0] == "-" and arg[1] != "-" and arg[2] == "=":
        return [arg[:2], arg[3:]]
    return [arg]


def normalize(argv: Sequence[str], *, hoistable: Mapping[str, bool]) -> list[str]:
    """`argv` with `-x=v` split and leading connection flags moved after the subcommand."""
    args: list[str] = []
    for index, arg in enumerate(argv):
        if arg == "--":
            args.extend(argv[index:])
            break
        args.extend(_split_short(arg))
    moved: list[str] = []
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":
        name = args[index].split("=", 1)[0]
        if name not in hoistable:
            index += 1  # a root option (--version, -h): it stays where it is
            continue
        takes_value = hoistable[name] and "=" not in args[index]
        width = 2 if takes_value and index + 1 < len(args) else 1
        moved.extend(args[index : index + width])
        del args[index : index + width]
    if index >= len(args):  # no subcommand: let click report what is wrong
        return args + moved
    return [*args[: index + 1], *moved, *args[index + 1 :]]


def only_connection_flags(argv: Sequence[str], *, hoistable: Mapping[str, bool]) -> bool:
    """True when `argv` holds connection flags (and their values) and nothing else."""
    args = [part for arg in argv for part in _split_short(arg)]
    index = 0
    while index < len(args):
        name = args[index].split("=", 1)[0]
        if name not in hoistable:
            return False
        index += 2 if hoistable[name] and "=" not in args[index] else 1
    return bool(args)
